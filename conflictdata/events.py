"""Every claimant's figures for one event, side by side: :func:`event_figures` and :func:`disputes`.

The event layer only groups claims: no claim is merged, summed or overwritten. A claims
table is any table with a foreign key into ``events`` (found from the Table Schemas); its
measures are its counts without their bounds (:meth:`conflictdata.schema.TableSchema.measures`:
``launched``, ``intercepted``, ``hit``, ..., ``killed``, ``injured``). Each claim gives one row
per measure it states; a measure it does not state (best, low and high all empty) has no row,
never a 0.

Everything is computed in Polars (:func:`figures_frame`, :func:`side_frame`,
:func:`disputes_frame`, which take an opened package); ``conflictdata sql`` and the exports
register these very frames, so the SQL views and the Python functions give the same rows.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from .load import FORMATS, load_arrow, open_package_or_version, to_pandas
from .package import Package
from .schema import TableSchema

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

EVENTS = "events"
BY = ("claimant", "side")
# The model's definitions, as the data dictionary prints them (conflictdata docs).
MODEL = (
    "- **Side.** A claimant's side is the party to the war it speaks for: the actor at the top of its "
    "`parent_id` chain, where that actor is a state with `party_since` on or before the claim's update (an "
    "armed force, a ministry, a governor, an authority Russia installed in occupied territory: each parented "
    "up to its state). Anyone else is a **non-party**, known by the kind of the actor its chain ends at "
    "(`media`, `state`, `organisation`, `group`, `other`): other states, the UN monitoring mission, news "
    "outlets, unnamed sources of unstated affiliation. A non-party is never a side of its own, and non-parties "
    "are never lumped into one null side. An outlet is never parented to a state (rule `party-not-top`): state "
    "media speak for their state only where a page attributes the claim to the state, and then the state's "
    "body is the claimant.",
    "- **Scope.** A figure counts something somewhere: its event, measure and munition type, the schema's "
    "`scopeKey` fields (the victims counted: `victim_group`, `victim_actor_id`, `victim_country`, "
    "`figure_kind`), and, for a claim whose `scope` is `part`, the `partKey` fields (its place and window). "
    "`scope` is `whole` (all of the event the claimant reports; the place says where it happened) or `part` "
    "(only what happened at the place: one region of a nationwide attack, one town of a region's toll). "
    "`scope_detail` spells the scope out; figures are compared only within one.",
    "- **Dispute** (`cd.disputes()`, `event_disputes`). Within one event, measure, munition type and scope, the "
    "latest claims of two or more claimants (or sides) whose ranges [low or best, high or best] share no value. "
    "A part beside the whole, or two different parts, is never a dispute: both are shown in `event_figures` "
    "with their scope.",
    "- **Contradiction** (`cd.contradictions()`, `event_contradictions`). Within one event, two statements of "
    "different sides that cannot both be true across measures: one says every munition of a class launched "
    "was stopped (its `launched` equals its `intercepted` or `neutralised`), the other that at least one of "
    "that class hit, or reports an object struck or damaged (a damage report, set against a claimant that "
    "says every class it counted was stopped). A part's \"all stopped\" is set only against hits in that part.",
    "- **Statement.** A claim is one statement: a wire story on many pages is one claim on the update of its "
    "best source, the other pages' updates pointing at it with `relay_of` and holding no claims "
    "(rule `relay-with-claims`); `pages` in `event_figures` counts them.",
    "- **Certainty and approximation.** `certainty` says how the claimant put the claim; `hedge` holds the "
    "words that make it less than a statement of fact and is given exactly when certainty is not `asserted` "
    "(rule `certainty-without-hedge`). Words about the size of a figure ('about 2,800', 'at least 10') are "
    "`approximation`: 'at least 10 killed, the toll is expected to rise' is asserted, `killed_low` 10, "
    "approximation 'at least', the outlook in notes.",
    "- **Figures of their own kind.** 'Shot down or suppressed by electronic warfare' as one count is "
    "`neutralised` (it `combines` intercepted and lost; sums count it once); a count for one region of a "
    "nationwide attack is a claim with `scope` `part`. Nothing is forced into `intercepted`.",
    "- **Running totals** (`figure_kind` `running_total`), the General Staff's or a monitoring mission's "
    "verified totals at dated points (lower bounds by its own words: `_low`), count from the start their "
    "claimant counts from (`event_start`) and are never linked to an event (rule `running-total-in-event`); "
    "`cd.daily()` derives their changes.",
)
# The columns of event_figures, in order (by="claimant").
COLUMNS = ("event_id", "event_name", "measure", "munition_type_id", "scope", "scope_detail", "claimant_id", "side_id",
           "non_party", "best", "low", "high", "certainty", "hedge", "approximation", "claim_table", "claim_id",
           "update_id", "update_date", "source_id", "pages", "event_link", "superseded_by")
SIDE_COLUMNS = ("event_id", "event_name", "measure", "munition_type_id", "scope_detail", "side", "side_id",
                "non_party", "best", "low", "high", "claims", "claim_ids", "claimant_ids")
# Claims are compared only within one event, measure, munition type and scope (scope_detail).
GROUP = ("event_id", "measure", "munition_type_id", "scope_detail")
# The field that says whether a claim counts its subject whole or a part (schemas: 'scope').
SCOPE = "scope"
PART = "part"
# The actor field that makes a state a party to the war, and the update field of a relay.
PARTY_SINCE = "party_since"
RELAY = "relay_of"
DESCRIPTIONS = {
    "event_id": "The event (events.event_id) the claim is linked to.",
    "event_name": "The event's name (events.name).",
    "measure": "What is counted: a count field of the claims table without its bounds (launched, intercepted, "
               "killed, ...).",
    "munition_type_id": "The claim's munition type (munition_types); empty for a table without one.",
    "scope": "Whether the claim counts its event whole or a part ('whole', 'part'; the claim's scope; empty "
             "where the claim names no place: whole).",
    "scope_detail": "What the figure counts beyond event, measure and munition type, as field=value pairs: the "
                    "schema's scopeKey fields (the victims counted) and, for a part, its partKey fields (its place "
                    "and window). Figures are compared only within one scope_detail.",
    "claimant_id": "Who makes the claim (actors).",
    "side_id": "The party to the war the claimant speaks for: the top of its actor parent chain where that is a "
               "state with party_since on or before the claim's update; empty for a non-party.",
    "non_party": "For a claimant that is not a party: what it is, the kind of the actor its chain ends at "
                 "(media, state, organisation, group, other); empty for a party.",
    "side": "In by='side': the side (side_id) or, for a non-party, 'non-party <kind>'.",
    "approximation": "The source's words for the size of the figure ('about', 'at least'), verbatim.",
    "pages": "How many pages carry the claim's statement: its update and the updates that relay it (relay_of).",
    "best": "The claim's figure for the measure (the field itself); empty when it gives only bounds.",
    "low": "The claim's lower bound (<measure>_low); empty when it gives none or the table has none.",
    "high": "The claim's upper bound (<measure>_high); empty when it gives none or the table has none.",
    "certainty": "How the claimant put it (the claim's certainty).",
    "hedge": "The source's own hedge words, verbatim.",
    "claim_table": "The claims table of the claim (munitions, casualty_reports, ...).",
    "claim_id": "The claim's primary key in claim_table.",
    "update_id": "The update that states the claim (updates).",
    "update_date": "The update's published_date.",
    "source_id": "The update's source (sources).",
    "event_link": "Why the claim is linked to the event (the claim's event_link).",
    "superseded_by": "The claim (same table) that revises this one, or empty: the latest claims have it empty.",
    "spread": "In event_disputes: the greatest lower end minus the least upper end of the claimants' ranges.",
}


def claim_tables(package: Package) -> list[str]:
    """The package's claims tables: those with a single-field foreign key into ``events``.

    Examples
    --------
    >>> from conflictdata.package import locate
    >>> claim_tables(locate())
    ['munitions', 'casualty_reports', 'damage_reports']
    """
    out = []
    for name, resource in package.resources.items():
        schema = TableSchema.from_dict(resource.schema)
        if any(fk.resource == EVENTS and len(fk.fields) == 1 for fk in schema.foreign_keys):
            out.append(name)
    return out


def _frame(package: Package, name: str) -> pl.DataFrame:
    import polars as pl

    return cast("pl.DataFrame", pl.from_arrow(load_arrow(package, name)))


def _fk(schema: TableSchema, field: str):
    return next((fk for fk in schema.foreign_keys if fk.fields == (field,)), None)


def _empty() -> pl.DataFrame:
    import polars as pl

    types: dict[str, Any] = {c: pl.String for c in COLUMNS}
    types.update(best=pl.Int64, low=pl.Int64, high=pl.Int64, update_date=pl.Date, pages=pl.Int64)
    return pl.DataFrame(schema=types)


def _claims(package: Package, name: str, schemas: dict[str, TableSchema]) -> pl.DataFrame | None:
    """One table's claims linked to an event, one row per stated measure (``__rank`` orders measures)."""
    import polars as pl

    schema = schemas[name]
    event_fk = next(fk for fk in schema.foreign_keys if fk.resource == EVENTS and len(fk.fields) == 1)
    measures = schema.measures()
    if len(schema.primary_key) != 1 or not measures:
        return None
    key = schema.primary_key[0]
    frame = _frame(package, name)
    event = event_fk.fields[0]
    frame = frame.filter(pl.col(event).is_not_null())
    # the claim that supersedes this one: the table's self-reference onto its primary key
    revises = next((fk for fk in schema.foreign_keys if fk.resource in ("", name) and len(fk.fields) == 1
                    and fk.reference_fields == (key,)), None)
    if revises is not None:
        later = (_frame(package, name).select(pl.col(revises.fields[0]).alias("__of"), pl.col(key).alias("__by"))
                 .drop_nulls("__of").group_by("__of").agg(pl.col("__by").min()))
        frame = frame.join(later, left_on=key, right_on="__of", how="left").rename({"__by": "superseded_by"})
    else:
        frame = frame.with_columns(pl.lit(None, pl.String).alias("superseded_by"))

    def text(field: str) -> pl.Expr:
        return (pl.col(field).cast(pl.String) if field in schema.names else pl.lit(None, pl.String)).alias(field)

    def count(field: str | None, alias: str) -> pl.Expr:
        return (pl.col(field) if field is not None else pl.lit(None, pl.Int64)).cast(pl.Int64).alias(alias)

    frame = frame.with_columns(scope_detail(schema))
    parts = []
    for rank, measure in enumerate(measures):
        low, high = schema.bounds(measure)
        parts.append(frame.select(
            pl.col(event).cast(pl.String).alias("event_id"), pl.lit(measure).alias("measure"),
            pl.lit(rank).alias("__rank"), text("munition_type_id"), text(SCOPE), pl.col("scope_detail"),
            text("claimant_id"), count(measure, "best"), count(low, "low"), count(high, "high"), text("certainty"),
            text("hedge"), text("approximation"), pl.lit(name).alias("claim_table"),
            pl.col(key).cast(pl.String).alias("claim_id"), text("update_id"), text("event_link"),
            pl.col("superseded_by").cast(pl.String)))
    out = pl.concat(parts)
    return out.filter(pl.any_horizontal(pl.col("best", "low", "high").is_not_null()))


