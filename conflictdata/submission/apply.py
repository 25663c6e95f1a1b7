"""One submission file applied to a package's state: the checks of a merge, and what it gave.

:func:`apply_file` turns a parsed file into rows, refuses what the package already has, and
validates the package as it would be with them; :class:`FileResult` and :class:`AddResult`
hold what ``conflictdata add`` reports and render it. The facade that locks, recovers and
writes is :func:`conflictdata.submit.add`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..report import Report

if TYPE_CHECKING:
    from .merge import State
    from .parse import Parsed
    from .propose import Proposal

# Faults of one code kept per file before the merge check; the rest are counted ("... and N
# more"), so a file of a hundred thousand unknown keys is a short report, not 100 000 lines.
FAULT_CAP = 100


@dataclass
class FileResult:
    """What one submission file gave: its faults, and the ids of the rows it adds."""

    path: str
    report: Report
    rows: dict[str, list[str]] = field(default_factory=dict)
    unreadable: bool = False
    # a dry run's event proposals (:mod:`.propose`): never applied
    proposals: list[Proposal] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.report.valid and not self.unreadable

    def to_dict(self) -> dict:
        return {"path": self.path, "valid": self.valid, "rows": self.rows,
                "errors": self.report.to_dict()["errors"], "omitted": self.report.to_dict()["omitted"],
                "proposals": [p.to_dict() for p in self.proposals]}

    def render(self, fmt: str = "text") -> str:
        """The file's faults and verdict as ``"text"`` (one line per fault, ``file:line: severity
        code [where]: message``, as compilers write them) or ``"github"`` (annotations)."""
        if fmt == "github":
            lines = [self.report.render("github")] if self.report.faults or self.report.omitted else []
            if self.valid:
                lines.append(f"::notice file={self.path},title=submission::valid; adds {_adds(self.rows)}")
            return "\n".join(line for line in lines if line)
        lines = []
        for fault in self.report.sorted():
            at = f"{fault.path}:{fault.row}" if fault.row is not None else fault.path
            where = f" [{fault.field}]" if fault.field else ""
            lines.append(f"{at}: {fault.severity} {fault.code}{where}: {fault.message}")
        hidden = sum(self.report.omitted.values())
        if hidden:
            lines.append(f"{self.path}: ... and {hidden} more")
        if self.valid:
            lines.append(f"{self.path}: valid; adds {_adds(self.rows)}")
        elif not self.unreadable:
            lines.append(f"{self.path}: INVALID: {len(self.report.errors)} error(s), "
                         f"{len(self.report.warnings)} warning(s)")
        return "\n".join(lines)


def _adds(rows: dict[str, list[str]]) -> str:
    total = sum(len(ids) for ids in rows.values())
    return f"{total} rows (" + ", ".join(f"{table} {len(ids)}" for table, ids in rows.items()) + ")"


@dataclass
class AddResult:
    """The outcome of :func:`add` for every file, and whether the package was written."""

    package: Path
    files: list[FileResult]
    written: bool = False
    dry_run: bool = False
    recovered: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return all(f.valid for f in self.files)

    @property
    def unreadable(self) -> bool:
        return any(f.unreadable for f in self.files)

    def summary(self) -> str:
        """One line: what was written, or why nothing was."""
        bad = sum(not f.valid for f in self.files)
        unreadable = sum(f.unreadable for f in self.files)
        if bad:
            why = f"{bad} of {len(self.files)} file(s) have faults"
            return f"nothing written: {why}" + (f" ({unreadable} cannot be read)" if unreadable else "")
        if self.dry_run:
            return "dry run: valid, nothing written"
        if not self.written:
            return "nothing to write"
        total = sum(len(ids) for f in self.files for ids in f.rows.values())
        return f"added {total} rows to {self.package}"

    def to_dict(self) -> dict:
        return {"valid": self.valid, "written": self.written, "dry_run": self.dry_run,
                "package": str(self.package), "recovered": self.recovered,
                "files": [f.to_dict() for f in self.files]}


def apply_file(parsed: Parsed, state: State, *, propose: bool = False) -> tuple[FileResult, State]:
    """Check one parsed submission on top of ``state``: its result, and the state with its rows.

    A file with faults leaves the state as it was, so the files after it are checked on their
    own; every fault names the file's line (or, for an existing row, the data file's). With
    ``propose``, the result lists the events the file's new claims may belong to and the
    events its new events may duplicate (:mod:`.propose`); nothing is linked.
    """
    from .merge import check_merged, refusals
    from .rows import build_rows, check_shape

    report = Report()  # the file's path heads its faults already
    result = FileResult(parsed.path, report)
    if parsed.value is None:
        _capped(report, parsed.faults)
        result.unreadable = parsed.unreadable
        return result, state
    check_shape(parsed, state.layout)
    if parsed.faults:
        _capped(report, parsed.faults)
        return result, state
    rows = build_rows(parsed, state.layout)
    _capped(report, parsed.faults)
    if not report.valid:
        return result, state
    refusals(state, rows, report)
    candidate = state.with_rows(rows)
    check_merged(candidate, report, rows)
    if propose:
        from .propose import propose as proposals

        result.proposals = proposals(candidate, rows)
    for table in state.layout.schemas:  # descriptor order
        pk = state.layout.schemas[table].primary_key
        added = [r.cells[pk[0]] for r in rows if r.table == table]
        if added:
            result.rows[table] = added
    return result, (candidate if report.valid else state)


def _capped(report: Report, faults: list) -> None:
    """Add ``faults`` to ``report``, at most :data:`FAULT_CAP` of each code; count the others as omitted."""
    for fault in faults:
        if report.caps.take(fault.code, 1, FAULT_CAP):
            report.add(fault)
        else:
            report.omitted[fault.severity] += 1
