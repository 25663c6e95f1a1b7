"""The validator's checks as Pandera schemas, for people who work in Pandera.

:func:`pandera_schema` (also ``conflictdata.pandera_schema``) builds a Pandera
``DataFrameSchema`` for one table, for Polars frames (``pandera.polars``) or pandas frames
(``pandera.pandas``): column types and constraints come from the Table Schema, and every
semantic rule of :mod:`conflictdata.validation.rules` becomes a dataframe-level ``Check`` that
wraps the very same Polars expression the fast engine evaluates (a pandas frame is handed to it
as Polars). A rule that reads another table (a claim dated before its update) looks the rows the
frame points at up in the package, as the validator does (:mod:`conflictdata.validation.context`).

``conflictdata validate --engine pandera`` (:func:`validate_with_pandera`) runs the one
pipeline of :mod:`conflictdata.validation.engine` with Pandera as the evaluator: every check
of every batch (types, constraints, keys, rules) becomes a Pandera check wrapping the same
expression (:func:`conflictdata.validation.collect.failing_rows`), and Pandera says which rows
fail. The tests hold both engines to the same faults on every hostile fixture, so they cannot
drift apart.

Examples
--------
>>> import polars as pl
>>> from conflictdata.validation.pandera_schemas import pandera_schema
>>> schema = pandera_schema("munitions")
>>> "outcome-exceeds-launched:intercepted" in [c.name for c in schema.checks]
True
"""

from __future__ import annotations

import datetime
import os
from typing import Any

from ..package import Package
from ..report import WARNING, Report
from ..schema import TableSchema
from .collect import DEFAULT_CAP
from .context import REFERRERS, enrich_table, lookups, specs
from .rules import targets_for

BACKENDS = ("polars", "pandas")


def _module(backend: str):
    """``pandera.polars`` or ``pandera.pandas``: the same Column, Check and DataFrameSchema names."""
    import importlib

    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    return importlib.import_module(f"pandera.{backend}")


def _column_checks(f, pa):
    c = f.constraints
    checks = []
    if c.get("enum") is not None:
        checks.append(pa.Check.isin([str(v) for v in c["enum"]]))
    if "minimum" in c:
        checks.append(pa.Check.ge(c["minimum"]))
    if "maximum" in c:
        checks.append(pa.Check.le(c["maximum"]))
    if "pattern" in c and f.type == "string":
        checks.append(pa.Check.str_matches(f.pattern))
    if "minLength" in c or "maxLength" in c:
        checks.append(pa.Check.str_length(c.get("minLength"), c.get("maxLength")))
    return checks


def _context_tables(table: str, schemas: dict[str, TableSchema]) -> list[str]:
    """The tables whose rows the context columns of ``table`` come from, hops included."""
    found: list[str] = []
    pending = [table]
    while pending:
        name = pending.pop()
        for _, _, target, _, _ in specs(name, schemas):
            if target and target not in found and target in schemas:
                found.append(target)
                pending.append(target)
    return found


class _Context:
    """The context columns of one table, looked up in the package once, when a check first needs them."""

    def __init__(self, package: Package, table: str, schemas: dict[str, TableSchema]):
        self.package, self.table, self.schemas = package, table, schemas
        self._prepared: list | None = None

    def add(self, frame):
        """``frame`` with the context columns it lacks (a frame of the validator already has them)."""
        if self._prepared is None:
            from ..load import load_polars

            tables = {name: load_polars(self.package, name) for name in _context_tables(self.table, self.schemas)}
            self._prepared = lookups(self.table, tables, self.schemas)
        missing = [p for p in self._prepared if p[0] not in frame.columns]
        return enrich_table(frame, missing) if missing else frame


def _as_polars(data, schema: TableSchema):
    """A pandas frame as the typed Polars frame the rules' expressions read (types from the schema)."""
    import polars as pl

    frame = pl.from_pandas(data, include_index=False)
    # not strict: a value outside an enum becomes null here, and the column's isin check names it
    return frame.with_columns(pl.col(f.name).cast(f.polars_type(), strict=False)
                              for f in schema.fields if f.name in frame.columns)


def _rule_check(rule, target, warn: bool, pa, backend: str, schema: TableSchema, context: _Context | None):
    def violations(frame):
        if context is not None:
            frame = context.add(frame)
        frame = frame.with_columns(target.digests)
        # with_columns, so a rule whose expression is a constant gives one value per row
        return frame.with_columns((~target.violation(frame)).fill_null(True).alias("__ok")).select(ok="__ok")

    if backend == "polars":
        def check(data):
            return violations(data.lazyframe.collect()).lazy()
    else:
        def check(data):
            import pandas as pd

            ok = violations(_as_polars(data, schema)).get_column("ok")
            return pd.Series(ok.to_list(), index=data.index, dtype=bool)

    return pa.Check(check, name=f"{rule.code}:{target.field}", raise_warning=warn and rule.severity == WARNING)


