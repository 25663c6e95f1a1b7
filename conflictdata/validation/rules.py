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
    # (frame) -> True when the target cannot find anything in it, known without reading the
    # rows (from the null counts Polars keeps, or the reader's ASCII mark): it is then skipped.
    clean: Callable | None = None


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


def _string():
    import polars as pl

    return pl.String


def all_ascii(frame) -> bool:
    """True when the reader marked ``frame`` as read from a block of ASCII only (no marks: False)."""
    from ..read import ASCII

    return ASCII in frame.columns and (frame.height == 0 or bool(frame.get_column(ASCII)[0]))


def all_null(*names: str):
    """A ``clean`` test: true on a frame where every one of ``names`` is empty (or absent)."""

    def clean(frame) -> bool:
        return all(n not in frame.columns or frame.get_column(n).null_count() == frame.height for n in names)

    return clean


def none_null(name: str):
    """A ``clean`` test: true on a frame where ``name`` has a value on every row."""
    return lambda frame: name in frame.columns and frame.get_column(name).null_count() == 0


def either(*tests):
    """A ``clean`` test that holds when any of ``tests`` does."""
    return lambda frame: any(t(frame) for t in tests)


def counts(schema: TableSchema) -> list[str]:
    """Integer fields that count things (minimum 0): :meth:`TableSchema.counts`."""
    return schema.counts()


def figures(schema: TableSchema) -> list[str]:
    """Measures with a ``_low`` and/or ``_high`` bound (itself a count) beside them."""
    return [n for n in schema.measures() if schema.bounds(n) != (None, None)]


def outcomes(schema: TableSchema) -> list[str]:
    """What happened to launched munitions: every measure (:meth:`TableSchema.measures`) except launched."""
    return [n for n in schema.measures() if n != "launched"]


def outcome_total(schema: TableSchema, names: list[str] | None = None):
    """The sum of a claim's outcomes (nulls as 0), a figure that combines others counted once.

    A field whose schema says ``combines`` (``neutralised``: intercepted and lost as one count)
    adds only what it holds beyond the parts the claim also gives.
    """
    import polars as pl

    names = outcomes(schema) if names is None else names
    terms = []
    for n in names:
        parts = [p for p in schema.field(n).combines if p in names]
        if parts:
            rest = _col(n).fill_null(0) - pl.sum_horizontal([_col(p).fill_null(0) for p in parts])
            terms.append(pl.max_horizontal(rest, pl.lit(0)))
        else:
            terms.append(_col(n).fill_null(0))
    return pl.sum_horizontal(terms)


def free_text(schema: TableSchema) -> list[str]:
    """String fields without a pattern or enum: the ones people type prose into."""
    return [f.name for f in schema.fields
            if f.type == "string" and "pattern" not in f.constraints and "enum" not in f.constraints]


def _dates(schema: TableSchema) -> list[str]:
    return [f.name for f in schema.fields if f.type in ("date", "datetime")]


def _as_date(name: str, schema: TableSchema):
    """The (local) day of a date or datetime field; of a window's end, its last day.

    A datetime window is half-open, so its end is the first moment after it: a window of the
    whole of 8 October ends at 2024-10-09T00:00:00, and its last day is the 8th.
    """
    import polars as pl

    if schema is None or name not in schema.names or schema.field(name).type != "datetime":
        return _col(name).cast(pl.Date)
    # dt.date is the day on the wall clock; a cast to Date would give the day in UTC.
    if name.endswith("_end"):
        return (_col(name) - pl.duration(microseconds=1)).dt.date()
    return _col(name).dt.date()


# --- munitions -------------------------------------------------------------------------

@rule("outcome-exceeds-launched", "intercepted, hit, lost, returned and every other outcome are each <= launched",
      tables="munitions")
def _outcome_exceeds_launched(table, schema, opts):
    if "launched" not in counts(schema):
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
    if "launched" not in counts(schema) or len(names) < 2:
        return
    total = outcome_total(schema, names)
    given = pl.sum_horizontal([_col(n).is_not_null().cast(pl.Int32) for n in names])
    yield Target("launched", lambda fr: (given >= 2) & (total > _col("launched")),
                 lambda r: f"the outcomes ({', '.join(f'{n} {r[n]}' for n in names if r[n] is not None)}) "
                           f"add up to more than launched ({r['value']})",
                 extra=tuple(names))


# An outcome or a sum of outcomes against the bounds of launched. Only what the two rules
# above and bounds-order cannot see: they hold best figures to launched, and each low bound
# to its best figure and launched to launched_high, so a best figure is compared with
# launched_high only where launched is empty, and a low bound only where its best figure is.
# A low bound above launched_low, or a high bound above launched, is loose, not impossible.

def _launched_at_most(row: dict, high: str | None) -> str:
    """How many a claim says were launched at most, in words, for a message."""
    if row.get("launched") is not None or high is None:
        return f"only {row.get('launched')} were launched"
    return f"at most {row[high]} were launched ({high})"


@rule("outcome-exceeds-launched-bound", "an outcome's figure, or its low bound where it gives no figure, is not "
      "above launched, nor above launched_high where launched is empty", tables="munitions")
