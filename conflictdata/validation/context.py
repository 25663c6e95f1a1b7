"""Columns a rule needs from another table, joined onto the table it checks.

Cross-table rules stay one-table expressions this way: a claim carries its update's date
as ``__update_date``, an update its source's retrieval date as ``__retrieved_date``. The
same enriched frames feed the Polars engine and the Pandera schemas.
"""

from __future__ import annotations

from ..schema import TableSchema

# table -> (context column, foreign key field, referenced table, referenced key, referenced value)
LOOKUPS: dict[str, tuple[tuple[str, str, str, str, str], ...]] = {
    "munitions": (("__update_date", "update_id", "updates", "update_id", "published_date"),),
    "casualty_reports": (("__update_date", "update_id", "updates", "update_id", "published_date"),),
    "updates": (("__retrieved_date", "source_id", "sources", "source_id", "retrieved_date"),),
}


def enrich(tables: dict, schemas: dict[str, TableSchema]) -> dict:
    """Return the tables with their context columns added (null where the lookup fails)."""
    import polars as pl

    out = dict(tables)
    for name, lookups in LOOKUPS.items():
        if name not in tables:
            continue
        frame = tables[name]
        for column, fk, target, key, value in lookups:
            if fk not in frame.columns:
                continue
            if target in tables and {key, value} <= set(tables[target].columns):
                lookup = (tables[target].select(pl.col(key).cast(pl.String).alias(fk), pl.col(value).alias(column))
                          .drop_nulls(fk).unique(fk, keep="first"))
                frame = (frame.with_columns(pl.col(fk).cast(pl.String).alias("__key__"))
                         .join(lookup.rename({fk: "__key__"}), on="__key__", how="left", maintain_order="left")
                         .drop("__key__"))
            else:
                frame = frame.with_columns(pl.lit(None, dtype=pl.Date).alias(column))
        out[name] = frame
    return out
