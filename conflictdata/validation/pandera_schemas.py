"""The validator's checks as Pandera schemas, for people who work in Pandera.

:func:`pandera_schema` builds a ``pandera.polars.DataFrameSchema`` for one table: column
types and constraints come from the Table Schema, and every semantic rule of
:mod:`conflictdata.validation.rules` becomes a dataframe-level ``Check`` that wraps the very
same Polars expression the fast engine evaluates. :func:`validate_with_pandera` runs a whole
package through those schemas (``conflictdata validate --engine pandera``); the tests hold
it to the same faults as the default engine, so the two cannot drift apart.

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
from collections import Counter

from ..package import Package, locate
from ..read import LINE, read_raw
from ..report import ERROR, WARNING, Fault, Report
from ..schema import TableSchema
from .collect import DEFAULT_CAP
from .context import enrich
from .rules import RULES, targets_for
from .structure import check_foreign_keys, check_header, check_table

# Pandera's built-in check names -> this project's fault codes.
_BUILTIN = {
    "isin": "constraint-enum",
    "greater_than_or_equal_to": "constraint-minimum",
    "less_than_or_equal_to": "constraint-maximum",
    "str_matches": "constraint-pattern",
    "str_length": "constraint-max-length",
    "not_nullable": "constraint-required",
}
# What the CSV reader and the key checks report in either engine.
# (An out-of-enum cell is already null in the typed frame, so its fault comes from there too.)
_STRUCTURAL_ONLY = {"type-error", "constraint-enum", "constraint-unique", "primary-key"}


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
        checks.append(pa.Check.str_matches(f"^(?:{c['pattern']})$"))
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
    they fail like the others, which is how :func:`validate_with_pandera` collects them).

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
    """Validate ``package`` through its Pandera schemas: same faults as the default engine, slower."""
    import pandera.polars as pa

    report = Report(checked=package.describe(), strict=strict)
    schemas = {name: TableSchema.from_dict(r.schema) for name, r in package.resources.items()}
    tables = {}
    for name, resource in package.resources.items():
        raw = read_raw(resource)
        if raw.header:
            check_header(raw, schemas[name])
        report.extend(raw.faults)
        if raw.frame is not None:
            # Reading and typing stay with the CSV reader: only it knows lines and raw cells.
            scratch = Report()
            tables[name] = check_table(raw, schemas[name], scratch, cap)
            report.extend(f for f in scratch.faults if f.code in _STRUCTURAL_ONLY)
    check_foreign_keys(tables, schemas, {n: r.path for n, r in package.resources.items()}, report, cap)
    for name, frame in enrich(tables, schemas).items():
        resource = package.resources[name]
        try:
            pandera_schema(name, package, today=today, warn=False).validate(frame, lazy=True)
        except pa.errors.SchemaErrors as exc:
            _faults_from(exc.failure_cases, frame, resource, report, cap)
    return report


def _faults_from(cases, frame, resource, report: Report, cap: int) -> None:
    schema = TableSchema.from_dict(resource.schema)
    severities = {r.code: r.severity for r in RULES}
    kept: Counter = Counter()
    lines = frame.get_column(LINE)
    for case in cases.iter_rows(named=True):
        check, column, index = case["check"], case["column"], case["index"]
        if index is None or check is None:
            continue  # schema-level (dtype) cases: the typed frame has the right dtypes by construction
        builtin = check.split("(")[0]
        if builtin in _BUILTIN:
            code, field = _BUILTIN[builtin], column
        else:
            code, _, field = check.partition(":")
            field = field or None
        value = frame.get_column(field)[index] if field in frame.columns else None
        if code == "constraint-max-length" and value is not None:
            # Pandera has one str_length check for both bounds; name the one broken.
            if len(value) < schema.field(field).constraints.get("minLength", 0):
                code = "constraint-min-length"
        severity = severities.get(code, ERROR)
        kept[(code, field)] += 1
        if kept[(code, field)] > cap:
            report.omitted[severity] += 1
            continue
        report.add(Fault(resource.name, resource.path, int(lines[index]), field,
                         None if value is None else str(value), code, f"{field}: failed the Pandera check {check}",
                         severity))
