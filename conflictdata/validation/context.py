"""Columns a rule needs from another table, added to the table it checks.

Cross-table rules stay one-table expressions this way: a claim carries its update's date
as ``__update_date``, an update its source's retrieval date as ``__retrieved_date``. The
same enriched frames feed the Polars engine and the Pandera schemas. A lookup is a hash
map from key to value (``replace_strict``), not a join, so no other column is copied.
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
        columns = []
        for column, fk, target, key, value in lookups:
            if fk not in tables[name].columns:
                continue
            if target in tables and {key, value} <= set(tables[target].columns):
                lookup = tables[target].select(key, value).drop_nulls(key).unique(key, keep="first")
                columns.append(pl.col(fk).replace_strict(lookup.get_column(key), lookup.get_column(value),
                                                         default=None, return_dtype=lookup.schema[value])
                               .alias(column))
            else:
                columns.append(pl.lit(None, dtype=pl.Date).alias(column))
        out[name] = tables[name].with_columns(columns)
    return out