def _outcome_exceeds_bound(table, schema, opts):
    import polars as pl

    names = set(counts(schema))  # only counts compare with launched (a schema may type one otherwise)
    if "launched" not in names:
        return
    high = "launched_high" if "launched_high" in names else None
    most = _col("launched") if high is None else pl.coalesce(_col("launched"), _col(high))
    hint = "; an outcome cannot exceed what was launched: check both against the source"
    for name in outcomes(schema):
        if high is not None:
            yield Target(name, lambda fr, n=name: _col("launched").is_null() & (_col(n) > _col(high)),
                         lambda r, n=name: f"{n} is {r['value']} but {_launched_at_most(r, high)}{hint}",
                         extra=("launched", high), clean=either(all_null(high), all_null(name), none_null("launched")))
        if (low := f"{name}_low") in names:
            yield Target(low, lambda fr, n=name, lo=low: _col(n).is_null() & (_col(lo) > most),
                         lambda r, lo=low: f"{lo} is {r['value']} but {_launched_at_most(r, high)}{hint}",
                         extra=tuple(c for c in ("launched", high) if c), clean=all_null(low))


@rule("outcomes-sum-exceeds-launched-bound", "the outcomes a claim gives, a low bound standing for an outcome "
      "without a figure, add up to no more than launched, nor launched_high where launched is empty",
      tables="munitions")
def _outcomes_sum_bound(table, schema, opts):
    import polars as pl

    names = set(counts(schema))
    # a combined figure (neutralised) overlaps its parts: left out here, where a low bound may stand for either
    outs = [n for n in outcomes(schema) if not schema.field(n).combines]
    if "launched" not in names or len(outs) < 2:
        return
    shown = [(n, f"{n}_low" if f"{n}_low" in names else None) for n in outs]
    # A low bound stands in for an outcome without a figure. Sums ignore nulls; and a row where
    # one term alone exceeds the bound, or the best figures do, is another rule's fault, so
    # "no term above the bound" replaces counting the terms given (fewer passes over the rows).
    stands = [pl.when(_col(n).is_null()).then(_col(lo)) for n, lo in shown if lo]
    best = pl.sum_horizontal([_col(n) for n in outs])
    added = pl.sum_horizontal(stands) if stands else pl.lit(0)
    launched = _col("launched")
    extra = tuple(c for pair in shown for c in pair if c)

    def message(r, bound):
        parts = [(n, r[n]) if r[n] is not None else (lo, r[lo]) for n, lo in shown
                 if r[n] is not None or (lo and r[lo] is not None)]
        return (f"the outcomes ({', '.join(f'{n} {v}' for n, v in parts)}) add up to {sum(int(v) for _, v in parts)}, "
                f"more than {bound} ({r['value']}); they cannot exceed what was launched: check them against "
                f"the source")

    def above(terms, bound):  # any term above the bound (any_horizontal: max_horizontal of nullable
        return pl.any_horizontal([(t > bound).fill_null(False) for t in terms])  # columns is 10x slower)

    if stands:
        used = pl.any_horizontal([s.is_not_null() for s in stands])
        # launched - added < best <= launched: the best figures alone stay within launched.
        yield Target("launched", lambda fr: used & best.is_between(launched - added, launched, closed="right")
                     & ~above(stands, launched), lambda r: message(r, "launched"), extra=extra,
                     clean=all_null(*(lo for _, lo in shown if lo)))
    if "launched_high" in names:
        high = _col("launched_high")
        yield Target("launched_high", lambda fr: launched.is_null() & (best + added > high)
                     & ~above([_col(n) for n in outs] + stands, high),
                     lambda r: message(r, "launched_high"), extra=("launched", *extra),
                     clean=either(all_null("launched_high"), none_null("launched")))


@rule("combined-below-parts", "a figure that combines others (neutralised: intercepted and lost as one count) is "
      "at least the parts the claim also gives", tables="munitions")
def _combined_below_parts(table, schema, opts):
    import polars as pl

    for f in schema.fields:
        parts = [p for p in f.combines if p in schema.names]
        if not parts:
            continue
        total = pl.sum_horizontal([_col(p).fill_null(0) for p in parts])
        yield Target(f.name, lambda fr, n=f.name, t=total: _col(n) < t,
                     lambda r, n=f.name, ps=tuple(parts): f"{n} is {r['value']} but its parts add up to more "
                     f"({', '.join(f'{p} {r[p]}' for p in ps if r[p] is not None)}): {n} counts them together",
                     extra=tuple(parts), clean=all_null(f.name))


# --- bounds and order ------------------------------------------------------------------

@rule("bounds-order", "a figure's low bound <= its best figure <= its high bound, and low <= high",
      tables="munitions, casualty_reports")
def _bounds(table, schema, opts):
    names = set(counts(schema))
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
      tables="munitions, casualty_reports, damage_reports, equipment_losses")
