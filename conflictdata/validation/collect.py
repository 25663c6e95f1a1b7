"""Turn a boolean mask over a table into Faults: the one place rows become Faults."""

from __future__ import annotations

from collections.abc import Callable

from ..read import LINE
from ..report import ERROR, Fault, Report

DEFAULT_CAP = 1000  # faults kept per check and table; the rest are counted, not listed


def collect(
    report: Report,
    frame,
    mask,
    *,
    resource: str,
    path: str,
    field: str | None,
    code: str,
    message: Callable[[dict], str],
    value_of: str | None = None,
    severity: str = ERROR,
    cap: int = DEFAULT_CAP,
    extra: tuple[str, ...] = (),
) -> int:
    """Add a Fault for each row of ``frame`` where the Polars expression ``mask`` is true.

    ``message`` gets the row (its line, ``value`` and the ``extra`` columns) as a dict.
    Returns how many rows were faulty (kept plus omitted).
    """
    import polars as pl

    value_col = value_of or field
    cols = [pl.col(LINE)]
    if value_col is not None:
        cols.append(pl.col(value_col).cast(pl.String).alias("value"))
    cols += [pl.col(c) for c in extra if c != value_col]
    bad = frame.lazy().filter(mask.fill_null(False)).select(cols)
    total = bad.select(pl.len()).collect().item()
    if not total:
        return 0
    for row in bad.head(cap).collect().iter_rows(named=True):
        value = row.get("value")
        report.add(Fault(resource, path, row[LINE], field, value, code, message(row), severity))
    if total > cap:
        report.omitted[severity] += total - cap
    return total
