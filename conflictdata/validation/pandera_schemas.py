"""The validator's checks as Pandera schemas, for people who work in Pandera.

:func:`pandera_schema` builds a ``pandera.polars.DataFrameSchema`` for one table: column
types and constraints come from the Table Schema, and every semantic rule of
:mod:`conflictdata.validation.rules` becomes a dataframe-level ``Check`` that wraps the very
same Polars expression the fast engine evaluates.

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

from ..package import Package, locate
from ..report import WARNING, Report
from ..schema import TableSchema
from .collect import DEFAULT_CAP
from .rules import targets_for


def _column_checks(f):
    import pandera.polars as pa

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


def _rule_check(rule, target, warn: bool):
    import pandera.polars as pa

    def check(data, target=target):
        frame = data.lazyframe.with_columns(target.digests).collect()
        return frame.lazy().select((~target.violation(frame)).fill_null(True).alias("ok"))

    return pa.Check(check, name=f"{rule.code}:{target.field}", raise_warning=warn and rule.severity == WARNING)


def pandera_schema(table: str, package: Package | None = None, *, today: datetime.date | None = None,
                   warn: bool = True):
    """A ``pandera.polars.DataFrameSchema`` for ``table``: Table Schema columns plus the semantic rules.

    Rules of severity "warning" raise a Python warning instead of failing (``warn=False``:
    they fail like the others).

    The frame it validates is the typed table (``conflictdata.load(table, format="polars")``);
    cross-table rules also need the context columns of
    :func:`conflictdata.validation.context.enrich` (e.g. ``__update_date``).
    """
    import pandera.polars as pa

    package = package or locate()
    schema = TableSchema.from_dict(package.resource(table).schema)
    columns = {
        # Uniqueness and keys stay with the structural checks, which name the repeating line.
        f.name: pa.Column(f.polars_type(), nullable=not f.required, checks=_column_checks(f),
                          description=f.description or None)
        for f in schema.fields
    }
    checks = [_rule_check(rule, target, warn) for rule, target in targets_for(table, schema, {"today": today})]
    return pa.DataFrameSchema(columns, checks=checks, strict=False, name=table)


def validate_with_pandera(package: Package, *, strict: bool = False, cap: int = DEFAULT_CAP,
                          today: datetime.date | None = None) -> Report:
    """Validate ``package`` with Pandera evaluating every check: same pipeline, same faults, slower.

    The same as ``validate_package(package, engine="pandera")``.
    """
    from .engine import validate_package

    return validate_package(package, strict=strict, cap=cap, today=today, engine="pandera")
