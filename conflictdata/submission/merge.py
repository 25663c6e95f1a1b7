"""The package's CSV text with a submission's rows inserted in primary-key order, and its checks.

Existing lines are kept byte for byte: each file is split into records with their exact text,
new rows are written by Python's ``csv`` module (``\\n`` line ends, minimal quoting, as the
files in ``data/`` are) and slotted in before the first existing record with a greater key,
so a sorted file stays sorted and ``git diff`` shows only the new lines. The merged package is
then staged in a temporary folder and validated with every rule of the validator; each fault
on a new row is reported at the submission's line. When several files are added at once, a
fault that the validator finds on a row an *earlier* file adds (the later row sorted first)
is the later file's: it is reported on that file's colliding row.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import MergeError
from ..files import NotRegularFileError, read_regular
from ..package import DESCRIPTOR, Package, Resource, open_package
from ..report import ERROR, WARNING, Fault, Report
from ..schema import TableSchema
from .layout import Layout
from .rows import NewRow

NOT_COMPARED = ("notes",)  # a claim with other notes but the same content is the same claim


@dataclass
class Record:
    """One record of a CSV file: its key, its exact text and its cells."""

    key: tuple[str, ...] | None  # None for a blank line
    text: str
    values: list[str]
    index: dict[str, int]  # column name -> position, shared by the table's records
    line: int | None = None  # where it was read from (None for a row this run adds)
    new: NewRow | None = None

    def get(self, name: str) -> str:
        i = self.index.get(name)
        return self.values[i] if i is not None and i < len(self.values) else ""

    def describe(self, path: str) -> str:
        if self.new is not None:
            o = self.new.origin
            return f"{o.file} line {o.line}" if o.line else o.file
        return f"{path} line {self.line}"

    def held(self, path: str) -> str:
        """Where the row already is, in words: the package's file, or an earlier submission of this run."""
        if self.new is not None:
            return f"also in an earlier file of this run ({self.describe(path)}"
        return f"already in the package ({self.describe(path)}"


@dataclass
class Table:
    resource: Resource
    schema: TableSchema
    head: str  # the header's exact text, with its line end
    header: list[str]
    records: list[Record] = field(default_factory=list)

    def render(self) -> tuple[str, dict[int, NewRow]]:
        """The file's text and the line of every new row in it."""
        parts, lines = [self.head], {}
        line = 1 + self.head.count("\n")
        for rec in self.records:
            if not parts[-1].endswith("\n"):
                parts[-1] += "\n"  # the file ended without a line end and rows follow it
            if rec.new is not None:
                lines[line] = rec.new
            parts.append(rec.text)
            line += rec.text.count("\n")
        return "".join(parts), lines


def read_table(resource: Resource, schema: TableSchema) -> Table:
    """Split ``resource``'s CSV file into exact records; :class:`MergeError` when it cannot be merged into."""
    where = resource.path
    if resource.format != "csv":
        raise MergeError(f"{where}: only CSV tables can be merged into (this one is {resource.format})")
    try:
        text = read_regular(resource.file, where).decode("utf-8")
    except NotRegularFileError as exc:  # a FIFO would block a plain read forever
        raise MergeError(str(exc)) from None
    except FileNotFoundError:
        raise MergeError(f"{where} does not exist; run `conflictdata validate`") from None
    except UnicodeDecodeError:
        raise MergeError(f"{where} is not UTF-8; run `conflictdata validate` to find the line") from None
    except OSError as exc:
        raise MergeError(f"cannot read {where}: {exc.strerror or exc}") from None
    pieces = text.split("\n")
    physical = [p + "\n" for p in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])
    if not physical:
        raise MergeError(f"{where} is empty; it needs at least its header row")
    reader = csv.reader(iter(physical), strict=True)
    try:
        header = next(reader)
        head = "".join(physical[: reader.line_num])
        if header and header[0].startswith("\ufeff"):
            header[0] = header[0][1:]
        if header != schema.names:
            raise MergeError(f"{where}: the header is not the Table Schema's fields in order; "
                             "run `conflictdata validate`")
        table = Table(resource, schema, head, header)
        index = {name: i for i, name in enumerate(header)}
        where_key = [index[k] for k in schema.primary_key]
        start = reader.line_num
        for cells in reader:
            end = reader.line_num
            key = tuple(cells[i] if i < len(cells) else "" for i in where_key) if cells else None
            text = physical[start] if end == start + 1 else "".join(physical[start:end])
            table.records.append(Record(key, text, cells, index, start + 1))
            start = end
    except csv.Error as exc:
        raise MergeError(f"{where} line {reader.line_num}: not valid CSV ({exc}); "
                         "run `conflictdata validate`") from None
    return table


