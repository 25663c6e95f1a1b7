"""SQL over the package: DuckDB in memory, every table under its name, and views that join claims.

The tables are the typed Arrow tables of :func:`conflictdata.load` (types from the Table
Schemas), registered in an in-memory DuckDB database. Two views join each claim to the rows
its foreign keys point at, so a query needs no joins to read who claimed what, in which
update of which source, about which munition type and place:

``munitions_claims``
    ``munitions`` with ``update_*``, ``source_*``, ``claimant_*``, ``event_*``, ``attacker_*``,
    ``munition_type_*``, ``launch_place_*`` and ``target_place_*`` columns.
``casualty_claims``, ``damage_claims``
    ``casualty_reports`` and ``damage_reports`` with ``update_*``, ``source_*``, ``claimant_*``,
    ``event_*``, ``place_*``, ``perpetrator_*`` (and ``victim_actor_*``) columns.

Every table with a ``claimKey`` is a claims table and gets such a view (:func:`claim_views`
names them). Three more relations give the events layer of :mod:`conflictdata.events`, the very
rows of :func:`conflictdata.event_figures` and :func:`conflictdata.disputes` (one
implementation, registered as Arrow tables, not rewritten in SQL):

``event_figures``
    One row per event x measure x claim: ``best``, ``low``, ``high``, claimant, side, the
    claim's table and key, update and source.
``event_disputes``
    The ``event_figures`` rows (latest claims) of each event, measure and scope whose
    claimants' figures cannot all be true, with the group's ``spread``.
``event_contradictions``
    Pairs of claims about one event that cannot both be true across measures: "all were
    shot down" against a hit or a damage report (:func:`conflictdata.contradictions`).

The views are generated from the foreign keys (:func:`views`), as plain SQL that DuckDB and
SQLite both run, so :mod:`conflictdata.export` writes the very same views into its files.

Queries are for reading: after the tables are registered, DuckDB's access to files, the
network and extensions is switched off and the configuration locked, so a query cannot read
or write files (``COPY ... TO``, ``read_csv``, ``ATTACH``) or change that.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from decimal import Decimal

from .errors import QueryError, require
from .load import open_package_or_version
from .package import Package
from .schema import TableSchema

EXTRA = "sql"
# The claim tables (a schema with a claimKey) and the views that explain them: munitions_claims,
# casualty_claims, damage_claims, equipment_losses_claims.
EVENT_RELATIONS = ("event_figures", "event_disputes", "event_contradictions")


def claim_view_name(table: str) -> str:
    """The claim view of ``table``: ``munitions_claims``, ``casualty_claims`` (``_reports`` dropped).

    Examples
    --------
    >>> claim_view_name("munitions"), claim_view_name("damage_reports")
    ('munitions_claims', 'damage_claims')
    """
    return f"{table.removesuffix('_reports')}_claims"


def claim_views(package: Package) -> dict[str, str]:
    """View name -> claims table, for every table of ``package`` whose schema has a ``claimKey``.

    Examples
    --------
    >>> from conflictdata.package import locate
    >>> claim_views(locate())  # doctest: +NORMALIZE_WHITESPACE
    {'munitions_claims': 'munitions', 'casualty_claims': 'casualty_reports', 'damage_claims': 'damage_reports',
     'equipment_losses_claims': 'equipment_losses'}
    """
    return {claim_view_name(name): name for name, r in package.resources.items()
            if TableSchema.from_dict(r.schema).claim_key}


def event_relations(package: Package) -> dict:
    """``event_figures`` and ``event_disputes`` of ``package`` as Arrow tables (:mod:`conflictdata.events`)."""
    from .events import RELATIONS, to_arrow

    return {name: to_arrow(RELATIONS[name](package)) for name in EVENT_RELATIONS}


EVENT_DESCRIPTIONS = {
    "event_figures": "One row per event x measure x claim (conflictdata.event_figures()): each claim's best, low "
                     "and high for one measure of one event, with its claimant, side (the top of the claimant's "
                     "parent chain), table and key, update and source. A measure a claim does not state has no row.",
    "event_disputes": "The event_figures rows of the latest claims (conflictdata.disputes()) of every event x "
                      "measure x munition type whose claimants' ranges [low or best, high or best] have no common "
                      "value; spread = the greatest lower end minus the least upper end.",
    "event_contradictions": "Pairs of latest claims about one event, by different sides, that cannot both be "
                            "true across measures (conflictdata.contradictions()): one says every munition of a "
                            "class launched was stopped, the other that at least one hit, or reports an object "
                            "struck or damaged.",
}


@dataclass(frozen=True)
class View:
    """A view over a claim table: its name, the table, its SQL and its columns with descriptions."""

    name: str
    table: str
    sql: str  # the SELECT, without CREATE VIEW
    columns: tuple[tuple[str, str], ...]
    description: str

    def create(self) -> str:
        """The ``CREATE VIEW`` statement (DuckDB and SQLite)."""
        return f"CREATE VIEW {quote(self.name)} AS\n{self.sql}"


def quote(name: str) -> str:
    """An SQL identifier in double quotes (DuckDB and SQLite).

    Examples
    --------
    >>> quote('a"b')
    '"a""b"'
    """
    return '"' + name.replace('"', '""') + '"'


def views(package: Package) -> list[View]:
    """The claim views of ``package``, generated from the foreign keys of its claim tables.

    Each foreign key of a claim table (``claimant_id`` -> ``actors``) becomes a LEFT JOIN
    under the field's name without ``_id`` (``claimant``) and adds that row's readable
    columns (``claimant_name``, ``claimant_kind``, ...); the joined table's own foreign keys
    are followed one step further (``update`` -> ``source``). A view whose table the package
    lacks is left out.

    Examples
    --------
    >>> from conflictdata.package import locate
    >>> [v.name for v in views(locate())]
    ['munitions_claims', 'casualty_claims', 'damage_claims', 'equipment_losses_claims']
    >>> "claimant_name" in dict(views(locate())[0].columns)
    True
    """
    schemas = {name: TableSchema.from_dict(r.schema) for name, r in package.resources.items()}
    return [_view(view, table, schemas) for view, table in claim_views(package).items()]


def _view(view: str, table: str, schemas: dict[str, TableSchema]) -> View:
    claim = schemas[table]
    select = [f"    c.{quote(f.name)}" for f in claim.fields]
    columns = [(f.name, f.description) for f in claim.fields]
    joins: list[str] = []
    used = ["c"]

    def join(parent_alias: str, fk, described: str) -> None:
        target = fk.resource
        # What a view shows of a row a claim points at: its schema's labelFields, never the whole row.
        if not target or target not in schemas or not schemas[target].label_fields or len(fk.fields) != 1:
            return
        alias = fk.fields[0].removesuffix("_id")
        if alias in used:
            return
        used.append(alias)
        on = f"{parent_alias}.{quote(fk.fields[0])} = {quote(alias)}.{quote(fk.reference_fields[0])}"
        joins.append(f"LEFT JOIN {quote(target)} AS {quote(alias)} ON {on}")
        ref = schemas[target]
        for label in schemas[target].label_fields:
            if label in ref.names:
                select.append(f"    {quote(alias)}.{quote(label)} AS {quote(f'{alias}_{label}')}")
                columns.append((f"{alias}_{label}", f"{target}.{label} of {described}: {ref.field(label).description}"))
        for inner in ref.foreign_keys:
            join(quote(alias), inner, f"the {target[:-1] if target.endswith('s') else target} of {described}")

    for fk in claim.foreign_keys:
        join("c", fk, f"{table}.{fk.fields[0]}")
    sql = "SELECT\n" + ",\n".join(select) + f"\nFROM {quote(table)} AS c\n" + "\n".join(joins)
    joined = ", ".join(a for a in used if a != "c")
    description = (f"Every row of {table} with readable columns of the rows it points at ({joined}); "
                   "LEFT JOINs, so a claim that leaves a key empty keeps its row, with empty columns.")
    return View(view, table, sql.rstrip(), tuple(columns), description)


def connect(path: str | os.PathLike | None = None, *, version: str | None = None, read_only: bool = True):
    """An in-memory DuckDB connection with the package's tables and claim views.

    Parameters
    ----------
    path : str or path-like, optional
        A package or release folder; default: the installed data.
    version : str, optional
        A published release, downloaded and verified once (see :func:`conflictdata.remote.fetch`).
    read_only : bool
        Switch off DuckDB's access to files, network and extensions once the tables are in,
        and lock the configuration (the default). Tables and views made in the session stay
        in memory.

    Examples
    --------
    >>> con = connect()                                                   # doctest: +SKIP
    >>> con.sql("SELECT claimant_name, launched FROM munitions_claims")   # doctest: +SKIP
    """
    duckdb = require("duckdb", EXTRA)
    package = open_package_or_version(path, version)
    con = duckdb.connect(":memory:")
    register(con, package)
    if read_only:
        lock_down(con)
    return con


def register(con, package: Package) -> None:
    """Register every table of ``package`` under its name (typed Arrow), the claim views and the event relations."""
    from .load import load_arrow

    for name in package.resources:
        con.register(name, load_arrow(package, name))
    for view in views(package):
        con.execute(view.create())
    for name, table in event_relations(package).items():
        if name not in package.resources:
            con.register(name, table)


def lock_down(con) -> None:
    """Switch off file, network and extension access and the Python replacement scans; lock that."""
    for setting in ("python_enable_replacements", "autoinstall_known_extensions", "autoload_known_extensions"):
        try:
            con.execute(f"SET {setting} = false")
        except Exception:  # noqa: BLE001 - an older DuckDB without the setting; the essential ones follow
            pass
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def query(sql: str, path: str | os.PathLike | None = None, *, version: str | None = None, con=None):
    """Run ``sql`` over the package (read-only) and return the result as an Arrow table.

    Parameters
    ----------
    sql : str
        One or more statements; the result is the last one's.
    path, version : optional
        As for :func:`connect`; ignored when ``con`` is given.
    con : optional
        A connection from :func:`connect` to reuse.

    Raises
    ------
    QueryError
        DuckDB refuses the query; the message is one line, DuckDB's first with its hints
        (:func:`one_line`).

    Examples
    --------
    >>> query("SELECT count(*) AS n FROM munitions").column("n")[0].as_py() > 0   # doctest: +SKIP
    True
    """
    duckdb = require("duckdb", EXTRA)
    con = con if con is not None else connect(path, version=version)
    try:
        relation = con.sql(sql)
        if relation is None:  # a statement without a result (CREATE, SET ...)
            import pyarrow as pa

            return pa.table({})
        # to_arrow_table since DuckDB 1.4; fetch_arrow_table before
        fetch = getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table
        return fetch()
    except duckdb.Error as exc:
        raise QueryError(one_line(exc)) from None


def one_line(exc: BaseException) -> str:
    """DuckDB's message on one line: its first line, with its hints in brackets, without the caret diagram.

    DuckDB puts what would fix the query on the lines after the first (``Candidate bindings:
    ...``, ``Did you mean ...?``) and then a ``LINE 1:`` diagram; the hints are kept.

    Examples
    --------
    >>> one_line(Exception('Binder Error: Referenced column "lanched" not found in FROM clause!\\n'
    ...                    'Candidate bindings: "launched", "claim_id"\\n\\nLINE 1: SELECT lanched FROM munitions\\n'
    ...                    '               ^^^^^^^'))
    'Binder Error: Referenced column "lanched" not found in FROM clause! (candidate bindings: "launched", "claim_id")'
    >>> one_line(Exception('Parser Error: syntax error at or near "SELEC"\\n\\nLINE 1: SELEC 1\\n        ^^^^^'))
    'Parser Error: syntax error at or near "SELEC"'
    """
    text = str(exc).strip()
    if not text:
        return type(exc).__name__
    first, *rest = text.splitlines()
    hints = []
    for line in rest:
        if line.startswith("LINE "):  # the query and a caret under the fault: only readable in a terminal
            break
        # "Candidate bindings: : x" (a qualified column) says the same as "Candidate bindings: x"
        line = re.sub(r":(\s*:)+", ":", " ".join(line.split()))
        if line:
            hints.append(line[:1].lower() + line[1:])
    return f"{first} ({'; '.join(hints)})" if hints else first


def render(table, fmt: str = "table") -> str:
    """A query's result (an Arrow table) as an aligned text table, CSV or a JSON array of objects.

    Parameters
    ----------
    table : pyarrow.Table
        What :func:`query` returns.
    fmt : {"table", "csv", "json"}
        ``table`` for people (numbers aligned right, the row count last), ``csv`` and ``json``
        for programs; a missing value is an empty cell, or ``null`` in JSON.

    Examples
    --------
    >>> import pyarrow as pa
    >>> result = pa.table({"claimant": ["Ukraine's Air Force", None], "launched": [19, 140]})
    >>> print(render(result), end="")
    claimant             launched
    -------------------  --------
    Ukraine's Air Force        19
                              140
    (2 rows)
    >>> print(render(result, "csv"), end="")
    claimant,launched
    Ukraine's Air Force,19
    ,140
    >>> render(pa.table({"n": [1]}), "json").split()
    ['[', '{', '"n":', '1', '}', ']']
    """
    import csv
    import io
    import json

    names = table.column_names
    rows = table.to_pylist()
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False, default=_json_value) + "\n"
    text = [[_cell(row[n]) for n in names] for row in rows]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(text)
        return buf.getvalue()
    # numbers align right, like a spreadsheet
    numeric = [bool(rows) and all(row[n] is None or (isinstance(row[n], (int, float, Decimal))
                                                     and not isinstance(row[n], bool)) for row in rows) for n in names]
    widths = [max([len(n), *(len(r[i]) for r in text)]) for i, n in enumerate(names)]

    def line(cells):
        padded = (c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric, strict=True))
        return "  ".join(padded).rstrip()

    out = [line(names), "  ".join("-" * w for w in widths)] + [line(r) for r in text]
    out.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(out) + "\n"


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _json_value(value):
    if isinstance(value, Decimal):  # DuckDB sums integers as HUGEINT, which Arrow gives as a decimal
        return int(value) if value == value.to_integral_value() else float(value)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
