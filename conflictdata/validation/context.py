"""Columns a rule needs from another table, added to the table it checks.

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


def enrich(tables: dict, schemas: dict[str, TableSchema] | None = None) -> dict:
    """Return the tables with their context columns added (null where the lookup fails)."""
    return {name: enrich_table(frame, lookups(name, tables)) for name, frame in tables.items()}


def lookups(name: str, tables: dict) -> list[tuple]:
    """For table ``name``: (context column, key field, frame of key and value) for each lookup."""
    import polars as pl

    out = []
    for column, fk, target, key, value in LOOKUPS.get(name, ()):
        if target in tables and {key, value} <= set(tables[target].columns):
            frame = (tables[target].select(pl.col(key).alias(fk), pl.col(value).alias(column))
                     .drop_nulls(fk).unique(fk, keep="first"))
        else:
            frame = None
        out.append((column, fk, frame))
    return out


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


def fold_lookups(name: str, refs: list, tables: dict) -> list[tuple]:
    """Put each lookup of ``name`` onto the foreign-key join that already reads its key.

    Returns the lookups that found no such join (they get a join of their own).
    """
    import polars as pl

    rest = []
    for item in lookups(name, tables):
        column, fk, lookup = item
        ref = next((r for r in refs if r.frame is not None and tuple(r.fk.fields) == (fk,)
                    and next(t for c, f, t, k, v in LOOKUPS[name] if c == column) == r.target), None)
        if ref is None or lookup is None:
            rest.append(item)
            continue
        ref.frame = ref.frame.join(lookup.with_columns(pl.col(fk).cast(pl.String)), on=fk, how="left",
                                   maintain_order="left")
    return rest


def lookup_targets(name: str) -> set[str]:
    return {target for _, _, target, _, _ in LOOKUPS.get(name, ())}