def _event_after_update(table, schema, opts):
    start = next((n for n in schema.names if n.endswith("_start")), None)
    if start is None or not _has_context(table, "__update_date"):
        return
    yield Target(start, lambda fr, s=start: _as_date(s, schema) > _col("__update_date"),
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
        yield Target(name, lambda fr, n=name: _as_date(n, schema) > today,
                     lambda r, n=name: f"{n} ({r['value']}) is after today ({today.isoformat()})")


def _has_context(table: str, column: str) -> bool:
    """Whether :data:`~conflictdata.validation.context.LOOKUPS` gives ``table`` the column ``column``."""
    from .context import LOOKUPS

    return any(spec[0] == column for spec in LOOKUPS.get(table, ()))


def _event_dates(schema: TableSchema, ends_only: bool = False) -> list[str]:
    """The date and datetime fields that bound a claim's window or event (``*_start``, ``*_end``)."""
    return [n for n in _dates(schema) if n.endswith("_end") or (not ends_only and n.endswith("_start"))]


@rule("event-end-after-update", "a window or event ends on or before the date of the update that reports it "
      "(an end given without a start too)", tables="munitions, casualty_reports, damage_reports, equipment_losses")
def _end_after_update(table, schema, opts):
    # No field says a window may be a forecast: an attack still going on when it was reported
    # (still_airborne) has no known end, which stays empty rather than guessed.
    if not _has_context(table, "__update_date"):
        return
    for name in _event_dates(schema, ends_only=True):
        yield Target(name, lambda fr, n=name: _as_date(n, schema) > _col("__update_date"),
                     lambda r, n=name: f"{n} ({r['value']}) is after the date ({r['__update_date']}) of update "
                                       f"{r['update_id']!r} in the table 'updates' that reports it: an event "
                                       f"cannot end after it was reported; leave {n} empty when the source does not "
                                       f"say when it ended", extra=("__update_date", "update_id"))


@rule("event-after-retrieval", "a claim in an update without a date is not dated after its source was retrieved "
      "(claim, update, source)", tables="munitions, casualty_reports")
def _event_after_retrieval(table, schema, opts):
    # Where the update has a date, the rules against that date (event-after-update,
    # event-end-after-update) and dated-after-retrieval (the update's own) say it already.
    if not (_has_context(table, "__update_date") and _has_context(table, "__retrieved_date")):
        return
    for name in _event_dates(schema):
        yield Target(name, lambda fr, n=name: _col("__update_date").is_null()
                     & (_as_date(n, schema) > _col("__retrieved_date")),
                     lambda r, n=name: f"{n} ({r['value']}) is after the source of update {r['update_id']!r} (which "
                                       f"has no date) was retrieved ({r['__retrieved_date']}): the copy read then "
                                       f"cannot report it; check {n} and the source's retrieved_date",
                     extra=("__retrieved_date", "update_id"),
                     clean=either(none_null("__update_date"), all_null("__retrieved_date"), all_null(name)))


@rule("update-before-source", "an update is not dated before the source it appears in was published (but for "
      "a dataset, which compiles earlier reports)", tables="updates")
def _update_before_source(table, schema, opts):
    if "published_date" not in schema.names or not _has_context(table, "__source_published_date"):
        return
    # A dataset at a pinned version is published after the daily reports it holds.
    compiled = _col("__source_kind").cast(_string()) == "dataset" if _has_context(table, "__source_kind") else False
    yield Target("published_date", lambda fr: (_col("published_date") < _col("__source_published_date")) & ~compiled,
                 lambda r: f"published_date ({r['value']}) is before its source {r['source_id']!r} in the table "
                           f"'sources' was published ({r['__source_published_date']}): an entry cannot appear "
                           f"before the document that holds it; check both dates",
                 extra=("__source_published_date", "source_id"))


# --- hierarchies and catalogues ----------------------------------------------------------

@rule("parent-cycle", "a parent chain (actors, places, a claim's supersedes) never loops back on itself",
      tables="actors, places, munitions, casualty_reports, damage_reports")
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


# --- qualifiers: a precision or a link reason goes with the field it describes ------------

def _qualifiers(schema: TableSchema) -> list[tuple[str, str]]:
    """(qualifier, qualified field) pairs: the fields whose schema says ``qualifies``."""
    return [(f.name, f.qualifies) for f in schema.fields if f.qualifies and f.qualifies in schema.names]


@rule("qualifier-without-value", "a qualifier (a precision, a link reason) is empty when the field it describes is",
      tables="munitions, casualty_reports, damage_reports, events")
def _qualifier_alone(table, schema, opts):
    for name, of in _qualifiers(schema):
        yield Target(name, lambda fr, n=name, o=of: _col(n).is_not_null() & _col(o).is_null(),
                     lambda r, n=name, o=of: f"{n} is {r['value']!r} but {o} is empty: {n} describes {o}; give "
                                             f"{o} or leave {n} empty", clean=all_null(name))


@rule("qualifier-missing", "a field with a qualifier (a place and its precision, an event link and its reason) "
      "has it (warning)", severity=WARNING, tables="munitions, casualty_reports, damage_reports, events")
def _qualifier_missing(table, schema, opts):
    for name, of in _qualifiers(schema):
        yield Target(name, lambda fr, n=name, o=of: _col(o).is_not_null() & _col(n).is_null(),
                     lambda r, n=name, o=of: f"{o} is {r[o]!s} but {n} is empty: say how {o} was read "
                                             f"({', '.join(map(str, schema.field(n).enum or ()))})",
                     extra=(of,), clean=either(all_null(of), none_null(name)))


# The moments a precision fixes: at 'day' a window falls on midnight, at 'hour' on the hour.
_GRID = {"day": ("hour", "minute", "second"), "hour": ("minute", "second"), "minute": ("second",)}


@rule("window-off-precision", "a window's ends fall on its precision: midnight for 'day', the hour for 'hour', "
      "the minute for 'minute'", tables="munitions, events")
def _off_precision(table, schema, opts):
    import polars as pl

    for precision, start in _qualifiers(schema):
        if schema.field(start).type != "datetime" or not start.endswith("_start"):
            continue
        grid = {v: _GRID[v] for v in schema.field(precision).enum or () if v in _GRID}
        end = start[: -len("_start")] + "_end"
        for name in (start, end) if end in schema.names else (start,):
            def off(fr, n=name, p=precision, grid=grid):
                c, level = _col(n), _col(p).cast(pl.String)
                out = pl.lit(False)
                for value, parts in grid.items():
                    out = pl.when(level == value).then(pl.any_horizontal([getattr(c.dt, u)() != 0 for u in parts])
                                                       ).otherwise(out)
                return out.fill_null(False)

            yield Target(name, off,
                         lambda r, n=name, p=precision: f"{n} ({_stamp(r['value'])}) is not on its precision "
                                                        f"{p} {r[p]!s}: with '{r[p]!s}' it must fall on "
                                                        f"{_ON[str(r[p])]}; fix the time or the precision",
                         extra=(precision,), clean=all_null(name))


_ON = {"day": "midnight (T00:00:00; a window of whole days ends at the midnight after the last)",
       "hour": "the hour (minutes and seconds 00)", "minute": "the minute (seconds 00)"}


def _stamp(value) -> str:
    """A date or datetime in a message as a cell writes it (Kyiv wall-clock time, no offset)."""
    if isinstance(value, _dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    return str(value)


# --- events: claims grouped by the incident they are about -------------------------------

def _wall(fr, name: str, end: bool = False):
    """A start or end as a naive wall-clock datetime in the package's one zone (Kyiv).

    A datetime window is half-open; a date range is inclusive, so a date end becomes the
    midnight after it. Zone-aware columns drop their zone (every time here is Kyiv time).
    """
    import polars as pl

    dtype = fr.schema.get(name)
    c = _col(name)
    if isinstance(dtype, pl.Datetime):
        return c.dt.replace_time_zone(None) if dtype.time_zone else c
    as_dt = c.cast(pl.Datetime("us"))
    return as_dt + pl.duration(days=1) if end and dtype == pl.Date else as_dt


@rule("event-claim-outside-window", "a claim linked to an event is dated inside the event's window",
      tables="munitions, casualty_reports, damage_reports")
def _outside_event(table, schema, opts):
    if "event_id" not in schema.names or not _has_context(table, "__event_start"):
        return
    for name in _event_dates(schema):
        is_end = name.endswith("_end")

        def outside(fr, n=name, e=is_end):
            claim, start, end = _wall(fr, n, e), _wall(fr, "__event_start"), _wall(fr, "__event_end")
            broken = ((claim > end) | (claim <= start)) if e else ((claim < start) | (claim >= end))
            return broken.fill_null(False)

        yield Target(name, outside,
                     lambda r, n=name: f"{n} ({_stamp(r['value'])}) is outside the window of event {r['event_id']!r} "
                                       f"({_stamp(r['__event_start'])} to {_stamp(r['__event_end'])}, end excluded): "
                                       "link the claim to the event it is about, or correct the dates",
                     extra=("event_id", "__event_start", "__event_end"),
                     clean=either(all_null("event_id"), all_null(name)))


@rule("event-attacker-mismatch", "a claim names an attacker on the side of its event's attacker (the top of "
      "their actors' parent chains)", tables="munitions, casualty_reports, damage_reports")
def _attacker_mismatch(table, schema, opts):
    import polars as pl

    from .context import lookup_key

    field = lookup_key(table, "__attacker_side")
    if field not in schema.names or not _has_context(table, "__event_attacker_side"):
        return
    mine, theirs = _col("__attacker_side").cast(pl.String), _col("__event_attacker_side").cast(pl.String)
    yield Target(field, lambda fr: (mine != theirs).fill_null(False),
                 lambda r, f=field: f"{f} {r['value']!r} (side {r['__attacker_side']!r}) is not on the side of "
                                    f"{r['__event_attacker']!r} (side {r['__event_attacker_side']!r}), the attacker "
                                    f"of event {r['event_id']!r}: link the claim to its own event, or correct the "
                                    "attacker", extra=("event_id", "__attacker_side", "__event_attacker",
                                                       "__event_attacker_side"),
                 clean=either(all_null("event_id"), all_null(field)))


@rule("event-outcomes-exceed-launched", "within one event, the outcomes one side claims for one munition type add "
      "up to no more than the most that side says were launched (warning: claims can overlap)", severity=WARNING,
      tables="munitions")
def _event_outcomes(table, schema, opts):
    import polars as pl

    names = set(counts(schema))
    outs = outcomes(schema)
    if not ("launched" in names and {"event_id", "munition_type_id"} <= set(schema.names) and outs
            and _has_context(table, "__claimant_side")):
        return
    group = ["event_id", "__claimant_side", "munition_type_id"]
    launched = _col("launched").max().over(group)
    if "launched_high" in names:
        launched = pl.coalesce(launched, _col("launched_high").max().over(group))
    total = outcome_total(schema, outs).sum().over(group)
    gives = pl.any_horizontal([_col(n).is_not_null() for n in outs])
    columns = tuple(c for c in ("launched", "launched_high", *outs) if c in schema.names)
    yield Target("event_id",
                 lambda fr: (_col("event_id").is_not_null() & _col("__claimant_side").is_not_null() & gives
                             & (total > launched)).fill_null(False),
                 lambda r: f"the claims of side {r['__claimant_side']!r} about event {r['value']!r} give outcomes for "
                           f"{r['munition_type_id']!r} that add up to {r['__total']}, more than the {r['__most']} that "
                           "side says were launched: claims may overlap, but check them against each other",
                 extra=("munition_type_id", "__claimant_side", total.alias("__total"), launched.alias("__most")),
                 across_rows=("event_id", "munition_type_id", "__claimant_side", *columns))


@rule("event-unclaimed", "every event is pointed at by at least one claim (an event holds no figure of its own)",
      tables="events")
def _unclaimed(table, schema, opts):
    from .context import REFERRERS

    if tuple(schema.primary_key) != ("event_id",):
        return
    yield Target("event_id", lambda fr: _col(REFERRERS).fill_null(0) == 0,
                 lambda r: f"event {r['value']!r} has no claim pointing at it (event_id in a claims table): link the "
                           "claims it stands for, or remove it",
                 across_rows=("event_id", REFERRERS))


@rule("supersedes-other-claimant", "a claim supersedes only an earlier claim of its own claimant (a figure of "
      "another claimant is a dispute, not a revision)", tables="munitions, casualty_reports, damage_reports")
def _supersedes(table, schema, opts):
    import polars as pl

    if not ({"supersedes", "claimant_id"} <= set(schema.names) and schema.primary_key):
        return
    key = schema.primary_key[0]

    def other(fr):
        # Only the claims something supersedes are looked up: most tables have none.
        revised = fr.get_column("supersedes").drop_nulls().unique()
        if revised.is_empty():
            return pl.lit(False)
        owners = dict(fr.filter(_col(key).is_in(revised.implode())).select(key, "claimant_id").iter_rows())
        return (_col("supersedes").replace_strict(owners, default=None, return_dtype=pl.String)
                != _col("claimant_id")).fill_null(False)

    yield Target("supersedes", other,
                 lambda r: f"supersedes {r['value']!r}, a claim of another claimant than this claim's "
                           f"{r['claimant_id']!r}: only a claimant's own later figure supersedes its earlier one; "
                           "another claimant's figure is a dispute, which both rows show side by side",
                 extra=("claimant_id",), across_rows=(key, "supersedes", "claimant_id"))


# --- duplicates ------------------------------------------------------------------------

@rule("duplicate-claim", "the same claimant making the same claim about the same attack in the same update "
      "is one row, not two", tables="munitions, casualty_reports")
def _duplicate(table, schema, opts):
    import polars as pl

    keys = list(schema.claim_key)  # the schema's claimKey: the fields that identify a claim
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
                     lambda r, n=name: f"{n} is not in Unicode NFC form; re-save it composed: {r['value']!r}",
                     clean=all_ascii)


def _not_nfc(text):
    """True where ``text`` changes under NFC normalisation.

    ASCII is always NFC, so only the (few) other rows are normalised: Polars evaluates both
    branches of a ``when``, but string functions pass over nulls for free.
    """
    import polars as pl

    other = pl.when(text.str.len_chars() != text.str.len_bytes()).then(text)
    return other != other.str.normalize("NFC")


FORMULA_START = ("=", "+", "-", "@")  # a cell starting so is a formula to a spreadsheet


@rule("text-formula", "no cell starts with =, +, - or @, which a spreadsheet would run as a formula")
def _formula(table, schema, opts):
    starts = "^[" + "".join("\\" + c for c in FORMULA_START) + "]"
    for name in free_text(schema):
        yield Target(name, lambda fr, n=name: _col(n).str.contains(starts),
                     lambda r, n=name: f"{n} starts with {r['value'][:1]!r}, which a spreadsheet would run as a "
                                       f"formula: {r['value']!r}")


# Characters that show as nothing, or that reorder how the text around them is displayed: a
# cell that reads one way can hold another (the "Trojan Source" kind of spoofing), two names
# that look alike differ, and a search misses. Regular expressions of Polars (the Rust regex
# crate); the Unicode property Default_Ignorable_Code_Point is the set that renders as nothing
# (zero-width characters, soft hyphen, word joiner, BOM, Hangul fillers, tags, ...).
_BIDI_CHARS = r"\x{061C}\x{200E}\x{200F}\x{202A}-\x{202E}\x{2066}-\x{2069}"  # ALM, LRM, RLM, embeddings, isolates
_BIDI = "[" + _BIDI_CHARS + "]"
# Ignorable characters that some scripts need: ZWNJ and ZWJ shape Persian, Urdu and Indic
# words and join emoji; variation selectors pick a glyph (an emoji's colour form); Mongolian
# free variation selectors and vowel separator. They pass where they follow what they act on.
_JOINERS = r"\x{200C}\x{200D}"
_SELECTORS = r"\x{FE00}-\x{FE0F}\x{E0100}-\x{E01EF}"
_MONGOLIAN = r"\x{180B}-\x{180F}"
_JOINED = "".join(r"\p{scx=" + s + "}" for s in (
    "Arabic", "Syriac", "Nko", "Mongolian", "Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya", "Tamil",
    "Telugu", "Kannada", "Malayalam", "Sinhala", "Myanmar", "Khmer"))
_JOINED += r"\p{Extended_Pictographic}\p{Emoji_Modifier}\x{FE0F}"  # emoji ZWJ sequences
_INVISIBLE = "|".join((
    # Every ignorable character but the bidirectional controls (text-bidi-control's) and those
    # above; and interlinear annotation characters and line/paragraph separators, which hide
    # text or break lines a CSV reader does not see as broken, though they are not ignorable.
    r"[[\p{Default_Ignorable_Code_Point}\x{FFF9}-\x{FFFB}\x{2028}\x{2029}]--[" + _BIDI_CHARS + _JOINERS + _SELECTORS
    + _MONGOLIAN + "]]",
    r"(?:^|[^" + _JOINED + "])[" + _JOINERS + "]", "[" + _JOINERS + "]$",
    r"(?:^|[^\p{scx=Mongolian}])[" + _MONGOLIAN + "]",
    r"(?:^|[\s\p{Default_Ignorable_Code_Point}])[" + _SELECTORS + "]",
))


def _admits_non_ascii(pattern: str) -> bool:
    """Whether a Table Schema ``pattern`` may match a character outside ASCII.

    Errs towards True: a dot, a negated class, a class escape (``\\s``, ``\\w``, ``\\p``...) or
    a character above U+007F in the pattern. ``[a-z0-9]+(-[a-z0-9]+)*`` gives False.
    """
    i, in_class = 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            if pattern[i + 1:i + 2] in set("sSwWdDpPXNuUx"):
                return True
            i += 2
            continue
        if ord(c) > 0x7F or (c == "." and not in_class) or (c == "[" and not in_class and
                                                              pattern[i + 1:i + 2] == "^"):
            return True
        if c == "[" and not in_class:
            in_class = True
            i += 2 if pattern[i + 1:i + 2] == "]" else 1  # a ']' first in a class is itself
            continue
        if c == "]":
            in_class = False
        i += 1
    return False


def any_text(schema: TableSchema) -> list[str]:
    """String fields that can hold any character: free text, and fields whose pattern admits non-ASCII.

    Ids, codes and enums whose pattern or values are ASCII refuse invisible characters
    already (``constraint-pattern``, ``constraint-enum``).
    """
    return [f.name for f in schema.fields if f.type == "string" and "enum" not in f.constraints
            and ("pattern" not in f.constraints or _admits_non_ascii(f.constraints["pattern"]))]


def _non_ascii(name: str):
    """The column where it holds a character outside ASCII, else null (string functions skip nulls)."""
    import polars as pl

    text = _col(name)
    return pl.when(text.str.len_chars() != text.str.len_bytes()).then(text)


def _found(value: str, pattern: str, what: str) -> str:
    """The characters ``pattern`` finds in ``value``, by code point, where, and the text around them."""
    import unicodedata

    import polars as pl

    # The last character of each match is the one found; any before it is the context it failed.
    chars = list(dict.fromkeys(m[-1] for m in pl.Series([value]).str.extract_all(pattern).item()))
    at = value.index(chars[0]) if chars else 0
    named = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '(unnamed)')}" for c in chars)
    # Each of them escaped in the excerpt (repr would print a printable one, e.g. a Hangul filler).
    excerpt = "".join(_escaped(c) if c in chars or not c.isprintable() else c
                      for c in value[max(at - 30, 0):at + 30])
    return f"holds {named} (first at character {at + 1}), {what}: '{excerpt}'; delete it (retype the words " \
           f"around it if unsure)"