def scope_detail(schema: TableSchema) -> pl.Expr:
    """What a claim's figures count, as ``field=value; ...``: ``scopeKey``, and ``partKey`` for a part.

    Two claims' figures are comparable only when this text is the same: a count of soldiers
    is no count of civilians, and a count for one region (scope 'part') is neither a count
    for another region nor the whole. A whole count's place names where its event happened,
    so it is left out: a nationwide count with its country and one without are the same scope.

    Examples
    --------
    >>> import polars as pl
    >>> schema = TableSchema.from_dict({"fields": [{"name": n} for n in ("victim_group", "scope", "place_id")],
    ...                                 "scopeKey": ["victim_group"], "partKey": ["place_id"]})
    >>> frame = pl.DataFrame({"victim_group": ["civilian", "civilian", "military"],
    ...                       "scope": ["part", "whole", None], "place_id": ["kharkiv", "kharkiv-oblast", None]})
    >>> frame.select(scope_detail(schema)).to_series().to_list()
    ['victim_group=civilian; place_id=kharkiv', 'victim_group=civilian', 'victim_group=military']
    """
    import polars as pl

    def value(name: str) -> pl.Expr:
        column = pl.col(name)
        if schema.field(name).type == "datetime":
            column = column.dt.strftime("%Y-%m-%dT%H:%M:%S")
        return pl.when(column.is_not_null()).then(pl.lit(f"{name}=") + column.cast(pl.String))

    pieces = [value(n) for n in schema.scope_key if n in schema.names]
    if SCOPE in schema.names:
        part = pl.col(SCOPE).cast(pl.String) == PART
        pieces += [pl.when(part).then(value(n)) for n in schema.part_key if n in schema.names]
    if not pieces:
        return pl.lit(None, pl.String).alias("scope_detail")
    text = pl.concat_str(pieces, separator="; ", ignore_nulls=True)
    return pl.when(text != "").then(text).alias("scope_detail")


