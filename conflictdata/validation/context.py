"""Columns a rule needs from another table, added to the table it checks.

Cross-table rules stay one-table expressions this way: a claim carries its update's date
as ``__update_date``, an update its source's retrieval date as ``__retrieved_date``. The
same enriched frames feed the Polars engine and the Pandera schemas.
"""

from __future__ import annotations

from ..schema import TableSchema
from .structure import sorted_distinct

# A value no table stores: the top of a row's parent chain (the key of the row reached by
# following its table's one self-reference to the end), e.g. the state an actor belongs to:
# the Ukrainian Air Force's is 'ukraine'. A row without a parent is its own root.
ROOT = "__root"

# How many rows of other tables point at a row by foreign key: the engine counts them after
# every table is read, for the rules that ask (an event no claim points at).
REFERRERS = "__referrers"

# table -> (context column, foreign key field, value in the referenced row). The table and key
# the value is read from are the schema's foreign key on that field (:func:`specs`), so no key
# is declared twice. A value may itself be a context column of the referenced table: a claim's
# ``__retrieved_date`` is its update's, which is that update's source's (two hops).
_CLAIM = (("__update_date", "update_id", "published_date"),
          ("__retrieved_date", "update_id", "__retrieved_date"),
          ("__claimant_side", "claimant_id", ROOT),
          ("__event_start", "event_id", "window_start"),
          ("__event_end", "event_id", "window_end"),
          ("__event_attacker", "event_id", "attacker_id"),
          ("__event_attacker_side", "event_id", "__attacker_side"))
LOOKUPS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "munitions": (*_CLAIM, ("__attacker_side", "attacker_id", ROOT)),
    "casualty_reports": (*_CLAIM, ("__attacker_side", "perpetrator_id", ROOT)),
    "damage_reports": (*_CLAIM, ("__attacker_side", "perpetrator_id", ROOT)),
    "equipment_losses": _CLAIM[:3],  # no event: a running total is about no one incident
    "events": (("__attacker_side", "attacker_id", ROOT),),
    "updates": (("__retrieved_date", "source_id", "retrieved_date"),
                ("__source_published_date", "source_id", "published_date"),
                ("__source_kind", "source_id", "kind")),
}


def lookup_key(table: str, column: str) -> str | None:
    """The key field a context column of ``table`` is looked up by (``attacker_id`` for ``__attacker_side``).

    Examples
    --------
    >>> lookup_key("casualty_reports", "__attacker_side"), lookup_key("sources", "__attacker_side")
    ('perpetrator_id', None)
    """
    return next((spec[1] for spec in LOOKUPS.get(table, ()) if spec[0] == column), None)


def specs(name: str, schemas: dict[str, TableSchema]) -> list[tuple]:
    """The lookups of table ``name``: (context column, key field, table, key, value) each.

    Table and key come from the schema's foreign key on the key field; without one (a schema
    that has dropped it) they are None, and the context column stays empty.
    """
    out = []
    for column, fk, value in LOOKUPS.get(name, ()):
        key = next((k for k in schemas[name].foreign_keys if k.fields == (fk,)), None) if name in schemas else None
        target = None if key is None else key.resource or name
        out.append((column, fk, target, None if key is None else key.reference_fields[0], value))
    return out


def enrich(tables: dict, schemas: dict[str, TableSchema]) -> dict:
    """Return the tables with their context columns added (null where the lookup fails)."""
    return {name: enrich_table(frame, lookups(name, tables, schemas)) for name, frame in tables.items()}


def lookups(name: str, tables: dict, schemas: dict[str, TableSchema]) -> list[tuple]:
    """For table ``name``: (context column, key field, frame of key and value) for each lookup."""
    out = []
    for spec in specs(name, schemas):
        pairs = _pairs(spec, tables, schemas)
        out.append((spec[0], spec[1], None if pairs is None else pairs.unique(spec[1], keep="first")))
    return out


