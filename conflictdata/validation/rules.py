"""Semantic rules: what the Table Schemas cannot say, written once as Polars expressions.

Each rule has a stable kebab-case code and a one-line description, and yields *targets*:
a field of a table and an expression that is true on the rows that break the rule. The
Polars engine (:mod:`conflictdata.validation.engine`) evaluates the expressions directly;
:mod:`conflictdata.validation.pandera_schemas` wraps the very same expressions as Pandera
checks, so users read and extend the rules in Pandera without a rule being written twice.

Rules read field names and bounds from the Table Schemas wherever they can (the outcomes of
a munitions claim are its non-negative integer fields, the bounds of a figure are the fields
named ``<figure>_low``/``<figure>_high``), so a field added to a schema is covered at once.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..catalogue import Check, register
from ..report import ERROR, WARNING
from ..schema import TableSchema
from .structure import may_repeat


@dataclass(frozen=True)
class Target:
    """Where a rule looks: one field of one table, and the rows that break it."""

    field: str | None
    violation: Callable  # (frame: polars.DataFrame) -> polars.Expr, true where broken
    message: Callable[[dict], str]  # (row with __line__, value and extra columns) -> text
    extra: tuple = ()
    value_of: str | None = None
    # Set for a target that compares rows with each other (duplicates, loops): the columns it
    # reads. The engine gathers them from every batch and runs the target once, at the end.
    across_rows: tuple[str, ...] | None = None
    # Columns computed from each batch and gathered in place of wide ones (e.g. a 64-bit hash
    # of the eight fields that identify a claim), named as the violation reads them.
    digests: tuple = ()


@dataclass(frozen=True)
class Rule:
    code: str
    description: str
    targets: Callable[[str, TableSchema, dict], Iterator[Target]]  # (table, schema, options)
    severity: str = ERROR
    tables: str = "any table"


RULES: list[Rule] = []


def rule(code: str, description: str, severity: str = ERROR, tables: str = "any table"):
    """Register a rule, in :data:`RULES` and in the catalogue; the decorated function yields its Targets."""

    def register_rule(fn):
        RULES.append(Rule(code, description, fn, severity, tables))
        names = () if tables == "any table" else tuple(t.strip() for t in tables.split(","))
        register(Check(code, description, "semantic", severity, names))
        return fn

    return register_rule


def _col(name):
    import polars as pl

    return pl.col(name)


def counts(schema: TableSchema) -> list[str]:
    """Integer fields that count things (minimum 0)."""
    return [f.name for f in schema.fields if f.type == "integer" and f.constraints.get("minimum") == 0]


def figures(schema: TableSchema) -> list[str]:
    """Fields with a ``_low`` and/or ``_high`` bound beside them."""
    names = set(schema.names)
    return [n for n in counts(schema) if f"{n}_low" in names or f"{n}_high" in names]


def outcomes(schema: TableSchema) -> list[str]:
    """What happened to launched munitions: every count except launched and the bounds."""
    bounds = {f"{n}_{s}" for n in figures(schema) for s in ("low", "high")}
    return [n for n in counts(schema) if n != "launched" and n not in bounds]


def free_text(schema: TableSchema) -> list[str]:
    """String fields without a pattern or enum: the ones people type prose into."""
    return [f.name for f in schema.fields
            if f.type == "string" and "pattern" not in f.constraints and "enum" not in f.constraints]


def _dates(schema: TableSchema) -> list[str]:
    return [f.name for f in schema.fields if f.type in ("date", "datetime")]


def _as_date(name: str):
    import polars as pl

    return _col(name).cast(pl.Date)


# --- munitions -------------------------------------------------------------------------

@rule("outcome-exceeds-launched", "intercepted, hit, lost, returned and every other outcome are each <= launched",
      tables="munitions")
def _outcome_exceeds_launched(table, schema, opts):
    if "launched" not in schema.names:
        return
    for name in outcomes(schema):
        yield Target(name, lambda fr, n=name: _col(n) > _col("launched"),
                     lambda r, n=name: f"{n} is {r['value']} but only {r['launched']} were launched",
                     extra=("launched",))


@rule("outcomes-sum-exceeds-launched", "the outcomes a claim gives add up to no more than launched",
      tables="munitions")
def _outcomes_sum(table, schema, opts):
    import polars as pl

    names = outcomes(schema)
    if "launched" not in schema.names or len(names) < 2:
        return
    total = pl.sum_horizontal([_col(n).fill_null(0) for n in names])
    given = pl.sum_horizontal([_col(n).is_not_null().cast(pl.Int32) for n in names])
    yield Target("launched", lambda fr: (given >= 2) & (total > _col("launched")),
                 lambda r: f"the outcomes ({', '.join(f'{n} {r[n]}' for n in names if r[n] is not None)}) "
                           f"add up to more than launched ({r['value']})",
                 extra=tuple(names))


# --- bounds and order ------------------------------------------------------------------

@rule("bounds-order", "a figure's low bound <= its best figure <= its high bound, and low <= high",
      tables="munitions, casualty_reports")
def _bounds(table, schema, opts):
    names = set(schema.names)
    for fig in figures(schema):
        lo, hi = f"{fig}_low", f"{fig}_high"
        if lo in names:
            yield Target(lo, lambda fr, lo=lo, fig=fig: _col(lo) > _col(fig),
                         lambda r, lo=lo, fig=fig: f"{lo} ({r['value']}) is above {fig} ({r[fig]})", extra=(fig,))
        if hi in names:
            yield Target(hi, lambda fr, hi=hi, fig=fig: _col(hi) < _col(fig),
                         lambda r, hi=hi, fig=fig: f"{hi} ({r['value']}) is below {fig} ({r[fig]})", extra=(fig,))
        if lo in names and hi in names:
            yield Target(hi, lambda fr, lo=lo, hi=hi: _col(hi) < _col(lo),
                         lambda r, lo=lo, hi=hi: f"{hi} ({r['value']}) is below {lo} ({r[lo]})", extra=(lo,))


@rule("start-after-end", "a window or event starts on or before it ends (window_start <= window_end, "
      "event_start <= event_end)", tables="munitions, casualty_reports")
def _start_end(table, schema, opts):
    names = schema.names
    for start in names:
        if start.endswith("_start") and (end := start[: -len("_start")] + "_end") in names:
            yield Target(start, lambda fr, s=start, e=end: _col(s) > _col(e),
                         lambda r, s=start, e=end: f"{s} ({r['value']}) is after {e} ({r[e]})", extra=(end,))


# --- time ------------------------------------------------------------------------------

@rule("event-after-update", "an event starts on or before the date of the update that reports it",
      tables="munitions, casualty_reports")
def _event_after_update(table, schema, opts):
    start = next((n for n in schema.names if n.endswith("_start")), None)
    if start is None or "update_id" not in schema.names:
        return
    yield Target(start, lambda fr, s=start: _as_date(s) > _col("__update_date"),
                 lambda r, s=start: f"{s} ({r['value']}) is after the date ({r['__update_date']}) of update "
                                    f"{r['update_id']!r} in the table 'updates' that reports it",
                 extra=("__update_date", "update_id"))


@rule("dated-after-retrieval", "an update (and a source) is not dated after its source was retrieved",
      tables="updates, sources")
def _after_retrieval(table, schema, opts):
    if table == "updates" and "published_date" in schema.names:
        yield Target("published_date", lambda fr: _col("published_date") > _col("__retrieved_date"),
                     lambda r: f"published_date ({r['value']}) is after its source {r['source_id']!r} in the "
                               f"table 'sources' was retrieved ({r['__retrieved_date']})",
                     extra=("__retrieved_date", "source_id"))
    if table == "sources" and {"published_date", "retrieved_date"} <= set(schema.names):
        yield Target("published_date", lambda fr: _col("published_date") > _col("retrieved_date"),
                     lambda r: f"published_date ({r['value']}) is after retrieved_date ({r['retrieved_date']})",
                     extra=("retrieved_date",))


@rule("date-in-future", "nothing is dated after today")
def _future(table, schema, opts):
    today = opts.get("today") or _dt.date.today()
    for name in _dates(schema):
        yield Target(name, lambda fr, n=name: _as_date(n) > today,
                     lambda r, n=name: f"{n} ({r['value']}) is after today ({today.isoformat()})")


# --- hierarchies and catalogues ----------------------------------------------------------

@rule("parent-cycle", "a parent chain (actors, places) never loops back on itself", tables="actors, places")
def _parent_cycle(table, schema, opts):
    for fk in schema.foreign_keys:
        if fk.resource in ("", table) and len(fk.fields) == 1:
            child, key = fk.fields[0], fk.reference_fields[0]
            yield Target(child, lambda fr, c=child, k=key: _col(k).is_in(_in_cycles(fr, k, c)),
                         lambda r, c=child, k=key: f"{k} {r[k]!r} is its own ancestor: following {c} loops back "
                                                   f"to it", extra=(key,), across_rows=(key, child))


def _in_cycles(frame, key: str, parent: str) -> list[str]:
    """Ids on a loop of the parent graph: walk each chain once, colouring as we go."""
    graph = {k: p for k, p in frame.select(key, parent).iter_rows() if k is not None and p is not None}
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = finished
    looped: list[str] = []
    for start in graph:
        walk, node = [], start
        while node in graph and node not in state:
            state[node] = 1
            walk.append(node)
            node = graph[node]
        if state.get(node) == 1:  # came back to this walk: the loop is the tail from node
            looped.extend(walk[walk.index(node):])
        for n in walk:
            state[n] = 2
    return looped


@rule("group-member-unknown", "a group's members are munition types the catalogue has, and not the group itself",
      tables="munition_types")
def _members(table, schema, opts):
    if "members" not in schema.names or not schema.primary_key:
        return
    key = schema.primary_key[0]

    def violation(fr, key=key):
        import polars as pl

        ids = fr.get_column(key).drop_nulls().implode()
        members = _col("members").str.split("|")
        unknown = members.list.eval(~pl.element().is_in(ids.first())).list.any()
        return unknown | members.list.contains(_col(key))

    yield Target("members", violation,
                 lambda r: f"members {r['value']!r} names an id that is not in munition_types (or the group itself)",
                 across_rows=(key, "members"))


# --- duplicates ------------------------------------------------------------------------

CLAIM_KEYS = {
    "munitions": ("update_id", "claimant_id", "attacker_id", "munition_type_id", "window_start", "window_end",
                  "launch_place_id", "target_place_id"),
    "casualty_reports": ("update_id", "claimant_id", "event_start", "event_end", "place_id", "perpetrator_id",
                         "victim_actor_id", "victim_group", "victim_country"),
}


@rule("duplicate-claim", "the same claimant making the same claim about the same attack in the same update "
      "is one row, not two", tables="munitions, casualty_reports")
def _duplicate(table, schema, opts):
    import polars as pl

    keys = [k for k in CLAIM_KEYS.get(table, ()) if k in schema.names]
    if not keys:
        return
    # Claims are compared by a 64-bit hash of their fields, so that ten million of them fit
    # in memory; two different claims share a hash with odds of about n^2 / 2^65.
    claim = pl.col("__claim")
    yield Target(schema.primary_key[0],
                 lambda fr: ~claim.is_first_distinct() if may_repeat(fr, {"claim": claim}) else pl.lit(False),
                 lambda r: f"{r['value']!r} repeats the claim on line {r['__first__']} (same "
                           f"{', '.join(keys)}); keep one row",
                 extra=(pl.col("__line__").min().over(claim).alias("__first__"),),
                 across_rows=(schema.primary_key[0],),
                 digests=(pl.struct(keys).hash(seed=0).alias("__claim"),))


# --- text hygiene ------------------------------------------------------------------------

_CONTROL = r"[\x00-\x09\x0B-\x1F\x7F-\x9F]"  # every C0/C1 control but the line feed


@rule("text-whitespace", "free text has no leading or trailing white space")
def _whitespace(table, schema, opts):
    for name in free_text(schema):
        yield Target(name, lambda fr, n=name: _col(n) != _col(n).str.strip_chars(),
                     lambda r, n=name: f"{n} starts or ends with white space: {r['value']!r}")


@rule("text-control-character", "free text holds no control characters (tabs, carriage returns, escapes)")
def _control(table, schema, opts):
    for name in free_text(schema):
        yield Target(name, lambda fr, n=name: _col(n).str.contains(_CONTROL),
                     lambda r, n=name: f"{n} holds a control character: {r['value']!r}")


@rule("text-not-nfc", "free text is Unicode in NFC (composed) form")
def _nfc(table, schema, opts):
    for name in free_text(schema):
        yield Target(name, lambda fr, n=name: _not_nfc(_col(n)),
                     lambda r, n=name: f"{n} is not in Unicode NFC form; re-save it composed: {r['value']!r}")


def _not_nfc(text):
    """True where ``text`` changes under NFC normalisation.

    ASCII is always NFC, so only the (few) other rows are normalised: Polars evaluates both
    branches of a ``when``, but string functions pass over nulls for free.
    """
    import polars as pl

    other = pl.when(text.str.len_chars() != text.str.len_bytes()).then(text)
    return other != other.str.normalize("NFC")


@rule("text-formula", "no cell starts with =, +, - or @, which a spreadsheet would run as a formula")
def _formula(table, schema, opts):
    for name in free_text(schema):
        yield Target(name, lambda fr, n=name: _col(n).str.contains(r"^[=+\-@]"),
                     lambda r, n=name: f"{n} starts with {r['value'][:1]!r}, which a spreadsheet would run as a "
                                       f"formula: {r['value']!r}")


# --- places ------------------------------------------------------------------------------

@cache
def country_extents() -> dict[str, list[list[float]]]:
    path = Path(__file__).resolve().parent.parent / "reference" / "country_extents.json"
    return {k: v for k, v in json.loads(path.read_text()).items() if not k.startswith("_")}


@rule("coordinates-outside-country", "a place's coordinates lie inside the country it names (where the package "
      "knows that country's extent)", tables="places")
def _outside(table, schema, opts):
    import polars as pl

    if not {"latitude", "longitude", "country"} <= set(schema.names):
        return
    inside = []
    known = list(country_extents())
    for code, boxes in country_extents().items():
        for lat0, lat1, lon0, lon1 in boxes:
            inside.append((_col("country") == code) & _col("latitude").is_between(lat0, lat1)
                          & _col("longitude").is_between(lon0, lon1))
    located = _col("latitude").is_not_null() & _col("longitude").is_not_null() & _col("country").is_in(known)
    yield Target("latitude", lambda fr: located & ~pl.any_horizontal(inside),
                 lambda r: f"({r['value']}, {r['longitude']}) lies outside {r['country']}",
                 extra=("longitude", "country"))


# --- warnings: possible, but worth a second look -----------------------------------------

@rule("quote-missing", "a claim quotes its source (warning)", severity=WARNING, tables="munitions, casualty_reports")
def _quote(table, schema, opts):
    if "quote" in schema.names and "claimant_id" in schema.names:
        yield Target("quote", lambda fr: _col("quote").is_null(),
                     lambda r: "the claim has no quote from its source; add a short one")


LARGE_COUNT = 2000


@rule("count-unusually-large", f"a single claim counts no more than {LARGE_COUNT} (warning: possible, but check it)",
      severity=WARNING, tables="munitions, casualty_reports")
def _large(table, schema, opts):
    if "claimant_id" not in schema.names:
        return
    for name in counts(schema):
        yield Target(name, lambda fr, n=name: _col(n) > LARGE_COUNT,
                     lambda r, n=name: f"{n} is {r['value']}, unusually large for one claim; check the source")


def targets_for(table: str, schema: TableSchema, options: dict | None = None) -> Iterator[tuple[Rule, Target]]:
    """Every (rule, target) that applies to ``table``."""
    for r in RULES:
        for t in r.targets(table, schema, options or {}):
            yield r, t