def figures_frame(package: Package, *, latest: bool = False) -> pl.DataFrame:
    """:func:`event_figures` (``by="claimant"``) of an opened package, as a Polars DataFrame."""
    return _figures(package, latest=latest).select(COLUMNS)


def _figures(package: Package, *, latest: bool) -> pl.DataFrame:
    """The claim rows with ``__rank``: the measure's place (tables in order, then their fields)."""
    import polars as pl


    schemas = {name: TableSchema.from_dict(r.schema) for name, r in package.resources.items()}
    names = claim_tables(package)
    parts: list[pl.DataFrame] = []
    ranks: dict[str, int] = {}
    for name in names:
        part = _claims(package, name, schemas)
        if part is None or part.is_empty():
            continue
        # measures in the order of the tables, then of their fields
        for measure in part.unique("measure", maintain_order=True).sort("__rank")["measure"]:
            ranks.setdefault(measure, len(ranks))
        parts.append(part)
    if not parts:
        return _empty().with_columns(pl.lit(None, pl.Int64).alias("__rank"))
    out = pl.concat(parts, how="vertical")
    if latest:
        out = out.filter(pl.col("superseded_by").is_null())
    first = schemas[names[0]]
    # the event's name, the claimant's side, the update's date and source: lookups of single-field keys
    if EVENTS in package.resources:
        events = _frame(package, EVENTS)
        label = "name" if "name" in events.columns else schemas[EVENTS].primary_key[0]
        out = out.join(events.select(pl.col(schemas[EVENTS].primary_key[0]).alias("event_id"),
                                     pl.col(label).cast(pl.String).alias("event_name")), on="event_id", how="left")
    else:
        out = out.with_columns(pl.lit(None, pl.String).alias("event_name"))
    update = _fk(first, "update_id")
    if update is not None and update.resource in package.resources:
        updates = _frame(package, update.resource)
        key = update.reference_fields[0]
        pages = pl.lit(1, pl.Int64)
        if RELAY in updates.columns:
            relays = updates.drop_nulls(RELAY).group_by(RELAY).len("__relays")
            updates = updates.join(relays, left_on=key, right_on=RELAY, how="left")
            pages = pages + pl.col("__relays").fill_null(0)
        out = out.join(updates.select(pl.col(key).alias("update_id"), pl.col("published_date").alias("update_date"),
                                      pl.col("source_id").cast(pl.String), pages.cast(pl.Int64).alias("pages")),
                       on="update_id", how="left")
    else:
        out = out.with_columns(pl.lit(None, pl.Date).alias("update_date"), pl.lit(None, pl.String).alias("source_id"),
                               pl.lit(1, pl.Int64).alias("pages"))
    claimant = _fk(first, "claimant_id")
    if claimant is not None and claimant.resource in package.resources:
        out = out.join(sides(package, schemas[claimant.resource], claimant.resource, claimant.reference_fields[0]),
                       on="claimant_id", how="left")
        party = pl.col("__party_since").is_not_null() & (pl.col("update_date").is_null()
                                                          | (pl.col("update_date") >= pl.col("__party_since")))
        out = out.with_columns(pl.when(party).then(pl.col("__top")).alias("side_id"),
                               pl.when(~party).then(pl.col("__top_kind")).alias("non_party"))
    else:
        out = out.with_columns(pl.lit(None, pl.String).alias("side_id"), pl.lit(None, pl.String).alias("non_party"))
    out = out.with_columns(pl.col("measure").replace_strict(ranks, return_dtype=pl.Int64).alias("__rank"))
    return out.sort("event_id", "__rank", "munition_type_id", "side_id", "claimant_id", "claim_table", "claim_id",
                    nulls_last=True).select(*COLUMNS, "__rank")


