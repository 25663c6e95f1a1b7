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
    extra: tuple = (),
) -> int:
    """Add a Fault for each row of ``frame`` where the Polars expression ``mask`` is true.

    ``message`` gets the row (its line, ``value`` and the ``extra`` columns) as a dict.
    ``extra`` holds column names or Polars expressions (computed over the whole table, so
    a window such as "first line of this key" sees every row). Returns how many rows were
    faulty (kept plus omitted).
    """
    import polars as pl

    mask = mask.fill_null(False)
    total = frame.lazy().select(mask.sum()).collect().item()
    if not total:
        return 0
    value_col = value_of or field
    cols = [pl.col(LINE)]
    if value_col is not None:
        cols.append(pl.col(value_col).cast(pl.String).alias("value"))
    names = [c for c in extra if isinstance(c, str) and c != value_col]
    computed = [c for c in extra if not isinstance(c, str)]
    cols += [pl.col(c) for c in names] + [pl.col(c.meta.output_name()) for c in computed]
    bad = frame.lazy().with_columns(computed).filter(mask).select(cols)
    for row in bad.head(cap).collect().iter_rows(named=True):
        value = row.get("value")
        report.add(Fault(resource, path, row[LINE], field, value, code, message(row), severity))
    if total > cap:
        report.omitted[severity] += total - cap
    return total