def _pairs(spec: tuple, tables: dict, schemas: dict[str, TableSchema]):
    """Key and value (keys maybe repeated) for one lookup of :func:`specs`; None without its table."""
    import polars as pl

    column, fk, target, key, value = spec
    if target not in tables:
        return None
    frame = tables[target]
    if value == ROOT and target in schemas:
        frame = with_root(frame, schemas[target])
    hop = next((s for s in specs(target, schemas) if s[0] == value), None)
    if value not in frame.columns and hop is not None and {key, hop[1]} <= set(frame.columns):
        # The value is a context column of the referenced table: look it up there first, on
        # the key columns alone (the tables given are typed, without context columns).
        pairs = _pairs(hop, tables, schemas)
        frame = enrich_table(frame.select(list(dict.fromkeys((key, hop[1])))),
                             [(hop[0], hop[1], None if pairs is None else pairs.unique(hop[1], keep="first"))])
    if not {key, value} <= set(frame.columns):
        return None
    return frame.select(pl.col(key).alias(fk), pl.col(value).alias(column)).drop_nulls(fk)


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


def fold_lookups(name: str, refs: list, tables: dict, schemas: dict[str, TableSchema],
                 memo: dict | None = None) -> list[tuple]:
    """Put each lookup of ``name`` onto the foreign-key join that already reads its key.

    Returns the lookups that found no such join (they get a join of their own). ``memo``
    (a dict kept for one validation) shares the joined frames between tables.
    """
    import polars as pl

    memo = {} if memo is None else memo
    rest = []
    for spec in specs(name, schemas):
        column, fk, target = spec[:3]
        ref = next((r for r in refs if r.frame is not None and tuple(r.fk.fields) == (fk,) and r.target == target),
                   None)
        key = (ref.flag, tuple(ref.frame.columns), spec) if ref is not None else None
        if key not in memo:
            pairs = _pairs(spec, tables, schemas)
            if ref is None or pairs is None:
                rest.append((column, fk, None if pairs is None else pairs.unique(fk, keep="first")))
                continue
            # The first value of each key, as a join would take it, sorted as the reference is.
            lookup = sorted_distinct(pairs.with_columns(pl.col(fk).cast(pl.String)), fk)
            if lookup.get_column(fk).equals(ref.frame.get_column(fk)):  # the same keys, in the same order
                memo[key] = ref.frame.with_columns(lookup.get_column(column))
            else:
                memo[key] = ref.frame.join(lookup, on=fk, how="left", maintain_order="left")
        assert ref is not None  # a key is memoised only with its ref (key None is never in memo)
        ref.frame = memo[key]
    return rest


def with_root(frame, schema: TableSchema):
    """``frame`` with :data:`ROOT`: the key at the top of each row's parent chain.

    The chain is the schema's one single-field self-reference (``parent_id``); a table
    without one is returned unchanged. A row on a loop (the parent-cycle rule's fault) or
    whose chain breaks off at an unknown key has no root (null).

    Examples
    --------
    >>> import polars as pl
    >>> from conflictdata.schema import TableSchema
    >>> schema = TableSchema.from_dict({"fields": [{"name": "actor_id"}, {"name": "parent_id"}],
    ...     "foreignKeys": [{"fields": "parent_id", "reference": {"resource": "", "fields": "actor_id"}}]})
    >>> frame = pl.DataFrame({"actor_id": ["ukraine", "afu", "air-force"], "parent_id": [None, "ukraine", "afu"]})
    >>> with_root(frame, schema).get_column(ROOT).to_list()
    ['ukraine', 'ukraine', 'ukraine']
    """
    import polars as pl

    fk = next((k for k in schema.foreign_keys if k.resource == "" and len(k.fields) == 1), None)
    if fk is None or not {fk.fields[0], fk.reference_fields[0]} <= set(frame.columns):
        return frame
    key, parent = fk.reference_fields[0], fk.fields[0]
    graph = {k: p for k, p in frame.select(key, parent).iter_rows() if k is not None}
    found: dict[str, str | None] = {}
    for start in graph:
        walk, node = [], start
        while node not in found:
            if node in walk or node not in graph:  # a loop, or a parent that is not in the table
                node = None
                break
            walk.append(node)
            if graph[node] is None:
                found[node] = node
                break
            node = graph[node]
        top = None if node is None else found[node]
        for n in walk:
            found[n] = top
    return frame.with_columns(pl.col(key).replace_strict(found, default=None, return_dtype=pl.String).alias(ROOT))