def parties(package: Package) -> list[tuple[str, str]]:
    """The parties to the war as the actors' data gives them: (actor_id, party_since), in order.

    Examples
    --------
    >>> from conflictdata.package import locate
    >>> parties(locate())
    [('russia', '2022-02-24'), ('ukraine', '2022-02-24')]
    """
    import polars as pl

    if "actors" not in package.resources:
        return []
    actors = _frame(package, "actors")
    if PARTY_SINCE not in actors.columns:
        return []
    found = actors.filter(pl.col(PARTY_SINCE).is_not_null()).sort("actor_id")
    return [(str(a), d.isoformat()) for a, d in found.select("actor_id", PARTY_SINCE).iter_rows()]


def sides(package: Package, schema: TableSchema, table: str, key: str) -> pl.DataFrame:
    """Each actor's ``claimant_id`` with ``__top`` (the top of its parent chain), its kind and party_since.

    A claimant speaks for a side where the actor its chain ends at is a party to the war: a
    state with ``party_since`` (the side applies to claims from that day). Anyone else is a
    non-party, known by what the top of its chain is (its ``kind``). Derived from the data:
    the code lists no side.
    """
    import polars as pl

    from .validation.context import ROOT, with_root

    actors = with_root(_frame(package, table), schema)
    top = ROOT if ROOT in actors.columns else key
    kind = pl.col("kind").cast(pl.String) if "kind" in actors.columns else pl.lit(None, pl.String)
    since = pl.col(PARTY_SINCE) if PARTY_SINCE in actors.columns else pl.lit(None, pl.Date)
    tops = actors.select(pl.col(key).alias("__top"), kind.alias("__top_kind"), since.alias("__party_since"))
    return (actors.select(pl.col(key).alias("claimant_id"), pl.col(top).alias("__top"))
            .join(tops, on="__top", how="left"))


def _ends(frame: pl.DataFrame) -> pl.DataFrame:
    """Each claim's range: ``__lower`` = low or best, ``__upper`` = high or best (null: no upper bound)."""
    import polars as pl

    return frame.with_columns(pl.coalesce("low", "best").alias("__lower"), pl.coalesce("high", "best").alias("__upper"))


