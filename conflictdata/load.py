"""Typed tables for users: pandas, Polars or Arrow, typed from the Table Schema."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, cast

from .errors import DataError
from .package import Package, locate
from .report import ERROR
from .schema import TableSchema

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa
    from polars.datatypes import DataTypeClass

FORMATS = ("pandas", "polars", "arrow")


def check_one_source(path: str | os.PathLike | None, version: str | None, *,
                     names: tuple[str, str] = ("path", "version")) -> None:
    """Refuse a package path and a release version given together (``ValueError``).

    ``names`` words the message in the caller's terms: the CLI checks with its option names
    before it does any work, so ``--path`` and ``--version`` together fail before an
    existing output or a missing extra is reported.

    Examples
    --------
    >>> check_one_source("data", None)
    >>> check_one_source("data", "1.2.0", names=("--path", "--version"))
    Traceback (most recent call last):
    ...
    ValueError: give --path or --version, not both
    """
    if path is not None and version is not None:
        raise ValueError(f"give {names[0]} or {names[1]}, not both")


def open_package_or_version(path: str | os.PathLike | None = None, version: str | None = None) -> Package:
    """The package at ``path``, or the verified release ``version``, or the installed data.

    Every reader that takes ``path=`` and ``version=`` (:func:`load`, :mod:`conflictdata.sql`,
    :mod:`conflictdata.plot`, :mod:`conflictdata.export`) opens its package here.

    Parameters
    ----------
    path : str or path-like, optional
        A package folder (or its ``datapackage.json``), or a release folder.
    version : str, optional
        A published release: downloaded once, verified against its sha256, then read from
        the cache (see :func:`conflictdata.remote.fetch`).

    Raises
    ------
    ValueError
        When both are given.

    Examples
    --------
    >>> open_package_or_version().descriptor["name"]
    'conflictdata'
    >>> open_package_or_version("data", "1.2.0")
    Traceback (most recent call last):
    ...
    ValueError: give path or version, not both
    """
    check_one_source(path, version)
    if version is not None:
        from .remote import fetch  # the network and the cache only when a release is asked for

        path = fetch(version)
    return locate(path)


def tables(path: str | os.PathLike | None = None) -> list[str]:
    """Names of the package's tables, in the descriptor's order.

    Examples
    --------
    >>> import conflictdata as cd
    >>> cd.tables()[:2]
    ['sources', 'updates']
    """
    return list(locate(path).resources)


def load(name: str, *, format: str = "pandas", path: str | os.PathLike | None = None,
         version: str | None = None) -> pd.DataFrame | pl.DataFrame | pa.Table:
    """Load one table, typed from its Table Schema.

    Parameters
    ----------
    name : str
        Table name, e.g. ``"munitions"`` (see :func:`tables`).
    format : {"pandas", "polars", "arrow"}
        pandas gives nullable integers (``Int64``), dates as ``datetime64``, enums as
        categoricals and text as ``string``; Arrow gives ``int64``, ``date32`` and
        dictionary-encoded enums; Polars gives ``Int64``, ``Date`` and ``Enum``.
    path : str or path-like, optional
        A package folder (or its ``datapackage.json``), or a release folder; default: the
        data installed with the library.
    version : str, optional
        A published release, e.g. ``"1.2.0"``: downloaded once, verified against its
        sha256, then read from the cache (see :func:`conflictdata.remote.fetch`).

    Raises
    ------
    DataError
        When the table has a structural fault ``conflictdata validate`` would report in it (a
        broken or non-regular file, a header out of place, a cell that does not parse, a
        broken constraint or key), with the validator's own one line for the first fault: a
        table never comes back with values silently dropped. The semantic rules (a claim's
        figures that contradict each other) and keys into other tables are ``validate``'s.

    Examples
    --------
    >>> import conflictdata as cd
    >>> df = cd.load("munitions")
    >>> str(df["launched"].dtype)
    'Int64'
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    package = open_package_or_version(path, version)
    if format == "polars":
        return load_polars(package, name)
    table = load_arrow(package, name)
    if format == "arrow":
        return table
    return to_pandas(table)


def load_polars(package: Package, name: str) -> pl.DataFrame:
    """The typed Polars table of ``name`` in an opened package.

    From CSV, the validator's typed frame itself: no detour through Arrow (nor the import of
    pyarrow, a third of the time of loading a 20,000-row table in a fresh process).
    """
    import polars as pl

    resource = package.resource(name)
    schema = TableSchema.from_dict(resource.schema)
    # polars types cast's mapping by its (invariant) key type, a union wider than str
    types: dict[Any, pl.DataType | DataTypeClass] = schema.polars_schema()
    if resource.format == "parquet":
        # a pyarrow Table always comes back as a DataFrame (from_arrow is typed for arrays too)
        return cast("pl.DataFrame", pl.from_arrow(load_arrow(package, name))).cast(types)
    from .read import LINE

    return _typed(package, name).drop(LINE, strict=False).cast(types)


def load_arrow(package: Package, name: str) -> pa.Table:
    """The typed Arrow table of ``name`` in an opened package."""
    resource = package.resource(name)
    schema = TableSchema.from_dict(resource.schema)
    if resource.format == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        from .release import from_parquet

        try:
            table = pq.read_table(resource.file)
        except (OSError, pa.ArrowException) as exc:
            raise DataError(f"{resource.path}: cannot read the Parquet file: {exc}") from None
        if table.column_names != schema.names:
            raise DataError(f"{resource.path}: the columns are {', '.join(table.column_names)}; "
                            f"the schema expects {', '.join(schema.names)}")
        try:
            # a release's file: times of day as text, datetimes in milliseconds (Parquet has no seconds)
            return from_parquet(table, schema)
        except (pa.ArrowException, ValueError) as exc:
            raise DataError(f"{resource.path}: the Parquet types do not match the schema: {exc}") from None
    return to_arrow(_typed(package, name), schema)


def _typed(package: Package, name: str) -> pl.DataFrame:
    """The typed Polars frame (with ``__line__``) of a CSV table, or DataError at its first fault."""
    from .validation.engine import Plan, run

    # The validator's own pipeline on this table alone, for every fault that would make the
    # table returned differ from the file (header, types, constraints, keys, self-references).
    # The rules are not run: a claim they flag (an imported source saying 4 of 2 drones were
    # shot down) is typed exactly and is data to study; validate reports it.
    report, typed = run(package, Plan(tables=(name,), foreign_keys=False, rules=False, keep=True, cap=1))
    if report.errors or name not in typed:
        # A broken table would come back with silent nulls: refuse it and say where.
        first = next((f for f in report.sorted() if f.severity == ERROR), None)
        said = first.one_line() if first is not None else f"{package.resource(name).path}: cannot be read"
        raise DataError(f"{said} (run 'conflictdata validate' for every fault)")
    return typed[name]


def to_arrow(typed: pl.DataFrame, schema: TableSchema) -> pa.Table:
    """A typed Polars table (``__line__`` dropped if there) as Arrow with the schema's exact types."""
    from .read import LINE

    return typed.drop(LINE, strict=False).to_arrow().cast(schema.arrow_schema())


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow to pandas with nullable dtypes: Int64, boolean, string, datetime64, category."""
    from .schema import pandas_types

    return table.to_pandas(types_mapper=pandas_types().get, date_as_object=False)
