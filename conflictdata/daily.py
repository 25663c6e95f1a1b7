"""Per-report figures derived from running totals: what changed since the report before.

The General Staff reports running totals since 24 February 2022 (``figure_kind`` =
``running_total``; the window is event_start to event_end, the report's date). The tables keep
the totals as reported; :func:`daily` derives, per series, the change since the report before.
Nothing is smoothed or corrected: a total lower than the one before stays as reported and is
marked ``revision``; the adjustments a source lists (table ``loss_adjustments``) are shown beside
the total, never applied to it; a series that begins (a category merged into another, such as
``vehicles-and-fuel-tanks`` from 2022-05-01) has no change on its first report, because no total
of the same series comes before it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, cast

from .load import FORMATS, load_arrow, open_package_or_version
from .schema import TableSchema

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

    from .package import Package

RUNNING_TOTAL = "running_total"
CATEGORY = "category_id"
CLAIMANT = "claimant_id"
ADJUSTMENTS = "loss_adjustments"
# loss_adjustments name a category; a casualty measure's adjustments are those of this
# category (loss_categories: 'personnel' names the General Staff's personnel total).
MEASURE_CATEGORY = {"casualties": "personnel"}
COLUMNS = ["claimant_id", "category_id", "measure", "date", "total", "bound", "approximation", "previous_total",
           "change", "days", "revision", "adjustments", "claim_id", "update_id"]


def daily(table: str, category: str | None = None, *, measure: str | None = None, claimant: str | None = None,
          format: str = "pandas", path: str | os.PathLike | None = None,
          version: str | None = None) -> pd.DataFrame | pl.DataFrame | pa.Table:
    """One row per running-total report, with the change since the series' report before.

    A series is one claimant's running total of one measure (and, in ``equipment_losses``, of
    one loss category). The change is derived here, never stored: ``total - previous_total``.
    Reports are in date order (two of one series on one date, in claim_id order, each compared
    with the one before it).

    Parameters
    ----------
    table : {"equipment_losses", "casualty_reports"}
        Any claims table with ``figure_kind``, ``event_end`` and count fields; only its rows
        with ``figure_kind`` = ``running_total`` are read.
    category : str, optional
        A loss category (``"tank"``, see table ``loss_categories``); default: every category.
        Only for tables with ``category_id``.
    measure : str, optional
        A count field of the table without its bounds (``"casualties"``, ``"captured"``; in
        ``equipment_losses`` the one measure ``"lost"``); default: every measure. A report that
        gives no figure for a measure is not a row of that series.
    claimant : str, optional
        Only this claimant's series (an ``actor_id``).
    format : {"pandas", "polars", "arrow"}
    path, version
        The package, as for :func:`conflictdata.load`.

    Returns
    -------
    DataFrame or Table
        Sorted by claimant, category, measure and date, with the columns

        - ``claimant_id``, ``category_id`` (null for a table without categories), ``measure``;
        - ``date``: the report's date (``event_end``);
        - ``total``: the running total as reported (the best figure; where only the lower
          bound is given, the lower bound, and ``bound`` says ``"low"``; never invented);
        - ``bound``: ``"low"`` where ``total`` is a lower bound, else null; ``approximation``:
          the claim's own words for the size of its figure ("about", "more"), one per row: in
          ``casualty_reports`` the words of its casualties figure stand beside its captured
          figure too;
        - ``previous_total``: the series' total in the report before (null for its first);
        - ``change``: ``total - previous_total``, the per-report figure, DERIVED (null for the
          first report of a series); ``days``: days since the report before;
        - ``revision``: True where the total is lower than the one before (kept as reported,
          marked, not hidden);
        - ``adjustments``: the sum of ``loss_adjustments.change`` listed for the category (for
          ``casualties``: ``personnel``) on that date, null where none is listed;
        - ``claim_id`` (the row's primary key: ``report_id`` in ``casualty_reports``) and
          ``update_id``: the claim the total is, and the report that states it.

    Raises
    ------
    ValueError
        For a table without running totals, an unknown measure, or a category asked of a
        table without categories.

    Examples
    --------
    >>> import conflictdata as cd
    >>> tanks = cd.daily("equipment_losses", category="tank")
    >>> list(tanks.columns)[:7]
    ['claimant_id', 'category_id', 'measure', 'date', 'total', 'bound', 'approximation']
    >>> list(tanks.columns)[7:]
    ['previous_total', 'change', 'days', 'revision', 'adjustments', 'claim_id', 'update_id']
    >>> bool((tanks["change"] == tanks["total"] - tanks["previous_total"]).all())
    True
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    package = open_package_or_version(path, version)
    frame = daily_frame(package, table, category=category, measure=measure, claimant=claimant)
    if format == "polars":
        return frame
    arrow = frame.to_arrow()
    if format == "arrow":
        return arrow
    # large_string is how Polars hands text to Arrow; the nullable pandas types as load() gives them
    import pyarrow as pa

    from .schema import pandas_types

    mapping: dict[Any, Any] = dict(pandas_types())
    mapping[pa.large_string()] = mapping[pa.string()]
    return arrow.to_pandas(types_mapper=mapping.get)


def daily_frame(package: Package, table: str, *, category: str | None = None, measure: str | None = None,
                claimant: str | None = None) -> pl.DataFrame:
    """:func:`daily` on an opened package, as a Polars DataFrame."""
    import polars as pl

    schema = TableSchema.from_dict(package.resource(table).schema)
    missing = {"figure_kind", "event_end", CLAIMANT} - set(schema.names)
    if missing:
        raise ValueError(f"{table} has no running totals (no {', '.join(sorted(missing))} field)")
    measures = schema.measures()
    if measure is not None and measure not in measures:
        raise ValueError(f"{table} has no measure {measure!r}; its measures: {', '.join(measures)}")
    has_category = CATEGORY in schema.names
    if category is not None and not has_category:
        raise ValueError(f"{table} has no categories; category= is for tables with {CATEGORY}")
    if category is not None and "loss_categories" in package.resources:
        known = cast("pl.DataFrame", pl.from_arrow(load_arrow(package, "loss_categories")))[CATEGORY].to_list()
        if category not in known:
            raise ValueError(f"unknown loss category {category!r}; the categories: {', '.join(known)}")
    key = schema.primary_key[0] if len(schema.primary_key) == 1 else None

    rows = cast("pl.DataFrame", pl.from_arrow(load_arrow(package, table)))
    rows = rows.filter(pl.col("figure_kind").cast(pl.String) == RUNNING_TOTAL)
    if claimant is not None:
        rows = rows.filter(pl.col(CLAIMANT) == claimant)
    if category is not None:
        rows = rows.filter(pl.col(CATEGORY) == category)

    parts = []
    for m in [measure] if measure is not None else measures:
        low, _ = schema.bounds(m)
        best = pl.col(m)
        lower = pl.col(low) if low else pl.lit(None, pl.Int64)
        parts.append(rows.select(
            pl.col(CLAIMANT).cast(pl.String).alias("claimant_id"),
            (pl.col(CATEGORY).cast(pl.String) if has_category else pl.lit(None, pl.String)).alias("category_id"),
            pl.lit(m, pl.String).alias("measure"),
            pl.col("event_end").alias("date"),
            pl.coalesce(best, lower).cast(pl.Int64).alias("total"),
            pl.when(best.is_null() & lower.is_not_null()).then(pl.lit("low")).otherwise(None)
            .cast(pl.String).alias("bound"),
            (pl.col("approximation").cast(pl.String) if "approximation" in schema.names
             else pl.lit(None, pl.String)).alias("approximation"),
            (pl.col(key).cast(pl.String) if key else pl.lit(None, pl.String)).alias("claim_id"),
            pl.col("update_id").cast(pl.String).alias("update_id"),
        ).filter(pl.col("total").is_not_null()))
    frame = pl.concat(parts) if parts else pl.DataFrame(
        schema={"claimant_id": pl.String, "category_id": pl.String, "measure": pl.String, "date": pl.Date,
                "total": pl.Int64, "bound": pl.String, "approximation": pl.String, "claim_id": pl.String,
                "update_id": pl.String})

    series = ["claimant_id", "category_id", "measure"]
    frame = frame.sort([*series, "date", "claim_id"], nulls_last=True)
    previous = pl.col("total").shift(1).over(series)
    frame = frame.with_columns(
        previous.alias("previous_total"),
        (pl.col("total") - previous).alias("change"),
        (pl.col("date") - pl.col("date").shift(1).over(series)).dt.total_days().cast(pl.Int64).alias("days"),
        (pl.col("total") < previous).fill_null(False).alias("revision"),
    )
    frame = frame.with_columns(_adjusted_category(frame, has_category).alias("_adjusted"))
    adjustments = _adjustments(package)
    frame = frame.join(adjustments, left_on=["_adjusted", "date"], right_on=["category_id", "adjusted_on"],
                       how="left", nulls_equal=False).drop("_adjusted")
    return frame.select(COLUMNS)


def _adjusted_category(frame: pl.DataFrame, has_category: bool) -> pl.Expr:
    import polars as pl

    if has_category:
        return pl.col("category_id")
    return pl.col("measure").replace_strict(MEASURE_CATEGORY, default=None, return_dtype=pl.String)


def _adjustments(package: Package) -> pl.DataFrame:
    """Sum of the listed changes per category and date (an empty frame without the table)."""
    import polars as pl

    empty = pl.DataFrame(schema={"category_id": pl.String, "adjusted_on": pl.Date, "adjustments": pl.Int64})
    if ADJUSTMENTS not in package.resources:
        return empty
    adj = cast("pl.DataFrame", pl.from_arrow(load_arrow(package, ADJUSTMENTS)))
    if not {"category_id", "adjusted_on", "change"} <= set(adj.columns):
        return empty
    return (adj.group_by(pl.col("category_id").cast(pl.String), "adjusted_on")
            .agg(pl.col("change").sum().cast(pl.Int64).alias("adjustments")))