def side_frame(package: Package) -> pl.DataFrame:
    """:func:`event_figures` with ``by="side"`` of an opened package, as a Polars DataFrame."""
    import polars as pl

    claims = _ends(_figures(package, latest=True)).with_columns(
        (pl.col("claim_table") + ":" + pl.col("claim_id")).alias("__claim"), side_label())
    keys = ["event_id", "event_name", "measure", "munition_type_id", "scope_detail", "side", "side_id", "non_party"]
    out = claims.group_by(keys, maintain_order=True).agg(
        pl.col("__rank").min(),
        pl.when(pl.col("best").is_not_null().all() & (pl.col("best").n_unique() == 1))
          .then(pl.col("best").first()).alias("best"),
        pl.when(pl.col("__lower").is_not_null().all()).then(pl.col("__lower").min()).alias("low"),
        pl.when(pl.col("__upper").is_not_null().all()).then(pl.col("__upper").max()).alias("high"),
        pl.len().cast(pl.Int64).alias("claims"),
        pl.col("__claim").sort().str.join("; ").alias("claim_ids"),
        pl.col("claimant_id").unique().sort().str.join("; ").alias("claimant_ids"),
    )
    return out.sort("event_id", "__rank", "munition_type_id", "scope_detail", "side_id", "non_party",
                    nulls_last=True).select(SIDE_COLUMNS)


def side_label() -> pl.Expr:
    """``side``: the side_id of a party's claim, ``non-party <kind>`` of anyone else's (never one null side)."""
    import polars as pl

    return pl.coalesce(pl.col("side_id"), pl.lit("non-party ") + pl.col("non_party"),
                       pl.lit("non-party, unknown actor")).alias("side")


def disputes_frame(package: Package, *, by: str = "claimant") -> pl.DataFrame:
    """:func:`disputes` of an opened package, as a Polars DataFrame."""
    import polars as pl

    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}, not {by!r}")
    member = "claimant_id" if by == "claimant" else "side"
    claims = _ends(figures_frame(package, latest=True)).with_columns(side_label())
    group = list(GROUP)
    # one range per member: the hull of its claims (a member's own claims are alternatives)
    members = claims.group_by([*group, member]).agg(
        pl.col("__lower").fill_null(0).min().alias("__lower"),
        pl.when(pl.col("__upper").is_not_null().all()).then(pl.col("__upper").max()).alias("__upper"))
    spreads = (members.group_by(group).agg(pl.len().alias("__members"),
                                           (pl.col("__lower").max() - pl.col("__upper").min()).alias("spread"))
               .filter((pl.col("__members") >= 2) & (pl.col("spread") > 0))
               .select(*group, pl.col("spread").cast(pl.Int64)))
    return claims.join(spreads, on=group, how="inner", nulls_equal=True, maintain_order="left").select(
        *COLUMNS, "spread")


CONTRADICTION_COLUMNS = (
    "event_id", "event_name", "all_claimant_id", "all_side", "all_update_id", "all_claim_ids", "munition_classes",
    "hit_claimant_id", "hit_side", "hit_update_id", "hit_claim_ids", "hit", "hit_objects")
DESCRIPTIONS.update({
    "all_claimant_id": "Who says every munition of a class launched was stopped.",
    "all_side": "Its side, or 'non-party <kind>'.",
    "all_update_id": "The update that states it: one statement.",
    "all_claim_ids": "Its claims (table:id, sorted, '; '-joined) whose launched equals their intercepted or "
                     "neutralised, both stated by the claim.",
    "munition_classes": "The munition classes (munition_types.category) both statements are about; empty where "
                        "only a damage report (which names no munition) stands against a claimant that says every "
                        "class it counted was stopped.",
    "hit_claimant_id": "Who says at least one hit.",
    "hit_side": "Its side, or 'non-party <kind>'.",
    "hit_update_id": "The update that states it: one statement.",
    "hit_claim_ids": "Its claims: munitions claims with hit (or hit_low) of at least 1, damage reports of an object "
                     "struck, damaged, destroyed or set on fire.",
    "hit": "The most its munitions claims say hit (best, else low bound); empty for damage reports alone.",
    "hit_objects": "The objects its damage reports name, in the source's words ('; '-joined).",
})
HIT = "hit"
STOPPED = ("intercepted", "neutralised")
# The field of munition_types that gives a type's class (drone, cruise_missile, ...).
CLASS_FIELD = "category"
DAMAGE = "damage_reports"


