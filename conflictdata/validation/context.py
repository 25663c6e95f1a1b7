"""Columns a rule needs from another table, added to the table it checks.

Cross-table rules stay one-table expressions this way: a claim carries its update's date
as ``__update_date``, an update its source's retrieval date as ``__retrieved_date``. The
same enriched frames feed the Polars engine and the Pandera schemas.
"""

from __future__ import annotations

from ..schema import TableSchema
from .structure import sorted_distinct

# table -> (context column, foreign key field, referenced table, referenced key, referenced value)
LOOKUPS: dict[str, tuple[tuple[str, str, str, str, str], ...]] = {
    "munitions": (("__update_date", "update_id", "updates", "update_id", "published_date"),),
    "casualty_reports": (("__update_date", "update_id", "updates", "update_id", "published_date"),),
    "updates": (("__retrieved_date", "source_id", "sources", "source_id", "retrieved_date"),),
}


def enrich(tables: dict, schemas: dict[str, TableSchema] | None = None) -> dict:
    """Return the tables with their context columns added (null where the lookup fails)."""
    return {name: enrich_table(frame, lookups(name, tables)) for name, frame in tables.items()}


def lookups(name: str, tables: dict) -> list[tuple]:
    """For table ``name``: (context column, key field, frame of key and value) for each lookup."""
    out = []
    for spec in LOOKUPS.get(name, ()):
        pairs = _pairs(spec, tables)
        out.append((spec[0], spec[1], None if pairs is None else pairs.unique(spec[1], keep="first")))
    return out


def _pairs(spec: tuple, tables: dict):
    """Key and value (keys maybe repeated) for one entry of :data:`LOOKUPS`; None without its table."""
    import polars as pl

    column, fk, target, key, value = spec
    if target not in tables or not {key, value} <= set(tables[target].columns):
        return None
    return tables[target].select(pl.col(key).alias(fk), pl.col(value).alias(column)).drop_nulls(fk)


def enrich_table(frame, prepared: list[tuple]):
    """``frame`` (a batch of one table) with the context columns of :func:`lookups` added.

    A left join of the key column alone: no other column is copied.
    """
    import polars as pl

    columns = []
    for column, fk, lookup in prepared:
        if fk not in frame.columns:
            continue
        if lookup is None:
            columns.append(pl.lit(None, dtype=pl.Date).alias(column))
        else:
            joined = frame.select(fk).join(lookup, on=fk, how="left", maintain_order="left")
            columns.append(joined.get_column(column))
    return frame.with_columns(columns) if columns else frame


def fold_lookups(name: str, refs: list, tables: dict, memo: dict | None = None) -> list[tuple]:
    """Put each lookup of ``name`` onto the foreign-key join that already reads its key.

    Returns the lookups that found no such join (they get a join of their own). ``memo``
    (a dict kept for one validation) shares the joined frames between tables.
    """
    import polars as pl

    memo = {} if memo is None else memo
    rest = []
    for spec in LOOKUPS.get(name, ()):
        column, fk, target = spec[:3]
        ref = next((r for r in refs if r.frame is not None and tuple(r.fk.fields) == (fk,) and r.target == target),
                   None)
        key = (ref.flag, tuple(ref.frame.columns), spec) if ref is not None else None
        if key not in memo:
            pairs = _pairs(spec, tables)
            if ref is None or pairs is None:
                rest.append((column, fk, None if pairs is None else pairs.unique(fk, keep="first")))
                continue
            # The first value of each key, as a join would take it, sorted as the reference is.
            lookup = sorted_distinct(pairs.with_columns(pl.col(fk).cast(pl.String)), fk)
            if lookup.get_column(fk).equals(ref.frame.get_column(fk)):  # the same keys, in the same order
                memo[key] = ref.frame.with_columns(lookup.get_column(column))
            else:
                memo[key] = ref.frame.join(lookup, on=fk, how="left", maintain_order="left")
        ref.frame = memo[key]
    return rest


def lookup_targets(name: str) -> set[str]:
    return {target for _, _, target, _, _ in LOOKUPS.get(name, ())}