def _escaped(c: str) -> str:
    return f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"


@rule("text-bidi-control", "text holds no bidirectional controls (U+202A-U+202E, U+2066-U+2069, LRM, RLM, ALM), "
      "which reorder how it is displayed")
def _bidi(table, schema, opts):
    yield from _characters_found(schema, _BIDI, "which changes the order in which the text around it is displayed")


@rule("text-invisible-character", "text holds no invisible characters: zero-width characters, soft hyphens, BOMs, "
      "word joiners, line and paragraph separators, tags (joiners only where a script or an emoji needs them)")
def _invisible(table, schema, opts):
    yield from _characters_found(schema, _INVISIBLE, "which most editors and browsers do not show")


def _characters_found(schema: TableSchema, pattern: str, what: str) -> Iterator[Target]:
    """A target per text field for characters outside ASCII that ``pattern`` finds; the message says ``what``."""
    def target(name: str) -> Target:
        return Target(name, lambda fr: _non_ascii(name).str.contains(pattern),
                      lambda r: f"{name} " + _found(r["value"], pattern, what), clean=all_ascii)

    return (target(name) for name in any_text(schema))


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


@rule("coordinates-incomplete", "a place gives both its latitude and its longitude, or neither", tables="places")
def _half_coordinates(table, schema, opts):
    names = set(schema.names)
    for lat in schema.names:
        if lat.endswith("latitude") and (lon := lat[: -len("latitude")] + "longitude") in names:
            for given, empty in ((lat, lon), (lon, lat)):
                yield Target(empty, lambda fr, g=given, e=empty: _col(g).is_not_null() & _col(e).is_null(),
                             lambda r, g=given, e=empty: f"{e} is empty (or not a number) but {g} is {r[g]}: give "
                                                         f"both halves of the coordinates, or leave both empty",
                             extra=(given,))