def contradictions_frame(package: Package) -> pl.DataFrame:
    """:func:`contradictions` of an opened package, as a Polars DataFrame."""
    import polars as pl

    figures = _figures(package, latest=True).with_columns(side_label())
    classes = _classes(package)
    figures = figures.join(classes, on="munition_type_id", how="left")
    claim = ["claim_table", "claim_id"]
    launched = figures.filter(pl.col("measure") == "launched", pl.col("best") >= 1).select(
        *claim, pl.col("best").alias("launched"))
    stopped = (figures.filter(pl.col("measure").is_in(STOPPED), pl.col("best").is_not_null())
               .select(*claim, pl.col("best").alias("stopped"), pl.col("measure").alias("stopped_measure")))
    every = (figures.unique(claim, maintain_order=True)
             .select("event_id", "event_name", "munition_class", "scope_detail", *claim, "claimant_id", "side",
                     "update_id")
             .join(launched, on=claim).join(stopped, on=claim)
             .filter(pl.col("stopped") == pl.col("launched")).unique(claim, keep="first", maintain_order=True))
    hits = figures.filter(pl.col("measure") == HIT, pl.coalesce("best", "low") >= 1).select(
        "event_id", "munition_class", "scope_detail", *claim, "claimant_id", "side", "update_id",
        pl.coalesce("best", "low").alias("hit"), pl.lit(None, pl.String).alias("hit_object"))
    # a claim that all were stopped counts the whole event, or one part: a hit in that part contradicts it
    pairs = (every.join(hits, on=["event_id", "munition_class"], suffix="_hit", nulls_equal=True)
             .filter(pl.col("scope_detail").is_null() | (pl.col("scope_detail") == pl.col("scope_detail_hit")))
             .drop("scope_detail_hit"))
    # a damage report names no munition: it is set against a claimant that says every class it counts was stopped
    damage = _damage(package, figures)
    if damage is not None:
        counted = launched.join(figures.select(*claim, "event_id", "claimant_id", "munition_class").unique(claim),
                                on=claim)
        whole = (counted.join(every.select(*claim, pl.lit(True).alias("__all")), on=claim, how="left")
                 .group_by("event_id", "claimant_id").agg(pl.col("__all").fill_null(False).all().alias("__every"))
                 .filter("__every").drop("__every"))
        every_class = every.join(whole, on=["event_id", "claimant_id"]).filter(pl.col("scope_detail").is_null())
        pairs = pl.concat([pairs, every_class.join(damage, on="event_id", suffix="_hit")
                          .with_columns(pl.lit(None, pl.String).alias("munition_class"))
                          .select(pairs.columns)], how="vertical_relaxed")
    pairs = pairs.filter(pl.col("side") != pl.col("side_hit"))

    def ids(table: str, key: str) -> pl.Expr:
        return (pl.col(table) + ":" + pl.col(key)).unique().sort().str.join("; ")

    # one row per pair of statements (a claimant's update): its claims of one night are one statement
    return pairs.group_by("event_id", "event_name", "claimant_id", "side", "update_id", "claimant_id_hit",
                          "side_hit", "update_id_hit").agg(
        ids("claim_table", "claim_id").alias("all_claim_ids"),
        pl.col("munition_class").drop_nulls().unique().sort().str.join("; ").alias("munition_classes"),
        ids("claim_table_hit", "claim_id_hit").alias("hit_claim_ids"),
        pl.col("hit").max().cast(pl.Int64),
        pl.col("hit_object").drop_nulls().unique().sort().str.join("; ").alias("hit_objects"),
    ).select(
        "event_id", "event_name", pl.col("claimant_id").alias("all_claimant_id"), pl.col("side").alias("all_side"),
        pl.col("update_id").alias("all_update_id"), "all_claim_ids",
        pl.when(pl.col("munition_classes") != "").then(pl.col("munition_classes")).alias("munition_classes"),
        pl.col("claimant_id_hit").alias("hit_claimant_id"), pl.col("side_hit").alias("hit_side"),
        pl.col("update_id_hit").alias("hit_update_id"), "hit_claim_ids", "hit",
        pl.when(pl.col("hit_objects") != "").then(pl.col("hit_objects")).alias("hit_objects"),
    ).sort("event_id", "all_update_id", "all_claimant_id", "hit_update_id", "hit_claimant_id", nulls_last=True)


def _classes(package: Package) -> pl.DataFrame:
    """``munition_type_id`` -> ``munition_class`` (the type's category), empty without the catalogue."""
    import polars as pl

    types = _frame(package, "munition_types") if "munition_types" in package.resources else None
    if types is None or CLASS_FIELD not in types.columns:
        return pl.DataFrame(schema={"munition_type_id": pl.String, "munition_class": pl.String})
    return types.select(pl.col("munition_type_id").cast(pl.String), pl.col(CLASS_FIELD).cast(pl.String)
                        .alias("munition_class"))