def row_text(header: list[str], cells: dict[str, str]) -> str:
    """One CSV record as the files in ``data/`` write it."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([cells.get(h, "") for h in header])
    return buf.getvalue()


@dataclass
class State:
    """Every table of a package as text, possibly with rows added by this run."""

    package: Package
    layout: Layout
    tables: dict[str, Table]

    @classmethod
    def read(cls, package: Package, layout: Layout) -> State:
        return cls(package, layout, {name: read_table(r, layout.schemas[name])
                                     for name, r in package.resources.items()})

    def with_rows(self, rows: list[NewRow]) -> State:
        """A new state with ``rows`` inserted; this one is left as it was."""
        tables = dict(self.tables)
        for name, table in self.tables.items():
            mine = [r for r in rows if r.table == name]
            if not mine:
                continue
            pk, header = table.schema.primary_key, table.header
            index = {name: i for i, name in enumerate(header)}
            keyed = sorted(((tuple(r.cells[k] for k in pk), r) for r in mine), key=lambda kr: kr[0])
            keys = [key for key, _ in keyed]  # pending's keys (a new row's is never None)
            pending = [Record(key, row_text(header, r.cells), [r.cells.get(h, "") for h in header], index, new=r)
                       for key, r in keyed]
            out, j = [], 0
            for rec in table.records:
                while rec.key is not None and j < len(pending) and keys[j] < rec.key:
                    out.append(pending[j])
                    j += 1
                out.append(rec)
            out.extend(pending[j:])
            tables[name] = replace(table, records=out)
        return State(self.package, self.layout, tables)

    def changed(self, since: State) -> dict[str, str]:
        """Resource path -> new text, for the tables that differ from ``since``."""
        return {t.resource.path: t.render()[0] for name, t in self.tables.items()
                if t.records is not since.tables[name].records}


def refusals(state: State, rows: list[NewRow], report: Report) -> None:
    """What the package refuses before any rule runs: a known source, a taken id, a repeated claim."""
    layout = state.layout
    by_key: dict[str, dict] = {}
    by_name: dict[str, dict] = {}
    for row in rows:
        table = state.tables[row.table]
        schema, path = table.schema, table.resource.path
        if row.table not in by_key:  # built once per table, so a large package costs one pass
            by_key[row.table] = {rec.key: rec for rec in reversed(table.records) if rec.key is not None}
        key = tuple(row.cells[k] for k in schema.primary_key)
        if row.table == layout.root:
            _known_source(table, row, report)
        clash = by_key[row.table].get(key)
        if clash is not None:
            name = schema.primary_key[0]
            how = "the derived " if name in row.derived else ""
            hint = ("refer to it by id instead of adding it again" if row.table in layout.catalogs
                    else f"write another {name}")
            _fault(report, row, name, key[0], "duplicate-id", f"{how}{name} {key[0]!r} is {clash.held(path)}); {hint}")
            continue
        if row.table in layout.catalogs and row.cells.get("name"):
            if row.table not in by_name:
                by_name[row.table] = {rec.get("name").casefold(): rec for rec in reversed(table.records) if rec.key}
            same = by_name[row.table].get(row.cells["name"].casefold())
            if same is not None:
                where = f"in {row.table}" if same.new is None else "in an earlier file of this run"
                _fault(report, row, "name", row.cells["name"], "duplicate-name",
                       f"{row.cells['name']!r} is already {where} as {same.key[0]!r} ({same.describe(path)}); "
                       "if it is the same, refer to it by id", severity=WARNING)
    _repeated_claims(state, rows, report)


def _known_source(table: Table, row: NewRow, report: Report) -> None:
    url = row.cells.get("url", "")
    same = table.schema.identity_fields  # the schema's identityFields: the same document without a url
    for rec in table.records:
        if rec.key is None:
            continue  # a blank line: no source
        if url and rec.get("url") == url:
            _fault(report, row, "url", url, "duplicate-source",
                   f"the source {url} is {rec.held(table.resource.path)}, "
                   f"{table.schema.primary_key[0]} {rec.key[0]!r}); a source is submitted once")
            return
        if same and not url and not rec.get("url") and all(rec.get(f) == row.cells.get(f, "") for f in same):
            _fault(report, row, "title", row.cells.get("title"), "duplicate-source",
                   f"a source with this publisher, title and date is {rec.held(table.resource.path)}, "
                   f"{rec.key[0]!r}); a source is submitted once")
            return


def claim_tables(layout: Layout) -> tuple[str, ...]:
    """Tables nested under a child of the root: the claims (munitions, casualty and damage reports)."""
    root_children = layout.branches[layout.root].children
    return tuple(t for t, b in layout.branches.items() if b.parent in root_children)


def _repeated_claims(state: State, rows: list[NewRow], report: Report) -> None:
    layout = state.layout
    for name in claim_tables(layout):
        mine = [r for r in rows if r.table == name]
        if not mine:
            continue
        table = state.tables[name]
        schema = table.schema
        skip = {*schema.primary_key, *layout.implied(name), *NOT_COMPARED}
        compared = [f for f in schema.names if f not in skip]
        # Repeats inside one update are the validator's duplicate-claim rule; this looks across updates.
        wanted = {tuple(r.cells[f] for f in compared): r for r in reversed(mine)}
        first = {content[0] for content in wanted}
        for rec in table.records:
            if rec.key is None or rec.get(compared[0]) not in first:
                continue
            row = wanted.pop(tuple(rec.get(f) for f in compared), None)
            if row is not None:
                held = rec.held(table.resource.path)
                _fault(report, row, None, None, "claim-in-package",
                       f"the same claim (every field but {', '.join(sorted(skip))}) is {held}, "
                       f"{schema.primary_key[0]} {rec.key[0]!r}); if this page republishes that statement, give its "
                       f"update relay_of (the update it relays) and no claims")


def _fault(report: Report, row: NewRow, name: str | None, value, code: str, message: str,
           severity: str = ERROR) -> None:
    o = row.origin
    report.add(Fault("submission", o.file, o.line_of(name), o.where(name), None if value is None else str(value),
                     code, message, severity))


def check_merged(state: State, report: Report, rows: list[NewRow] | None = None) -> None:
    """Validate the package as it would be after the merge; faults on new rows point at the submission.

    ``rows`` are the rows of the file being checked. A fault on a new row that is not one of
    them, a row an earlier file of the same run adds, is this file's doing (that file was
    valid on its own): it is reported on this file's row that collides with it. Without
    ``rows``, every new row's fault is reported where that row was written.
    """
    from ..validation import validate_package

    with tempfile.TemporaryDirectory(prefix="conflictdata-merge-") as tmp:
        staged, new_lines = _stage(state, Path(tmp))
        result = validate_package(staged)
    mine = None if rows is None else {id(r) for r in rows}
    taken = {(f.path, f.row) for f in report.faults}
    for f in result.faults:
        row = None if f.row is None else new_lines.get(f.resource, {}).get(f.row)
        if row is None:
            if f.severity == ERROR:  # an old row's warning is not this submission's business
                report.add(f)
            continue
        message = f"{f.message} (in the row it would add: {f.path} line {f.row}){_next_step(state, f)}"
        if mine is not None and id(row) not in mine:
            other = _colliding(state, f, row, mine)
            message = (f"{f.message} (found on the row {row.origin.file} line {row.origin.line_of(f.field)} adds, "
                       f"{f.path} line {f.row}, which this file's row repeats)")
            if other is None:  # no row of this file in that table: the file as a whole
                report.add(Fault("submission", _file_of(rows), None, None, f.value, f.code, message, f.severity))
                continue
            lines = {other.origin.line, *other.origin.field_lines.values()}
            if any((other.origin.file, line) in taken for line in lines):
                continue  # that row is refused already (a taken id, a known url, a repeated claim)
            row = other
        o = row.origin
        line = o.line_of(f.field)
        if (o.file, line) in taken:
            continue  # already refused on this line, more precisely
        report.add(Fault("submission", o.file, line, o.where(f.field), f.value, f.code, message, f.severity))
    report.omitted.update(result.omitted)


def _next_step(state: State, fault: Fault) -> str:
    """For an id that matches no row: the closest ids that exist, and what to do next ('' otherwise).

    The referenced table and key are the schema's foreign key on the fault's field; the ids
    offered are those of the package as it would be after the merge (this run's new rows too).
    """
    from ..suggest import did_you_mean

    table = state.tables.get(fault.resource)
    if fault.code != "foreign-key" or table is None or not fault.field or fault.value is None:
        return ""
    fk = next((k for k in table.schema.foreign_keys if k.fields == (fault.field,)), None)
    target = None if fk is None else state.tables.get(fk.resource or fault.resource)
    if fk is None or target is None:
        return ""
    key = fk.reference_fields[0]
    hint = did_you_mean(fault.value, {rec.get(key) for rec in target.records if rec.key is not None}, n=3)
    name = fk.resource or fault.resource
    todo = (f"write the id of an existing row or add the row under '{name}:' in this file"
            if name in state.layout.catalogs else f"write an existing {key}")
    return f"; {hint} Otherwise {todo}" if hint else f"; {todo}"


def _colliding(state: State, fault: Fault, theirs: NewRow, mine: set[int]) -> NewRow | None:
    """This file's row that the validator's fault on ``theirs`` (an earlier file's row) is about.

    A row with the same value in the fault's field (a key, a unique url), else the row sharing
    most cells with ``theirs`` (a repeated claim differs in its id, not in what it claims).
    """
    table = state.tables.get(fault.resource)
    if table is None:
        return None
    candidates = [rec.new for rec in table.records if rec.new is not None and id(rec.new) in mine]
    if fault.field and theirs.cells.get(fault.field):
        same = [r for r in candidates if r.cells.get(fault.field) == theirs.cells[fault.field]]
        if same:
            return same[0]
    pk = set(table.schema.primary_key)
    return max(candidates, key=lambda r: sum(r.cells.get(k) == v for k, v in theirs.cells.items() if k not in pk),
               default=None)


def _file_of(rows: list[NewRow] | None) -> str:
    return rows[0].origin.file if rows else ""


def _stage(state: State, root: Path) -> tuple[Package, dict[str, dict[int, NewRow]]]:
    """Write the merged package into ``root``: descriptor, schemas and every table's file."""
    new_lines: dict[str, dict[int, NewRow]] = {}

    def text(resource: Resource) -> str:
        rendered, new_lines[resource.name] = state.tables[resource.name].render()
        return rendered

    return stage_package(state.package, root, text), new_lines


def stage_package(source: Package, root: Path, text: Callable[[Resource], str]) -> Package:
    """A copy of ``source`` in ``root`` (descriptor and schemas as they are) whose tables hold
    ``text(resource)``: how ``add`` and the importers validate a merge before writing it."""
    _copy(source.descriptor_path, root / DESCRIPTOR, DESCRIPTOR)
    for resource in source.resources.values():
        if resource.schema_path:
            target = root / resource.schema_path
            target.parent.mkdir(parents=True, exist_ok=True)
            _copy(source.root / resource.schema_path, target, resource.schema_path)
        target = root / resource.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text(resource), encoding="utf-8", newline="")
    return open_package(root)


def _copy(source: Path, target: Path, shown: str) -> None:
    """Copy a descriptor or schema file, refusing one that is no longer a regular file (a FIFO would block)."""
    try:
        target.write_bytes(read_regular(source, shown))
    except NotRegularFileError as exc:
        raise MergeError(str(exc)) from None
    except OSError as exc:
        raise MergeError(f"cannot read {shown}: {exc.strerror or exc}") from None
