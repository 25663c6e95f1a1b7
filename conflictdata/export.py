"""Write the package as one file for the tools people already use: DuckDB, SQLite (+ Datasette), Excel.

``duckdb``
    Every table with its Table Schema's types (through Arrow), NOT NULL for required fields,
    primary and foreign keys, the claim views of :mod:`conflictdata.sql`, the tables
    ``event_figures``, ``event_disputes`` and ``event_contradictions`` (the rows of
    :func:`conflictdata.event_figures`, :func:`conflictdata.disputes` and
    :func:`conflictdata.contradictions`, computed once and stored), and every table's
    and column's description as a DuckDB comment. DuckDB checks a foreign key as each row goes
    in, so rows pointing at their own table are inserted parents first, and a parent chain
    that loops (a ``parent-cycle`` fault) cannot be exported to DuckDB.
``sqlite``
    The same tables, keys and views; column types from the schema layer
    (:meth:`conflictdata.schema.Field.sqlite_type`), dates and times as ISO 8601 text (as in
    the CSV: datetimes in Kyiv local time, without an offset), the three event relations as
    tables. Beside it, ``<name>.metadata.json`` gives Datasette the
    title, licence, source and every table's, view's and column's description:
    ``datasette conflictdata.sqlite --metadata conflictdata.metadata.json``.
``xlsx``
    One sheet per table (typed cells: numbers, dates, text), an ``event_figures`` sheet and a
    ``fields`` sheet describing every field. Excel has no time zones: a datetime is written as
    its Kyiv local wall-clock time (the ``timeZone`` of its field, as in the CSV), and the
    ``fields`` sheet says so. Text that a spreadsheet would run as a formula (starting with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return) is stored as text with Excel's quote prefix, so
    it is shown, never run.

The package is validated first, with the validator call ``conflictdata build`` makes
(:func:`conflictdata.validation.validate_and_type`): invalid data is refused with
:class:`InvalidDataError`, which carries the report, and nothing is written, unless
``allow_invalid``, which writes it and warns (:class:`InvalidDataWarning`). Every file is written
beside its target and renamed into place when complete (:mod:`conflictdata.atomic`), so a failed
export leaves no half-written file. An existing target is refused unless ``force``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, cast

from .atomic import atomic_file, write_text
from .errors import DataError, OutputExistsError, require
from .events import DESCRIPTIONS, relation_columns
from .load import open_package_or_version
from .package import Package
from .schema import DATETIME_FORMAT, TableSchema
from .sql import EVENT_DESCRIPTIONS, EVENT_RELATIONS, event_relations, quote, views
from .validation.rules import FORMULA_START as RULE_FORMULA_START

if TYPE_CHECKING:
    from .report import Report

FORMATS = ("duckdb", "sqlite", "xlsx")
SUFFIXES = {".duckdb": "duckdb", ".ddb": "duckdb", ".sqlite": "sqlite", ".sqlite3": "sqlite", ".db": "sqlite",
            ".xlsx": "xlsx"}
EXTRAS = {"duckdb": "sql", "xlsx": "excel"}
# A cell starting with one of these is a formula to a spreadsheet (OWASP, CSV injection): what
# the text-formula rule refuses in the data, and the tab and carriage return OWASP lists too
# (the data has none: text-control-character refuses them), in case a cell is written anyway.
FORMULA_START = (*RULE_FORMULA_START, "\t", "\r")
FIELDS_SHEET = "fields"
FIGURES_SHEET = "event_figures"
# DuckDB's default block is 256 KiB, and every table's columns and every index (one per primary
# and foreign key) take whole blocks: 18 MB for 7 MB of CSV. 16 KiB, the smallest it allows,
# gives 3.9 MB for the same tables, keys, views and comments.
DUCKDB_BLOCK_SIZE = 16_384
# The oldest storage format with a block size of one's choosing: the file opens in DuckDB 1.2 and
# later (DuckDB 2 writes its own format by default, which no DuckDB 1.x reads).
DUCKDB_STORAGE_VERSION = "v1.2.0"


class InvalidDataError(DataError):
    """The package is not valid, so it is not exported; ``report`` says every fault."""

    def __init__(self, report: Report):
        self.report = report
        errors = len(report.errors) + sum(report.omitted.values())
        super().__init__(f"the data is invalid ({errors} error(s); run 'conflictdata validate'); nothing was written")


class InvalidDataWarning(UserWarning):
    """An export of invalid data, written because ``allow_invalid`` was given."""


def export(out: str | os.PathLike, format: str | None = None, *, path: str | os.PathLike | None = None,
           version: str | None = None, force: bool = False, allow_invalid: bool = False) -> list[Path]:
    """Validate the package and export it to ``out`` as a DuckDB, SQLite or Excel file; return the files written.

    Parameters
    ----------
    out : str or path-like
        The file to write.
    format : {"duckdb", "sqlite", "xlsx"}, optional
        Default: from the suffix of ``out`` (``.duckdb``, ``.sqlite``/``.db``, ``.xlsx``).
    path, version : optional
        The package folder, or a published release; default: the installed data.
    force : bool
        Replace ``out`` (and the Datasette metadata beside it) when it exists.
    allow_invalid : bool
        Export data the validator faults all the same, with an :class:`InvalidDataWarning`
        (a table too broken to read is still refused).

    Returns
    -------
    list of Path
        ``[out]``, and for SQLite also its ``.metadata.json``.

    Raises
    ------
    InvalidDataError
        The validator faults the data (``.report`` holds every fault); nothing is written.

    Examples
    --------
    >>> export("conflictdata.sqlite")                    # doctest: +SKIP
    [PosixPath('conflictdata.sqlite'), PosixPath('conflictdata.metadata.json')]
    """
    out = Path(out)
    fmt = format or SUFFIXES.get(out.suffix.lower())
    if fmt not in FORMATS:
        raise ValueError(f"{out}: say which format to write ({', '.join(FORMATS)}); the suffix "
                         f"{out.suffix or '(none)'} does not tell")
    if fmt in EXTRAS:
        require({"duckdb": "duckdb", "xlsx": "openpyxl"}[fmt], EXTRAS[fmt])
    targets = [out, metadata_path(out)] if fmt == "sqlite" else [out]
    for target in targets:
        if target.exists() and not force:
            raise OutputExistsError(f"{target} exists; nothing was written (use --force to replace it)")
        if target.is_dir():
            raise OutputExistsError(f"{target} is a folder; nothing was written")
    out.parent.mkdir(parents=True, exist_ok=True)
    package = open_package_or_version(path, version)
    tables = _valid_tables(package, allow_invalid)
    with atomic_file(out) as tmp:
        if fmt == "duckdb":
            write_duckdb(package, tables, tmp)
        elif fmt == "sqlite":
            write_sqlite(package, tables, tmp)
            # before the database goes in, so a failure here leaves neither file replaced
            write_json(targets[1], datasette_metadata(package, out.stem))
        else:
            write_xlsx(package, tables, tmp)
    return targets


def metadata_path(out: Path) -> Path:
    """Where the Datasette metadata of a SQLite export goes: ``name.sqlite`` -> ``name.metadata.json``."""
    return out.with_name(f"{out.stem}.metadata.json")


def _valid_tables(package: Package, allow_invalid: bool) -> dict:
    """Validate ``package`` as ``build`` does; its typed tables as Arrow, or InvalidDataError."""
    from .load import load_arrow, to_arrow
    from .validation import validate_and_type

    report, typed = validate_and_type(package)
    if not report.valid:
        if not allow_invalid:
            raise InvalidDataError(report)
        errors = len(report.errors) + sum(report.omitted.values())
        first = report.sorted()[0].one_line() if report.faults else "faults beyond the cap"
        warnings.warn(f"exporting invalid data: {errors} error(s), the first {first}", InvalidDataWarning,
                      stacklevel=3)
    schemas = _schemas(package)
    # the validating pass's typed tables, so the data is read once; a table it could not type
    # (invalid data, exported anyway) is read on its own and refused at its first fault
    return {name: to_arrow(typed[name], schemas[name]) if name in typed else load_arrow(package, name)
            for name in package.resources}


def _schemas(package: Package) -> dict[str, TableSchema]:
    return {name: TableSchema.from_dict(r.schema) for name, r in package.resources.items()}


def table_order(package: Package) -> list[str]:
    """Tables in an order where every table comes after the tables its foreign keys point at."""
    schemas = _schemas(package)
    order: list[str] = []
    pending = list(schemas)
    while pending:
        ready = [t for t in pending
                 if all(not fk.resource or fk.resource == t or fk.resource in order or fk.resource not in schemas
                        for fk in schemas[t].foreign_keys)]
        if not ready:  # a cycle between tables: keep the descriptor's order, the keys are checked afterwards
            ready = pending[:1]
        order += ready
        pending = [t for t in pending if t not in ready]
    return order


def _reference(table: str, fk) -> str:
    target = fk.resource or table
    return (f"FOREIGN KEY ({', '.join(map(quote, fk.fields))}) "
            f"REFERENCES {quote(target)} ({', '.join(map(quote, fk.reference_fields))})")


def create_table(table: str, schema: TableSchema, column_types: dict[str, str]) -> str:
    """``CREATE TABLE`` with the given column types, NOT NULL for required fields and the keys."""
    parts = [f"{quote(f.name)} {column_types[f.name]}{' NOT NULL' if f.required else ''}" for f in schema.fields]
    if schema.primary_key:
        parts.append(f"PRIMARY KEY ({', '.join(map(quote, schema.primary_key))})")
    parts += [_reference(table, fk) for fk in schema.foreign_keys]
    return f"CREATE TABLE {quote(table)} (\n    " + ",\n    ".join(parts) + "\n)"


def _levels(table: str, schema: TableSchema, arrow) -> list[int]:
    """For each row, how many self-references lead up from it: insert level 0 first, then 1, ...

    DuckDB checks a foreign key against the rows already in the table, so a row must come
    after the row it points at. A missing parent or a cycle is reported, never inserted.
    """
    self_keys = [fk for fk in schema.foreign_keys if not fk.resource or fk.resource == table]
    if not self_keys:
        return [0] * arrow.num_rows
    columns = arrow.to_pydict()
    index = {tuple(columns[k][i] for k in schema.primary_key): i for i in range(arrow.num_rows)}
    parents: list[list[int]] = []
    for i in range(arrow.num_rows):
        ups = []
        for fk in self_keys:
            ref = tuple(columns[f][i] for f in fk.fields)
            if any(v is None for v in ref):
                continue
            if tuple(fk.reference_fields) != schema.primary_key or ref not in index:
                raise DataError(f"{table} row {i + 1}: {', '.join(fk.fields)} {', '.join(map(str, ref))} points at "
                                f"no row of {table} (run 'conflictdata validate')")
            ups.append(index[ref])
        parents.append(ups)
    level: list[int | None] = [0 if not ups else None for ups in parents]
    pending = [i for i, v in enumerate(level) if v is None]
    while pending:
        done = [i for i in pending if all(level[p] is not None for p in parents[i])]
        if not done:
            raise DataError(f"{table} row {pending[0] + 1}: its {', '.join(self_keys[0].fields)} leads round in a "
                            "cycle (run 'conflictdata validate')")
        for i in done:
            level[i] = 1 + max(v for p in parents[i] if (v := level[p]) is not None)  # (all are, being done)
        pending = [i for i in pending if level[i] is None]
    return cast("list[int]", level)  # nothing is pending: every level is set


def write_duckdb(package: Package, tables: dict, file: Path) -> None:
    """Write the tables (typed, with keys and comments) and the claim views into a new DuckDB file."""
    duckdb = require("duckdb", "sql")
    import pyarrow as pa

    schemas = _schemas(package)
    con = duckdb.connect(":memory:")
    # ATTACH, since block size and storage version are options of ATTACH only
    con.execute(f"ATTACH {_literal(str(file))} AS export "
                f"(BLOCK_SIZE {DUCKDB_BLOCK_SIZE}, STORAGE_VERSION {_literal(DUCKDB_STORAGE_VERSION)})")
    con.execute("USE export")
    try:
        for name in table_order(package):
            schema = schemas[name]
            arrow = tables[name]
            levels = _levels(name, schema, arrow)
            staged = arrow.append_column("__level", pa.array(levels, pa.int64()))
            con.register("__staged", staged)
            # DuckDB's own reading of the Arrow types, which come from the Table Schema
            types = {row[0]: row[1] for row in con.execute('DESCRIBE "__staged"').fetchall()}
            con.execute(create_table(name, schema, types))
            columns = ", ".join(quote(f.name) for f in schema.fields)
            try:
                for level in sorted(set(levels)):
                    con.execute(f'INSERT INTO {quote(name)} SELECT {columns} FROM "__staged" WHERE "__level" = ?',
                                [level])
            except duckdb.ConstraintException as exc:
                raise DataError(f"{name}: {str(exc).splitlines()[0]} (run 'conflictdata validate')") from None
            con.unregister("__staged")
            if schema.description:
                con.execute(f"COMMENT ON TABLE {quote(name)} IS {_literal(schema.description)}")
            for f in schema.fields:
                if f.description:
                    con.execute(f"COMMENT ON COLUMN {quote(name)}.{quote(f.name)} IS {_literal(f.description)}")
        for view in views(package):
            con.execute(view.create())
            con.execute(f"COMMENT ON VIEW {quote(view.name)} IS {_literal(view.description)}")
        for name, table in _event_tables(package).items():
            con.register("__staged", table)
            con.execute(f'CREATE TABLE {quote(name)} AS SELECT * FROM "__staged"')
            con.unregister("__staged")
            con.execute(f"COMMENT ON TABLE {quote(name)} IS {_literal(EVENT_DESCRIPTIONS[name])}")
            for column in table.column_names:
                if DESCRIPTIONS.get(column):
                    con.execute(f"COMMENT ON COLUMN {quote(name)}.{quote(column)} IS {_literal(DESCRIPTIONS[column])}")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _event_tables(package: Package) -> dict:
    """The event relations (Arrow), unless the package has tables of those names."""
    return {name: table for name, table in event_relations(package).items() if name not in package.resources}


def _sqlite_type(arrow_type) -> str:
    import pyarrow as pa

    if pa.types.is_integer(arrow_type) or pa.types.is_boolean(arrow_type):
        return "INTEGER"
    return "REAL" if pa.types.is_floating(arrow_type) else "TEXT"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sqlite_value(value):
    if isinstance(value, dt.datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def write_sqlite(package: Package, tables: dict, file: Path) -> None:
    """Write the tables (with keys) and the claim views into a new SQLite file; check every foreign key."""
    import sqlite3

    schemas = _schemas(package)
    con = sqlite3.connect(file)
    try:
        with con:
            for name in table_order(package):
                schema = schemas[name]
                con.execute(create_table(name, schema, {f.name: f.sqlite_type() for f in schema.fields}))
                marks = ", ".join("?" for _ in schema.fields)
                columns = tables[name].to_pydict()
                rows = zip(*(map(_sqlite_value, columns[f.name]) for f in schema.fields), strict=True)
                con.executemany(f"INSERT INTO {quote(name)} VALUES ({marks})", rows)
            for view in views(package):
                con.execute(view.create())
            for name, table in _event_tables(package).items():
                types = {f.name: _sqlite_type(f.type) for f in table.schema}
                con.execute(f"CREATE TABLE {quote(name)} (\n    "
                            + ",\n    ".join(f"{quote(c)} {t}" for c, t in types.items()) + "\n)")
                columns = table.to_pydict()
                rows = zip(*(map(_sqlite_value, columns[c]) for c in types), strict=True)
                con.executemany(f"INSERT INTO {quote(name)} VALUES ({', '.join('?' for _ in types)})", rows)
        broken = con.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            table, rowid, parent, _ = broken[0]
            raise DataError(f"{table} row {rowid}: a foreign key points at no row of {parent} "
                            f"({len(broken)} such row(s); run 'conflictdata validate')")
    finally:
        con.close()


def datasette_metadata(package: Package, database: str) -> dict:
    """Datasette's metadata for a SQLite export named ``database``: titles, licence, descriptions."""
    d = package.descriptor
    licences = d.get("licenses") or []
    first = licences[0] if licences else {}
    tables = {}
    for name, schema in _schemas(package).items():
        tables[name] = {"description": schema.description,
                        "columns": {f.name: f.description for f in schema.fields if f.description}}
    for view in views(package):
        tables[view.name] = {"description": view.description,
                             "columns": {c: text for c, text in view.columns if text}}
    for name in EVENT_RELATIONS:
        if name not in tables:
            columns = relation_columns(name)
            tables[name] = {"description": EVENT_DESCRIPTIONS[name],
                            "columns": {c: DESCRIPTIONS.get(c, "") for c in columns}}
    meta = {
        "title": d.get("title") or d.get("name") or database,
        "description": d.get("description", ""),
        "license": first.get("name") or first.get("title", ""),
        "license_url": first.get("path", ""),
        "source": f"{d.get('name', 'conflictdata')} {d.get('version', '')}".strip(),
        "databases": {database: {"tables": tables}},
    }
    if d.get("homepage"):
        meta["source_url"] = d["homepage"]
    return {k: v for k, v in meta.items() if v != ""}