def _damage(package: Package, figures: pl.DataFrame) -> pl.DataFrame | None:
    """The latest damage reports linked to an event, as hit claims (with their claimant's side)."""
    import polars as pl

    if DAMAGE not in package.resources:
        return None
    schema = TableSchema.from_dict(package.resources[DAMAGE].schema)
    if len(schema.primary_key) != 1 or not {"event_id", "claimant_id", "object", "update_id"} <= set(schema.names):
        return None
    key = schema.primary_key[0]
    frame = _frame(package, DAMAGE).filter(pl.col("event_id").is_not_null())
    if "supersedes" in frame.columns:
        frame = frame.filter(~pl.col(key).is_in(frame.get_column("supersedes").drop_nulls().to_list()))
    if "effect" in frame.columns:  # 'unknown' says nothing was struck
        frame = frame.filter(pl.col("effect").cast(pl.String) != "unknown")
    actors = next((fk for fk in schema.foreign_keys if fk.fields == ("claimant_id",)), None)
    if actors is None or actors.resource not in package.resources:
        return None
    updates = _frame(package, "updates").select(pl.col("update_id").cast(pl.String),
                                                pl.col("published_date").alias("update_date"))
    side = (frame.select(pl.col("event_id").cast(pl.String), pl.lit(DAMAGE).alias("claim_table"),
                         pl.col(key).cast(pl.String).alias("claim_id"), pl.col("claimant_id").cast(pl.String),
                         pl.col("update_id").cast(pl.String), pl.col("object").cast(pl.String).alias("hit_object"))
            .join(updates, on="update_id", how="left")
            .join(sides(package, TableSchema.from_dict(package.resources[actors.resource].schema), actors.resource,
                        actors.reference_fields[0]), on="claimant_id", how="left"))
    party = pl.col("__party_since").is_not_null() & (pl.col("update_date").is_null()
                                                      | (pl.col("update_date") >= pl.col("__party_since")))
    side = side.with_columns(pl.when(party).then(pl.col("__top")).alias("side_id"),
                             pl.when(~party).then(pl.col("__top_kind")).alias("non_party")).with_columns(side_label())
    return side.select("event_id", "claim_table", "claim_id", "claimant_id", "side", "update_id",
                       pl.lit(None, pl.Int64).alias("hit"), "hit_object")


def contradictions(*, format: str = "pandas", path: str | os.PathLike | None = None,
                   version: str | None = None) -> pd.DataFrame | pl.DataFrame | pa.Table:
    """Pairs of latest claims about one event that cannot both be true across measures.

    One claim says every munition of a class that was launched was stopped (its launched
    equals its intercepted, or its neutralised: "all 18 shot down"); another, by another
    side (a party, or a non-party kind), says at least one of that class hit (hit, or
    hit_low, of 1 or more), or reports an object struck or damaged in the event (a damage
    report, which names no munition: set against a claimant whose every class counted in
    the event was all stopped). Unlike :func:`disputes`, the two figures are different
    measures, so no one range shows the disagreement. Claims of one side are not set
    against each other: a side's own damage report beside its "all shot down" is usually
    debris, which the schema does not tell apart.

    Parameters
    ----------
    format, path, version : optional
        As for :func:`event_figures`.

    Returns
    -------
    One row per pair of statements (a claimant's claims in one update): the event, the
    all-stopped statement (claimant, side, update, claims) and the munition classes, the hit
    statement (claimant, side, update, claims, the most it says hit, the objects its damage
    reports name). No row when nothing contradicts.

    Examples
    --------
    >>> import conflictdata as cd
    >>> list(cd.contradictions(format="polars").columns[:4])
    ['event_id', 'event_name', 'all_claimant_id', 'all_side']
    """
    return convert(contradictions_frame(open_package_or_version(path, version)), format)


def relation_columns(name: str) -> tuple[str, ...]:
    """The columns of a relation of :data:`RELATIONS`, in order."""
    return {"event_figures": COLUMNS, "event_disputes": (*COLUMNS, "spread"),
            "event_contradictions": CONTRADICTION_COLUMNS}[name]


RELATIONS: dict[str, Callable[[Package], pl.DataFrame]] = {
    "event_figures": figures_frame,
    "event_disputes": disputes_frame,
    "event_contradictions": contradictions_frame,
}


def convert(frame: pl.DataFrame, format: str) -> pd.DataFrame | pl.DataFrame | pa.Table:
    """A Polars result as :func:`conflictdata.load` gives tables: pandas (nullable dtypes), Polars or Arrow."""
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    if format == "polars":
        return frame
    table = to_arrow(frame)
    return table if format == "arrow" else to_pandas(table)


def to_arrow(frame: pl.DataFrame) -> pa.Table:
    """Arrow with plain ``string`` columns (Polars writes ``large_string``), as the tables have."""
    import pyarrow as pa

    table = frame.to_arrow()
    schema = pa.schema([pa.field(f.name, pa.string() if pa.types.is_large_string(f.type)
                                 or pa.types.is_string_view(f.type) else f.type) for f in table.schema])
    return table.cast(schema)