def _dtype(f, backend: str) -> Any:
    if backend == "polars":
        return f.polars_type()
    import pyarrow as pa

    from ..load import to_pandas

    arrow = f.arrow_type()
    if pa.types.is_dictionary(arrow):
        return "category"  # an enum: its values are checked by isin, whatever categories a frame keeps
    # the dtype cd.load gives: one mapping from the Arrow types (Int64, string, datetime64[s, tz])
    return to_pandas(pa.schema([pa.field(f.name, arrow)]).empty_table()).dtypes.iloc[0]


def pandera_schema(table: str, package: Package | str | os.PathLike | None = None, *, backend: str = "polars",
                   version: str | None = None, today: datetime.date | None = None, warn: bool = True):
    """The Pandera schema of ``table``: its Table Schema's columns and constraints, and the validator's rules.

    For a frame read from a table or derived from one (filtered, sorted, a subset of rows), so
    it can be checked with the package's own rules: column types, ``required`` (not nullable),
    enums, minimum and maximum, patterns and lengths, and every semantic rule of the table
    (more intercepted than launched, a low bound above the best figure, a claim dated before its
    update, ...), each a Pandera ``Check`` named after the rule and field
    (``outcome-exceeds-launched:intercepted``) wrapping the validator's own Polars expression.
    A rule that reads another table looks the rows the frame points at up in the package.
    Uniqueness and keys stay with ``conflictdata validate``, which names the repeating line,
    and so does ``event-unclaimed`` (it counts the rows of every table that point at an event).

    Parameters
    ----------
    table : str
        A table of the package (``"munitions"``).
    package : Package, str or path-like, optional
        The package, or its folder; default: the installed data.
    backend : {"polars", "pandas"}
        Which frames the schema validates: a ``pandera.polars.DataFrameSchema`` for
        ``cd.load(table, format="polars")``, a ``pandera.pandas.DataFrameSchema`` for
        ``cd.load(table)``.
    version : str, optional
        A published release instead (see :func:`conflictdata.load`).
    today : datetime.date, optional
        The date the future-date rule compares with; default: today.
    warn : bool
        Rules of severity "warning" raise a Python warning (``SchemaWarning``) instead of
        failing; ``warn=False``: they fail like the others.

    Returns
    -------
    pandera DataFrameSchema
        Its ``validate(frame)`` returns the frame, or raises ``pandera.errors.SchemaError``
        (``lazy=True``: ``SchemaErrors``, every failure) naming the check.

    Examples
    --------
    >>> import conflictdata as cd
    >>> import pandera.errors
    >>> munitions = cd.load("munitions")
    >>> schema = cd.pandera_schema("munitions", backend="pandas")
    >>> len(schema.validate(munitions)) == len(munitions)          # the shipped rows pass
    True
    >>> bad = munitions[munitions.claim_id == "dw-2024-10-08-overnight-drones-air-force"].copy()
    >>> bad["launched"] = bad["intercepted"] - 1                 # more shot down than launched
    >>> try:
    ...     schema.validate(bad)
    ... except pandera.errors.SchemaError as err:
    ...     print(err.check)
    <Check outcome-exceeds-launched:intercepted>

    Polars frames, and a value outside an enum (a text column, not the enum's type, and a
    value not among its values), every failure at once with ``lazy=True``:

    >>> import polars as pl
    >>> frame = cd.load("munitions", format="polars").with_columns(certainty=pl.lit("sure"))
    >>> try:
    ...     cd.pandera_schema("munitions").validate(frame, lazy=True)
    ... except pandera.errors.SchemaErrors as err:
    ...     print(sorted({check.split("(")[0] for check in err.failure_cases["check"]}))
    ['certainty-without-hedge:certainty', 'dtype', 'isin']
    """
    from ..load import open_package_or_version

    pa = _module(backend)
    if not isinstance(package, Package):
        package = open_package_or_version(package, version)
    schemas = {name: TableSchema.from_dict(r.schema) for name, r in package.resources.items()}
    schema = TableSchema.from_dict(package.resource(table).schema)
    columns = {
        # Uniqueness and keys stay with the structural checks, which name the repeating line.
        f.name: pa.Column(_dtype(f, backend), nullable=not f.required, checks=_column_checks(f, pa),
                          description=f.description or None)
        for f in schema.fields
    }
    context = _Context(package, table, schemas) if specs(table, schemas) else None
    checks = [_rule_check(rule, target, warn, pa, backend, schema, context)
              for rule, target in targets_for(table, schema, {"today": today})
              if REFERRERS not in (target.across_rows or ())]
    return pa.DataFrameSchema(columns, checks=checks, strict=False, name=table)


def validate_with_pandera(package: Package, *, strict: bool = False, cap: int = DEFAULT_CAP,
                          today: datetime.date | None = None) -> Report:
    """Validate ``package`` with Pandera evaluating every check: same pipeline, same faults, slower.

    The same as ``validate_package(package, engine="pandera")``.
    """
    from .engine import validate_package

    return validate_package(package, strict=strict, cap=cap, today=today, engine="pandera")