def write_json(file: Path, data: dict) -> None:
    write_text(file, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def neutralise(ws, value):
    """A cell for ``value``; text that a spreadsheet would run as a formula becomes plain, quote-prefixed text."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    return cell


def _sheet_names(names) -> dict[str, str]:
    # Excel allows 31 characters and no two sheets with the same name (case-insensitive).
    taken, out = {FIELDS_SHEET}, {}
    for name in names:
        sheet, n = name[:31], 1
        while sheet.lower() in taken:
            n += 1
            sheet = f"{name[:31 - len(str(n)) - 1]}~{n}"
        taken.add(sheet.lower())
        out[name] = sheet
    return out


def write_xlsx(package: Package, tables: dict, file: Path) -> None:
    """Write one sheet per table and a ``fields`` sheet into a new Excel workbook."""
    openpyxl = require("openpyxl", "excel")
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    bold = Font(bold=True)
    schemas = _schemas(package)
    wb = openpyxl.Workbook(write_only=True)
    d = package.descriptor
    wb.properties.title = d.get("title") or d.get("name")
    wb.properties.description = d.get("description")

    def header(ws, names):
        ws.freeze_panes = "A2"
        cells = []
        for n in names:
            c = neutralise(ws, n)
            c.font = bold
            cells.append(c)
        ws.append(cells)

    figures = {} if FIGURES_SHEET in schemas else {FIGURES_SHEET: event_relations(package)[FIGURES_SHEET]}
    sheets = _sheet_names([*schemas, *figures])

    def rows(name, names, table):
        ws = wb.create_sheet(sheets[name])
        header(ws, names)
        columns = table.to_pydict()
        for i, row in enumerate(zip(*(columns[f] for f in names), strict=True)):
            for field, value in zip(names, row, strict=True):
                if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
                    raise DataError(f"{name} row {i + 1} [{field}]: a control character that Excel cannot hold "
                                    "(run 'conflictdata validate')")
            ws.append([neutralise(ws, wall_clock(v)) for v in row])

    for name, schema in schemas.items():
        rows(name, schema.names, tables[name])
    for name, table in figures.items():
        rows(name, table.column_names, table)
    ws = wb.create_sheet(FIELDS_SHEET)
    header(ws, ["table", "sheet", "field", "type", "required", "key", "constraints", "description"])
    for name, schema in schemas.items():
        fks = {f: fk for fk in schema.foreign_keys for f in fk.fields}
        for f in schema.fields:
            key = "primary key" if f.name in schema.primary_key else ""
            if f.name in fks:
                fk = fks[f.name]
                key = (key + "; " if key else "") + f"-> {fk.resource or name}.{', '.join(fk.reference_fields)}"
            kind = f.type if f.format == "default" else f"{f.type} ({f.format})"
            text = f.description
            if f.type == "datetime" and f.time_zone:
                kind += f", {f.time_zone} local time"
                text = (f"{text} " if text else "") + (f"In this workbook: {f.time_zone} local wall-clock time, "
                                                       "without an offset (Excel has no time zones).")
            described = [name, sheets[name], f.name, kind, "yes" if f.required else "", key, constraint_text(f), text]
            ws.append([neutralise(ws, v) for v in described])
    for name, table in figures.items():
        for column in table.schema:
            described = [name, sheets[name], column.name, str(column.type), "", "", "",
                         DESCRIPTIONS.get(column.name, "")]
            ws.append([neutralise(ws, v) for v in described])
    wb.save(file)


def wall_clock(value):
    """A zone-aware datetime as its local wall-clock time (naive), which is all Excel can hold.

    Examples
    --------
    >>> from zoneinfo import ZoneInfo
    >>> wall_clock(dt.datetime(2024, 10, 8, 3, tzinfo=ZoneInfo("Europe/Kyiv")))
    datetime.datetime(2024, 10, 8, 3, 0)
    """
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def constraint_text(field) -> str:
    """The field's constraints other than ``required``, as short plain text.

    Examples
    --------
    >>> from conflictdata.schema import Field
    >>> constraint_text(Field("n", "integer", constraints={"minimum": 0, "required": True}))
    'minimum 0'
    """
    parts = []
    for key, value in field.constraints.items():
        if key == "required":
            continue
        if key == "enum":
            parts.append("one of " + ", ".join(map(str, value)))
        elif key == "unique":
            parts.append("unique" if value else "")
        elif key == "pattern":
            parts.append(f"pattern {value}")
        else:
            parts.append(f"{key} {value}")
    return "; ".join(p for p in parts if p)