def event_figures(by: str = "claimant", *, latest: bool = False, format: str = "pandas",
                  path: str | os.PathLike | None = None,
                  version: str | None = None) -> pd.DataFrame | pl.DataFrame | pa.Table:
    """Every claim's figures per event and measure, or each side's, without a join of your own.

    Parameters
    ----------
    by : {"claimant", "side"}
        ``"claimant"``: one row per event x measure x claim, with columns ``event_id``,
        ``event_name``, ``measure``, ``munition_type_id`` (null for a table without it),
        ``claimant_id``, ``side_id`` (the top of the claimant's actor parent chain: the
        Ukrainian Air Force and the Armed Forces of Ukraine are both ``ukraine``), ``best``
        (the measure's field), ``low`` and ``high`` (its ``_low``/``_high`` fields, null where the
        table has none), ``certainty``, ``hedge``, ``claim_table``, ``claim_id`` (the claim's
        primary key), ``update_id``, ``update_date``, ``source_id``, ``event_link`` and
        ``superseded_by`` (the claim that revises this one, or null).

        ``"side"``: one row per event x measure x munition type x side, from the latest claims
        only (``latest`` is implied), with ``best`` the figure every claim of the side gives
        (null when they differ or one gives none), ``low`` the least of the claims' lower ends
        (low, else best) and ``high`` the greatest of their upper ends (high, else best), each
        null when a claim has no such end (then the side's range has none either), and
        ``claims``, ``claim_ids`` (``table:id``, sorted, "; "-joined) and ``claimant_ids``.
        Claims of one side about one measure are alternatives, never summed: two claimants
        of one side counting the same drones give one range, not twice the drones.
    latest : bool
        Leave out the claims another claim supersedes (``supersedes``).
    format : {"pandas", "polars", "arrow"}
        As for :func:`conflictdata.load` (pandas with nullable dtypes).
    path, version : optional
        A package folder or a published release; default: the installed data.

    Notes
    -----
    A measure a claim does not state (best, low and high all empty) has no row: absent, never
    0. Claims not linked to an event are left out; the claims tables are found from the Table
    Schemas (every table with a foreign key into ``events``).

    Examples
    --------
    >>> import conflictdata as cd
    >>> night = "2024-10-08-overnight-missile-and-drone-attack"
    >>> df = cd.event_figures(format="polars").filter(event_id=night)
    >>> df.select("measure", "munition_type_id", "claimant_id", "best").rows()
    ... # doctest: +NORMALIZE_WHITESPACE
    [('launched', 'drone-type-not-stated', 'armed-forces-of-ukraine', 19),
     ('launched', 'iskander-m', 'armed-forces-of-ukraine', 2),
     ('intercepted', 'drone-type-not-stated', 'ukrainian-air-force', 18),
     ('returned', 'drone-type-not-stated', 'ukrainian-air-force', 1)]
    >>> sides = cd.event_figures(by="side").query("event_id == @night")
    >>> print(sides[["measure", "munition_type_id", "side_id", "best", "claimant_ids"]].to_string(index=False))
    ... # doctest: +NORMALIZE_WHITESPACE
        measure      munition_type_id side_id  best            claimant_ids
       launched drone-type-not-stated ukraine    19 armed-forces-of-ukraine
       launched            iskander-m ukraine     2 armed-forces-of-ukraine
    intercepted drone-type-not-stated ukraine    18     ukrainian-air-force
       returned drone-type-not-stated ukraine     1     ukrainian-air-force
    """
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}, not {by!r}")
    package = open_package_or_version(path, version)
    frame = side_frame(package) if by == "side" else figures_frame(package, latest=latest)
    return convert(frame, format)


def disputes(*, by: str = "claimant", format: str = "pandas", path: str | os.PathLike | None = None,
             version: str | None = None) -> pd.DataFrame | pl.DataFrame | pa.Table:
    """The events where claimants' (or sides') latest figures for one measure cannot all be true.

    A group is one event x measure x munition type. Each latest claim (one no other claim
    supersedes) gives a range: from its low, else its best, to its high, else its best; with
    neither, the range has no upper end (a claim of "at least 1" is not contradicted by 6). A
    claimant (with ``by="side"``: a side) holds the hull of its claims' ranges. The group is a
    dispute when the greatest lower end exceeds the least upper end among two or more
    claimants (sides): no one number lies in every range. ``spread`` is that excess,
    ``max(lower ends) - min(upper ends)``: 19 launched against 12 is a spread of 7. Figures
    that differ but overlap (10-20 against 15) are no dispute.

    Parameters
    ----------
    by : {"claimant", "side"}
        Compare claimants, or sides (claimants rolled up their actor parent chains; claims of
        one side are then alternatives, and only a disagreement between sides is a dispute).
    format, path, version : optional
        As for :func:`event_figures`.

    Returns
    -------
    The :func:`event_figures` rows (latest claims) of every disputed group, with the group's
    ``spread``; no row when nothing is disputed.

    Examples
    --------
    >>> import conflictdata as cd
    >>> len(cd.disputes())   # in the shipped data no two claimants contradict each other
    0
    >>> list(cd.disputes(format="polars").columns[-3:])
    ['event_link', 'superseded_by', 'spread']
    """
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}, not {by!r}")
    return convert(disputes_frame(open_package_or_version(path, version), by=by), format)
