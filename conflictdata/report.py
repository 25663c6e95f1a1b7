"""Faults found in a package, collected into one report.

Modelled on frictionless-py: every problem is an object with a code, a place (resource,
file, line, field) and a message, and one :class:`Report` holds them all and renders as
text, JSON or GitHub Actions annotations.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import asdict, dataclass, field

from .catalogue import ERROR, WARNING, emit

__all__ = ["ERROR", "WARNING", "Caps", "Fault", "Report"]


@dataclass(frozen=True)
class Fault:
    """One problem in the data.

    Parameters
    ----------
    resource : str
        Table name (``"munitions"``), or ``""`` for the package itself.
    path : str
        File the fault is in, as the descriptor names it (``"data/munitions.csv"``).
    row : int or None
        Line in that file as an editor shows it (the header is line 1).
    field : str or None
        Column name.
    value : str or None
        The offending cell, as text.
    code : str
        Stable kebab-case name of the check (see ``conflictdata rules``).
    message : str
        What is wrong, in words a contributor understands.
    severity : str
        ``"error"`` fails validation; ``"warning"`` only with ``--strict``.
    """

    resource: str
    path: str
    row: int | None
    field: str | None
    value: str | None
    code: str
    message: str
    severity: str = ERROR

    def __post_init__(self) -> None:
        emit(self.code)  # only a registered code: see conflictdata.catalogue

    def to_dict(self) -> dict:
        return asdict(self)

    def one_line(self) -> str:
        """The fault in one line: file, line, field, code and message, as ``load()`` raises it.

        Examples
        --------
        >>> Fault("updates", "data/updates.csv", 3, "published_date", "0000-10-08", "type-error",
        ...       "published_date is '0000-10-08', which is not a valid date").one_line()
        "data/updates.csv:3 [published_date] type-error: published_date is '0000-10-08', which is not a valid date"
        """
        where = f"{self.path or '(package)'}" + (f":{self.row}" if self.row is not None else "")
        col = f" [{self.field}]" if self.field else ""
        return f"{where}{col} {self.code}: {self.message}"


class Caps(Counter):
    """How many faults of each kind have been kept, so that a check stops listing at its cap.

    A kind is what the caller caps by: the validator a (table, check, field), a submission a
    code. What is past the cap is not kept but counted, in :attr:`Report.omitted`.

    Examples
    --------
    >>> caps = Caps()
    >>> slot = ("munitions", "constraint-minimum", "launched")
    >>> caps.take(slot, 3, cap=5), caps.take(slot, 3, cap=5), caps.take(slot, 3, cap=5)
    (3, 2, 0)
    """

    def take(self, kind: Hashable, found: int, cap: int) -> int:
        """How many of ``found`` new faults of ``kind`` may be kept under ``cap``; they count as kept."""
        kept = min(found, max(cap - self[kind], 0))
        self[kind] += kept
        return kept


@dataclass
class Report:
    """Every fault found in one validation run.

    ``omitted`` counts faults that were found but not kept, because a check hit its cap
    (so a file where every row is wrong still gives a short report, and a true count);
    ``caps`` is where the checks that report here count what they have kept against it.

    Examples
    --------
    >>> r = Report(checked="example")
    >>> r.add(Fault("munitions", "data/munitions.csv", 3, "launched", "-1",
    ...             "constraint-minimum", "launched is -1, below the minimum 0"))
    >>> r.valid
    False
    >>> print(r.render("github"))
    ::error file=data/munitions.csv,line=3,title=constraint-minimum::launched is -1, below the minimum 0
    """

    checked: str = ""
    faults: list[Fault] = field(default_factory=list)
    omitted: Counter = field(default_factory=Counter)
    strict: bool = False
    caps: Caps = field(default_factory=Caps, repr=False)

    def add(self, fault: Fault) -> None:
        self.faults.append(fault)

    def extend(self, faults: Iterable[Fault]) -> None:
        self.faults.extend(faults)

    def merge(self, other: Report) -> None:
        """Take every fault and count of ``other`` (a table's scratch report) into this one."""
        self.faults.extend(other.faults)
        self.omitted.update(other.omitted)
        self.caps.update(other.caps)

    @property
    def errors(self) -> list[Fault]:
        return [f for f in self.faults if f.severity == ERROR]

    @property
    def warnings(self) -> list[Fault]:
        return [f for f in self.faults if f.severity == WARNING]

    @property
    def valid(self) -> bool:
        """True when nothing fails the run (warnings fail it only when ``strict``)."""
        if self.strict:
            return not self.faults and not self.omitted
        return not self.errors and not self.omitted.get(ERROR)

    @property
    def total(self) -> int:
        return len(self.faults) + sum(self.omitted.values())

    def sorted(self) -> list[Fault]:
        return sorted(
            self.faults, key=lambda f: (f.path, f.row if f.row is not None else -1, f.field or "", f.code)
        )

    def to_dict(self) -> dict:
        return {
            "valid": self.valid,
            "checked": self.checked,
            "errors": [f.to_dict() for f in self.sorted()],
            "omitted": sum(self.omitted.values()),
        }

    def render(self, fmt: str = "text", max_errors: int | None = None, *, verdict: bool = True) -> str:
        """Render as ``"text"``, ``"json"`` or ``"github"`` (workflow commands).

        ``verdict=False`` leaves out the text's last line ("valid: 0 error(s), ..."), for a
        caller that says the verdict in its own words.
        """
        if fmt == "json":
            return json.dumps(self.to_dict(), ensure_ascii=False)
        faults = self.sorted()
        shown = faults if max_errors is None else faults[:max_errors]
        hidden = len(faults) - len(shown) + sum(self.omitted.values())
        if fmt == "github":
            lines = [_github(f) for f in shown]
            if hidden:
                lines.append(f"::error title=more-faults::... and {hidden} more faults not shown")
            return "\n".join(lines)
        return _text(self, shown, hidden, verdict)


def _github_escape(text: str, prop: bool = False) -> str:
    # The workflow-command syntax reserves these characters.
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def _github(f: Fault) -> str:
    props = [f"file={_github_escape(f.path, True)}"] if f.path else []
    if f.row is not None:
        props.append(f"line={f.row}")
    props.append(f"title={_github_escape(f.code, True)}")
    return f"::{f.severity} {','.join(props)}::{_github_escape(f.message)}"


def _text(report: Report, shown: list[Fault], hidden: int, verdict: bool = True) -> str:
    lines = [f"checked: {report.checked}"] if report.checked else []
    current = None
    for f in shown:
        if f.path != current:
            current = f.path
            lines.append(f"{f.path or '(package)'}")
        where = f"line {f.row}" if f.row is not None else "file"
        col = f" [{f.field}]" if f.field else ""
        lines.append(f"  {where}{col} {f.severity} {f.code}: {f.message}")
    if hidden:
        lines.append(f"  ... and {hidden} more")
    if verdict:
        n_err = len(report.errors) + report.omitted.get(ERROR, 0)
        n_warn = len(report.warnings) + report.omitted.get(WARNING, 0)
        lines.append(f"{'valid' if report.valid else 'INVALID'}: {n_err} error(s), {n_warn} warning(s)")
    return "\n".join(lines)