@cache
def iso3166_alpha3() -> dict[str, str]:
    """ISO 3166-1 alpha-3 codes and their names, from ``reference/iso3166_alpha3.json``.

    The file is generated from the ``iso3166`` package by ``reference/make_iso3166_alpha3.py``
    (user-assigned codes such as ``XKX`` left out).
    """
    path = Path(__file__).resolve().parent.parent / "reference" / "iso3166_alpha3.json"
    return {k: v for k, v in json.loads(path.read_text(encoding="utf-8")).items() if not k.startswith("_")}


def country_fields(schema: TableSchema) -> list[str]:
    """String fields that hold an ISO 3166-1 alpha-3 code: as their description says, or a
    ``country`` / ``*_country`` field with the pattern ``[A-Z]{3}``."""
    return [f.name for f in schema.fields if f.type == "string" and (
        "3166-1 alpha-3" in (f.description or "")
        or ((f.name == "country" or f.name.endswith("_country")) and f.constraints.get("pattern") == "[A-Z]{3}"))]


@rule("country-code-unknown", "a country code is one ISO 3166-1 alpha-3 assigns (UKR, RUS, PRK...), not merely "
      "three capital letters", tables="actors, places, casualty_reports")  # where country_fields finds one
def _country_code(table, schema, opts):
    import polars as pl

    codes = list(iso3166_alpha3())
    for name in country_fields(schema):
        pattern = schema.field(name).pattern
        # Only a value its pattern accepts: constraint-pattern reports the others already.
        unknown = pl.when(~_col(name).is_in(codes)).then(_col(name))
        yield Target(name, lambda fr, u=unknown, p=pattern: u.str.contains(p) if p else u.is_not_null(),
                     lambda r, n=name: f"{n} is {r['value']!r}, which is not an ISO 3166-1 alpha-3 country code; "
                                       f"use the code ISO assigns (UKR for Ukraine, RUS for Russia, KOR for South "
                                       f"Korea), or leave it empty when the source does not say")


