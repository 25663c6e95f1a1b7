"""Run every check over a package and collect one Report."""

from __future__ import annotations

import datetime
import os

from ..package import Package, locate
from ..read import read_raw
from ..report import Report
from ..schema import TableSchema
from .collect import DEFAULT_CAP, Batch
from .context import enrich
from .rules import targets_for
from .structure import check_foreign_keys, check_header, check_table


def validate_package(package: Package, *, strict: bool = False, cap: int = DEFAULT_CAP,
                     today: datetime.date | None = None) -> Report:
    """Validate an opened :class:`~conflictdata.package.Package`; every fault in one Report.

    Structural checks (CSV, types, constraints, keys) run first, then the semantic rules of
    :mod:`conflictdata.validation.rules` over the typed tables. ``cap`` bounds the faults
    kept per check and table (the rest are counted); ``today`` fixes the date-in-future rule.
    """
    report = Report(checked=package.describe(), strict=strict)
    schemas = {name: TableSchema.from_dict(r.schema) for name, r in package.resources.items()}
    paths = {name: r.path for name, r in package.resources.items()}
    tables = {}
    for name, resource in package.resources.items():
        raw = read_raw(resource)
        if raw.header:
            check_header(raw, schemas[name])
        report.extend(raw.faults)
        if raw.frame is None:
            continue
        tables[name] = check_table(raw, schemas[name], report, cap)
    check_foreign_keys(tables, schemas, paths, report, cap)
    check_rules(tables, schemas, paths, report, cap, {"today": today})
    return report


def check_rules(tables: dict, schemas: dict, paths: dict, report: Report, cap: int, options: dict) -> None:
    """Run every semantic rule over the typed tables (with their cross-table context)."""
    for name, frame in enrich(tables, schemas).items():
        batch = Batch(frame, name, paths[name])
        for rule, target in targets_for(name, schemas[name], options):
            batch.add(target.violation(frame), field=target.field, code=rule.code, message=target.message,
                      value_of=target.value_of, severity=rule.severity, extra=target.extra)
        batch.run(report, cap)


def validate(path: str | os.PathLike | None = None, *, strict: bool = False, cap: int = DEFAULT_CAP,
             today: datetime.date | None = None) -> Report:
    """Validate the package at ``path`` (default: the installed data).

    Returns a :class:`~conflictdata.report.Report`; raises
    :class:`~conflictdata.errors.PackageError` only when the package cannot be read at all.

    Examples
    --------
    >>> import conflictdata as cd
    >>> cd.validate().valid
    True
    """
    return validate_package(locate(path), strict=strict, cap=cap, today=today)
