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

__all__ = ["ERROR", "WARNING", "Caps", "Fault", "Report", "Summary"]


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

    ``omitted`` counts faults that were found but not kept, by severity, because a check hit
    its cap (so a file where every row is wrong still gives a short report, and a true count);
    ``omitted_by`` counts the same faults by ``(path, code, severity)``, so that the summary
    still counts every fault of every file (:meth:`omit` keeps both); ``caps`` is where the
    checks that report here count what they have kept against it.

    Examples
    --------
    >>> r = Report(checked="example")
    >>> r.add(Fault("munitions", "data/munitions.csv", 3, "launched", "-1",
    ...             "constraint-minimum", "launched is -1, below the minimum 0"))
    >>> r.valid
    False
    >>> print(r.render("github"))
    ::error file=data/munitions.csv,line=3,title=constraint-minimum::launched is -1, below the minimum 0
    ::notice title=summary::1 error in 1 file: data/munitions.csv 1 error (constraint-minimum 1)
    """

    checked: str = ""
    faults: list[Fault] = field(default_factory=list)
    omitted: Counter = field(default_factory=Counter)
    strict: bool = False
    caps: Caps = field(default_factory=Caps, repr=False)
    omitted_by: Counter = field(default_factory=Counter)

    def add(self, fault: Fault) -> None:
        self.faults.append(fault)

    def extend(self, faults: Iterable[Fault]) -> None:
        self.faults.extend(faults)

    def omit(self, path: str, code: str, severity: str, count: int = 1) -> None:
        """Count ``count`` faults of ``code`` in ``path`` that were found but not kept (past a cap)."""
        self.omitted[severity] += count
        self.omitted_by[(path, code, severity)] += count

    def merge(self, other: Report) -> None:
        """Take every fault and count of ``other`` (a table's scratch report) into this one."""
        self.faults.extend(other.faults)
        self.omitted.update(other.omitted)
        self.omitted_by.update(other.omitted_by)
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

    def summary(self) -> Summary:
        """Every fault counted per file and code, those kept and those past a cap alike."""
        counts: Counter = Counter((f.path, f.code, f.severity) for f in self.faults)
        counts.update(self.omitted_by)
        omitted: Counter = Counter()
        for (path, _, _), n in self.omitted_by.items():
            omitted[path] += n
        # A caller that counted faults only by severity (report.omitted[...] += n) leaves
        # some without a file or code: they are counted apart, so the totals stay true.
        for severity, n in self.omitted.items():
            known = sum(c for (_, _, s), c in self.omitted_by.items() if s == severity)
            if n > known:
                counts[(UNATTRIBUTED, "(code not kept)", severity)] += n - known
                omitted[UNATTRIBUTED] += n - known
        return Summary(counts, omitted)

    def to_dict(self) -> dict:
        return {
            "valid": self.valid,
            "checked": self.checked,
            "errors": [f.to_dict() for f in self.sorted()],
            "omitted": sum(self.omitted.values()),
            "summary": self.summary().to_dict(),
        }

    def listed(self, max_errors: int | None = None) -> list[Fault]:
        """The faults a listing capped at ``max_errors`` shows, shared fairly between files.

        Round-robin over the files in the order they are listed: each file with faults gets
        one more listed fault per round until ``max_errors`` are taken, so a file full of
        faults does not hide the others. Within a file, its first faults in line order.

        Examples
        --------
        >>> r = Report()
        >>> for path in ("a.csv", "b.csv", "c.csv"):
        ...     r.extend(Fault("t", path, n, None, None, "type-error", "bad") for n in range(2, 12))
        >>> [f.path for f in r.listed(5)]
        ['a.csv', 'a.csv', 'b.csv', 'b.csv', 'c.csv']
        """
        faults = self.sorted()
        if max_errors is None or len(faults) <= max_errors:
            return faults
        by_path: dict[str, list[Fault]] = {}
        for f in faults:
            by_path.setdefault(f.path, []).append(f)
        share = dict.fromkeys(by_path, 0)
        left = max_errors
        while left:
            for path, found in by_path.items():
                if left and share[path] < len(found):
                    share[path] += 1
                    left -= 1
        return [f for path, found in by_path.items() for f in found[:share[path]]]

    def render(self, fmt: str = "text", max_errors: int | None = None, *, verdict: bool = True,
               summary: bool = True) -> str:
        """Render as ``"text"``, ``"json"`` or ``"github"`` (workflow commands).

        ``max_errors`` caps the faults listed (text and github), shared fairly between files
        (:meth:`listed`); each file says how many of its faults are not listed, and the
        summary (``summary=False`` leaves it out) counts them all, per file and code.
        ``verdict=False`` leaves out the text's last line ("valid: 0 error(s), ..."), for a
        caller that says the verdict in its own words.
        """
        if fmt == "json":
            return json.dumps(self.to_dict(), ensure_ascii=False)
        shown = self.listed(max_errors)
        counts = self.summary()
        hidden = _hidden(counts, shown)
        if fmt == "github":
            lines = []
            for path, group in _by_path(shown, hidden):
                lines += [_github(f) for f in group]
                if hidden.get(path):
                    lines.append(_github_more(path, hidden[path], _hidden_severity(counts, path, shown)))
            if summary and counts:
                lines.append(f"::notice title=summary::{_github_escape(counts.one_line())}")
            return "\n".join(lines)
        return _text(self, shown, hidden, counts if summary else None, verdict)


# Where faults counted only by severity (by a caller that did not say their file) are summed.
UNATTRIBUTED = "(not attributed to a file)"


def _file_order(path: str) -> tuple[bool, str]:
    return path == UNATTRIBUTED, path  # the files in order, then what no file holds


def _files(n_files: int) -> str:
    return _plural(n_files, "file")


@dataclass
class Summary:
    """Faults counted per ``(path, code, severity)``: what the end of a report says.

    Examples
    --------
    >>> s = Summary(Counter({("data/munitions.csv", "type-error", "error"): 2,
    ...                      ("data/munitions.csv", "outcome-exceeds-launched", "error"): 1}))
    >>> print(s.lines()[0])
    data/munitions.csv: 3 errors (type-error 2, outcome-exceeds-launched 1)
    >>> s.one_line()
    '3 errors in 1 file: data/munitions.csv 3 errors (type-error 2, outcome-exceeds-launched 1)'
    """

    counts: Counter
    omitted: Counter = field(default_factory=Counter)  # per file, how many of its faults were past a cap

    def __bool__(self) -> bool:
        return any(n > 0 for n in self.counts.values())

    def files(self) -> dict[str, dict[str, Counter]]:
        """Per file (in listing order), per severity, the count of each code."""
        out: dict[str, dict[str, Counter]] = {}
        for (path, code, severity), n in sorted(self.counts.items(), key=lambda kv: (_file_order(kv[0][0]), kv[0])):
            if n > 0:
                out.setdefault(path, {ERROR: Counter(), WARNING: Counter()}).setdefault(severity, Counter())[code] += n
        return out

    def totals(self) -> dict[str, Counter]:
        """Per severity, the count of each code over every file."""
        out: dict[str, Counter] = {ERROR: Counter(), WARNING: Counter()}
        for (_, code, severity), n in self.counts.items():
            if n > 0:
                out.setdefault(severity, Counter())[code] += n
        return out

    def lines(self) -> list[str]:
        """One line per file, then the totals."""
        files = self.files()
        lines = [f"{path or '(package)'}: {_counts(by)}" for path, by in files.items()]
        lines.append(f"total: {_counts(self.totals())} in {_files(len(set(files) - {UNATTRIBUTED}))}")
        return lines

    def one_line(self) -> str:
        """The totals, then each file, in one line (a GitHub notice)."""
        files = self.files()
        per_file = "; ".join(f"{path or '(package)'} {_counts(by)}" for path, by in files.items())
        return f"{_counts(self.totals(), codes=False)} in {_files(len(set(files) - {UNATTRIBUTED}))}: {per_file}"

    def to_dict(self) -> dict:
        """Totals and per file counts for JSON: errors, warnings, the codes of each, how many past a cap."""
        totals = self.totals()
        return {
            "errors": sum(totals[ERROR].values()), "warnings": sum(totals[WARNING].values()),
            "files": [{"path": path, "errors": sum(by[ERROR].values()), "warnings": sum(by[WARNING].values()),
                       "error_codes": dict(_ranked(by[ERROR])), "warning_codes": dict(_ranked(by[WARNING])),
                       "omitted": self.omitted[path]} for path, by in self.files().items()],
        }


def _ranked(codes: Counter) -> list[tuple[str, int]]:
    # The most frequent code first, then by name: the order a person fixes them in.
    return sorted(codes.items(), key=lambda item: (-item[1], item[0]))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _counts(by: dict[str, Counter], codes: bool = True) -> str:
    """``3 errors (type-error 2, ...), 1 warning (...)``; a severity with no fault is left out
    (both when there is none)."""
    parts = []
    for severity in (ERROR, WARNING):
        found = by.get(severity, Counter())
        total = sum(found.values())
        if total:
            detail = ", ".join(f"{code} {n}" for code, n in _ranked(found)) if codes else ""
            parts.append(_plural(total, severity) + (f" ({detail})" if detail else ""))
    return ", ".join(parts) or "0 errors"


def _hidden(counts: Summary, shown: list[Fault]) -> dict[str, int]:
    """Per file, how many of its faults are not listed (past ``max_errors`` or a check's cap)."""
    hidden: Counter = Counter()
    for (path, _, _), n in counts.counts.items():
        hidden[path] += n
    hidden.subtract(f.path for f in shown)
    return {path: n for path, n in hidden.items() if n > 0}


def _hidden_severity(counts: Summary, path: str, shown: list[Fault]) -> str:
    """``error`` when some fault of ``path`` not listed is an error, else ``warning``."""
    errors = sum(n for (p, _, severity), n in counts.counts.items() if p == path and severity == ERROR)
    return ERROR if errors > sum(f.path == path and f.severity == ERROR for f in shown) else WARNING


def _by_path(shown: list[Fault], hidden: dict[str, int]) -> list[tuple[str, list[Fault]]]:
    """The listed faults grouped by file, with every file that has hidden faults, in file order."""
    groups: dict[str, list[Fault]] = {path: [] for path in sorted({f.path for f in shown} | set(hidden),
                                                                  key=_file_order)}
    for f in shown:
        groups[f.path].append(f)
    return list(groups.items())


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


def _github_more(path: str, n: int, severity: str) -> str:
    props = [f"file={_github_escape(path, True)}"] if path and path != UNATTRIBUTED else []
    props.append("title=more-faults")
    where = f" in {path}" if path else ""
    return f"::{severity} {','.join(props)}::{_github_escape(f'... and {n} more faults not shown{where}')}"


def _text(report: Report, shown: list[Fault], hidden: dict[str, int], summary: Summary | None,
          verdict: bool = True) -> str:
    lines = [f"checked: {report.checked}"] if report.checked else []
    for path, group in _by_path(shown, hidden):
        lines.append(f"{path or '(package)'}")
        for f in group:
            where = f"line {f.row}" if f.row is not None else "file"
            col = f" [{f.field}]" if f.field else ""
            lines.append(f"  {where}{col} {f.severity} {f.code}: {f.message}")
        if hidden.get(path):
            lines.append(f"  ... and {hidden[path]} more not listed in {path or '(package)'}")
    if summary:
        lines.append("summary:")
        lines += [f"  {line}" for line in summary.lines()]
    if verdict:
        n_err = len(report.errors) + report.omitted.get(ERROR, 0)
        n_warn = len(report.warnings) + report.omitted.get(WARNING, 0)
        lines.append(f"{'valid' if report.valid else 'INVALID'}: {n_err} error(s), {n_warn} warning(s)")
    return "\n".join(lines)