# --- warnings: possible, but worth a second look -----------------------------------------

@rule("quote-missing", "a claim quotes its source (warning)", severity=WARNING,
      tables="munitions, casualty_reports, damage_reports, equipment_losses, loss_adjustments, loss_directions")
def _quote(table, schema, opts):
    if "quote" in schema.names and "claimant_id" in schema.names:
        yield Target("quote", lambda fr: _col("quote").is_null(),
                     lambda r: "the claim has no quote from its source; add a short one")


LARGE_COUNT = 2000


@rule("count-unusually-large", f"a single claim counts no more than {LARGE_COUNT}, but for a running total "
      "(warning: possible, but check it)",
      severity=WARNING, tables="munitions, casualty_reports")
def _large(table, schema, opts):
    import polars as pl

    if "claimant_id" not in schema.names:
        return
    # A running total (a General Staff tally since February 2022) is large by nature.
    tally = (_col("figure_kind").cast(pl.String) == "running_total").fill_null(False) \
        if "figure_kind" in schema.names else pl.lit(False)
    for name in counts(schema):
        yield Target(name, lambda fr, n=name: (_col(n) > LARGE_COUNT) & ~tally,
                     lambda r, n=name: f"{n} is {r['value']}, unusually large for one claim; check the source")


def targets_for(table: str, schema: TableSchema, options: dict | None = None) -> Iterator[tuple[Rule, Target]]:
    """Every (rule, target) that applies to ``table``."""
    for r in RULES:
        for t in r.targets(table, schema, options or {}):
            yield r, t


