"""Contributions: check submission files and merge them into a package, all or nothing.

A submission is one YAML file per source document (see ``CONTRIBUTING.md`` and
``schemas/submission.schema.json``). :func:`add` reads each file, checks it against the
submission's JSON Schema, turns it into rows, refuses a source or claim the package already
has, validates the package as it would be after the merge with every rule of the validator,
and only then writes every table at once (:mod:`conflictdata.submission.write`). Every fault
names the submission's file and line, or, for an existing row, the data file's.

>>> from conflictdata.submit import add
>>> result = add(["submissions/new.yaml"], into=".", dry_run=True)  # doctest: +SKIP
>>> result.valid, result.files[0].rows["munitions"]                  # doctest: +SKIP
(True, ['kyiv-independent-2024-10-09-...'])
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import MergeError, PackageError, require
from .package import DESCRIPTOR, Package, locate, open_package
from .report import Report

DEFAULT_LOCK_TIMEOUT = 60.0
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

    @property
    def valid(self) -> bool:
        return self.report.valid and not self.unreadable

    def to_dict(self) -> dict:
        return {"path": self.path, "valid": self.valid, "rows": self.rows,
                "errors": self.report.to_dict()["errors"], "omitted": self.report.to_dict()["omitted"]}

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


def add(files: list[str | os.PathLike], into: str | os.PathLike | None = None, *, dry_run: bool = False,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> AddResult:
    """Check ``files`` and, unless ``dry_run`` or a file has a fault, merge them all into the package.

    Files are applied in order, each on top of the ones before it (a later file may refer to
    an actor an earlier one adds). A file with faults is reported and skipped, the others are
    still checked, and nothing is written unless every file is valid.

    Parameters
    ----------
    files : list of path-like
        Submission files (YAML).
    into : path-like, optional
        A folder holding ``datapackage.json`` or the file itself; default the current folder.
    dry_run : bool
        Check only; never write (the merge lock is still taken when it can be).
    lock_timeout : float
        Seconds to wait for another merge into the same package to finish.

    Returns
    -------
    AddResult
        Raises :class:`~conflictdata.errors.PackageError` when the package cannot be read and
        :class:`~conflictdata.errors.MergeError` when it cannot be locked or written, or holds
        a merge journal that no merge on this machine left (one that came with the data is
        never replayed; see :mod:`conflictdata.submission.write`).

    Examples
    --------
    >>> result = add(["examples/submissions/dw-2024-10-08.yaml"], into=".", dry_run=True)  # doctest: +SKIP
    >>> result.files[0].report.render()                                                     # doctest: +SKIP
    """
    for module in ("yaml", "jsonschema", "filelock"):
        require(module, "submit")
    from .submission.layout import build_layout
    from .submission.merge import State
    from .submission.parse import parse_file
    from .submission.write import commit, locked, pending, recover, trusted

    package = target_package(into)
    layout = build_layout(package)
    root = package.root
    # A symlink among the submissions may lead into the current folder or the package, not elsewhere.
    parsed = [parse_file(f, within=(Path.cwd().resolve(), root)) for f in files]
    tables = [r.path for r in package.resources.values()]
    with locked(root, lock_timeout, required=not dry_run):
        recovered: list[str] = []
        if dry_run and pending(root):
            trusted(root, tables)  # a journal this machine did not leave is refused as such
            raise MergeError(f"an interrupted merge into {root} is pending; run `conflictdata add` without "
                             "--dry-run to finish it first")
        if not dry_run:
            recovered = recover(root, tables)  # only what a merge on this machine left; see write.py
        start = State.read(package, layout)
        state, results = start, []
        for p in parsed:
            result, state = _apply(p, state)
            results.append(result)
        outcome = AddResult(root, results, dry_run=dry_run, recovered=recovered)
        if outcome.valid and not dry_run and state is not start:
            changed = state.changed(start)
            paths = [state.tables[t].resource.path for t in layout.order]
            commit(root, {p: changed[p] for p in paths if p in changed})
            outcome.written = True
    return outcome


def check(files: list[str | os.PathLike], into: str | os.PathLike | None = None, **kw) -> AddResult:
    """:func:`add` with ``dry_run=True``: every fault, nothing written."""
    return add(files, into, dry_run=True, **kw)


def _apply(parsed, state):
    from .submission.merge import check_merged, refusals
    from .submission.rows import build_rows, check_shape

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


def target_package(into: str | os.PathLike | None) -> Package:
    """The package a merge writes into: ``into``, else the current folder (never the installed data)."""
    if into is not None:
        return open_package(into)
    if not Path(DESCRIPTOR).is_file():
        raise PackageError(f"no {DESCRIPTOR} in the current folder ({Path.cwd()}); "
                           "run this in the package's folder or give --into PATH")
    return open_package(Path.cwd(), origin="cwd")


def json_schema(path: str | os.PathLike | None = None) -> str:
    """The submission JSON Schema of the package at ``path`` (default: this checkout's or the installed one).

    Examples
    --------
    >>> import json
    >>> json.loads(json_schema())["title"]
    'conflictdata submission'
    """
    from .submission.layout import build_layout
    from .submission.spec import render_json_schema

    return render_json_schema(build_layout(locate(path, prefer_cwd=True)))


def known_source(url: str, path: str | os.PathLike | None = None) -> tuple[str | None, str | None]:
    """``(problem, existing)``: why ``url`` cannot be a source's url, and the row that already has it.

    Both are None for a well-formed url the package (default: this checkout's or the
    installed one) does not have yet.

    Examples
    --------
    >>> known_source("ftp://example.org")[0]  # doctest: +ELLIPSIS
    "the url 'ftp://example.org' does not match the pattern https?://... of sources.url"
    >>> known_source("https://example.org/new")
    (None, None)
    """
    import re

    from .schema import TableSchema
    from .submission.layout import ROOT_TABLE
    from .submission.merge import read_table

    package = locate(path, prefer_cwd=True)
    resource = package.resource(ROOT_TABLE)
    schema = TableSchema.from_dict(resource.schema)
    if "url" not in schema.names:
        return None, None
    pattern = schema.field("url").constraints.get("pattern")
    if pattern and not re.fullmatch(pattern, url):
        return f"the url {url!r} does not match the pattern {pattern} of {ROOT_TABLE}.url", None
    for rec in read_table(resource, schema).records:
        if rec.get("url") == url:
            return None, rec.describe(resource.path)
    return None, None


def template(url: str | None = None, path: str | os.PathLike | None = None) -> str:
    """A commented YAML template for a new submission, with ``url`` filled in.

    Examples
    --------
    >>> "source:" in template("https://example.org/a")
    True
    """
    from .submission.layout import build_layout
    from .submission.template import render_template

    return render_template(build_layout(locate(path, prefer_cwd=True)), url)
