"""Run every check over a package and collect one Report."""

from __future__ import annotations

import os

from ..package import Package, locate
from ..read import read_raw
from ..report import Report
from ..schema import TableSchema
from .collect import DEFAULT_CAP
from .structure import check_foreign_keys, check_header, check_table


def validate_package(package: Package, *, strict: bool = False, cap: int = DEFAULT_CAP) -> Report:
    """Validate an opened :class:`~conflictdata.package.Package`; every fault in one Report."""
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
    return report


def validate(path: str | os.PathLike | None = None, *, strict: bool = False, cap: int = DEFAULT_CAP) -> Report:
    """Validate the package at ``path`` (default: the installed data).

    Returns a :class:`~conflictdata.report.Report`; raises
    :class:`~conflictdata.errors.PackageError` only when the package cannot be read at all.

    Examples
    --------
    >>> import conflictdata as cd
    >>> cd.validate().valid
    True
    """
    return validate_package(locate(path), strict=strict, cap=cap)