# --- certainty, running totals, relays, parties -----------------------------------------

@rule("certainty-without-hedge", "hedge holds the words that make a claim less than a statement of fact: it is "
      "given exactly when certainty is not 'asserted' (a figure's 'about' or 'at least' is approximation)",
      tables="munitions, casualty_reports, damage_reports, equipment_losses")
def _certainty_hedge(table, schema, opts):
    if not {"certainty", "hedge"} <= set(schema.names):
        return
    asserted = _col("certainty").cast(_string()) == "asserted"
    yield Target("hedge", lambda fr: asserted & _col("hedge").is_not_null(),
                 lambda r: f"certainty is asserted but hedge is {r['value']!r}: words about the size of a figure "
                           "go into approximation; words that make the claim less than a fact make certainty "
                           "likely, possible or reported", clean=all_null("hedge"))
    yield Target("certainty", lambda fr: ~asserted & _col("hedge").is_null(),
                 lambda r: f"certainty is {r['value']} but hedge is empty: quote the source's words that make "
                           "it so, or make it asserted", extra=("hedge",), clean=none_null("hedge"))


@rule("running-total-in-event", "a running total (figure_kind) counts from the start its claimant counts from "
      "(event_start, given) and is linked to no event: it is about a period, never one incident",
      tables="casualty_reports, equipment_losses")
def _running_total(table, schema, opts):
    if "figure_kind" not in schema.names:
        return
    running = _col("figure_kind").cast(_string()) == "running_total"
    if "event_id" in schema.names:
        yield Target("event_id", lambda fr: running & _col("event_id").is_not_null(),
                     lambda r: f"a running total is linked to event {r['value']!r}: a total since a start is about "
                               "a period, not one incident; leave event_id empty", clean=all_null("event_id"))
    if "event_start" in schema.names:
        yield Target("event_start", lambda fr: running & _col("event_start").is_null(),
                     lambda r: "a running total without event_start: give the day its claimant counts from",
                     extra=("figure_kind",), clean=all_null("figure_kind"))


@rule("relay-with-claims", "an update that relays another (relay_of) holds no claims or rows of its own: they "
      "point at the update it relays", tables="updates")
def _relay_claims(table, schema, opts):
    from .context import REFERRERS

    if "relay_of" not in schema.names or tuple(schema.primary_key) != ("update_id",):
        return
    yield Target("relay_of", lambda fr: _col("relay_of").is_not_null() & (_col(REFERRERS).fill_null(0) > 0),
                 lambda r: f"update {r['update_id']!r} relays {r['value']!r} but rows point at it: point its claims "
                           f"at {r['value']!r} (one statement, one claim), or clear relay_of",
                 extra=("update_id",), across_rows=("update_id", "relay_of", REFERRERS))


@rule("relay-of-relay", "an update relays the update that first states the statement, not another relay",
      tables="updates")
def _relay_chain(table, schema, opts):
    if "relay_of" not in schema.names:
        return
    yield Target("relay_of", lambda fr: _col("relay_of").is_not_null() & _col("relay_of").is_in(
                     fr.get_column("update_id").filter(fr.get_column("relay_of").is_not_null()).to_list()),
                 lambda r: f"{r['value']!r} is itself a relay: point relay_of at the update it relays",
                 across_rows=("update_id", "relay_of"), clean=all_null("relay_of"))


@rule("party-not-top", "only a state at the top of its chain is a party (party_since); an outlet (kind media) is "
      "never under a party, whose claims an outlet relays only by naming the party's body as claimant",
      tables="actors")
def _party(table, schema, opts):
    import polars as pl

    if not {"party_since", "kind", "parent_id", "actor_id"} <= set(schema.names):
        return
    kind = _col("kind").cast(_string())
    yield Target("party_since", lambda fr: _col("party_since").is_not_null() & ((kind != "state")
                                                                                  | _col("parent_id").is_not_null()),
                 lambda r: f"party_since is {r['value']} but the actor is a {r['kind']}"
                           + (f" under {r['parent_id']!r}" if r["parent_id"] else "")
                           + ": only a state at the top of its chain is a party; its bodies are parented to it",
                 extra=("kind", "parent_id"), clean=all_null("party_since"))

    def under_party(fr):
        from .context import ROOT, with_root

        rooted = with_root(fr.select("actor_id", "parent_id"), schema)
        if ROOT not in rooted.columns:  # a schema without its parent reference: no chain to follow
            return pl.lit(False)
        parties = fr.filter(pl.col("party_since").is_not_null()).get_column("actor_id").to_list()
        media = rooted.filter(pl.col(ROOT).is_in(parties)).get_column("actor_id")
        return (kind == "media") & _col("actor_id").is_in(media.to_list()) & _col("parent_id").is_not_null()

    yield Target("parent_id", under_party,
                 lambda r: f"outlet {r['actor_id']!r} is parented under a party ({r['value']!r}): an outlet's own "
                           "words are a non-party's; a claim it attributes to a state is that state body's claim",
                 extra=("actor_id",), across_rows=("actor_id", "parent_id", "kind", "party_since"))
