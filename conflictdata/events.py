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
# The columns of event_figures, in order (by="claimant").
COLUMNS = ("event_id", "event_name", "measure", "munition_type_id", "claimant_id", "side_id", "best", "low", "high",
           "certainty", "hedge", "claim_table", "claim_id", "update_id", "update_date", "source_id", "event_link",
           "superseded_by")
SIDE_COLUMNS = ("event_id", "event_name", "measure", "munition_type_id", "side_id", "best", "low", "high", "claims",
                "claim_ids", "claimant_ids")
GROUP = ("event_id", "measure", "munition_type_id")
DESCRIPTIONS = {
    "event_id": "The event (events.event_id) the claim is linked to.",
    "event_name": "The event's name (events.name).",
    "measure": "What is counted: a count field of the claims table without its bounds (launched, intercepted, "
               "killed, ...).",
    "munition_type_id": "The claim's munition type (munition_types); empty for a table without one.",
    "claimant_id": "Who makes the claim (actors).",
    "side_id": "The top of the claimant's actor parent chain: the Ukrainian Air Force's is ukraine.",
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
    types.update(best=pl.Int64, low=pl.Int64, high=pl.Int64, update_date=pl.Date)
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

    parts = []
    for rank, measure in enumerate(measures):
        low, high = schema.bounds(measure)
        parts.append(frame.select(
            pl.col(event).cast(pl.String).alias("event_id"), pl.lit(measure).alias("measure"),
            pl.lit(rank).alias("__rank"), text("munition_type_id"), text("claimant_id"),
            count(measure, "best"), count(low, "low"), count(high, "high"), text("certainty"), text("hedge"),
            pl.lit(name).alias("claim_table"), pl.col(key).cast(pl.String).alias("claim_id"), text("update_id"),
            text("event_link"), pl.col("superseded_by").cast(pl.String)))
    out = pl.concat(parts)
    return out.filter(pl.any_horizontal(pl.col("best", "low", "high").is_not_null()))


def figures_frame(package: Package, *, latest: bool = False) -> pl.DataFrame:
    """:func:`event_figures` (``by="claimant"``) of an opened package, as a Polars DataFrame."""
    return _figures(package, latest=latest).select(COLUMNS)


def _figures(package: Package, *, latest: bool) -> pl.DataFrame:
    """The claim rows with ``__rank``: the measure's place (tables in order, then their fields)."""
    import polars as pl

    from .validation.context import ROOT, with_root

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
    claimant = _fk(first, "claimant_id")
    if claimant is not None and claimant.resource in package.resources:
        actors = with_root(_frame(package, claimant.resource), schemas[claimant.resource])
        side = pl.col(ROOT) if ROOT in actors.columns else pl.col(claimant.reference_fields[0])
        out = out.join(actors.select(pl.col(claimant.reference_fields[0]).alias("claimant_id"),
                                     side.alias("side_id")), on="claimant_id", how="left")
    else:
        out = out.with_columns(pl.col("claimant_id").alias("side_id"))
    update = _fk(first, "update_id")
    if update is not None and update.resource in package.resources:
        updates = _frame(package, update.resource)
        out = out.join(updates.select(pl.col(update.reference_fields[0]).alias("update_id"),
                                      pl.col("published_date").alias("update_date"),
                                      pl.col("source_id").cast(pl.String)), on="update_id", how="left")
    else:
        out = out.with_columns(pl.lit(None, pl.Date).alias("update_date"), pl.lit(None, pl.String).alias("source_id"))
    out = out.with_columns(pl.col("measure").replace_strict(ranks, return_dtype=pl.Int64).alias("__rank"))
    return out.sort("event_id", "__rank", "munition_type_id", "side_id", "claimant_id", "claim_table", "claim_id",
                    nulls_last=True).select(*COLUMNS, "__rank")


def _ends(frame: pl.DataFrame) -> pl.DataFrame:
    """Each claim's range: ``__lower`` = low or best, ``__upper`` = high or best (null: no upper bound)."""
    import polars as pl

    return frame.with_columns(pl.coalesce("low", "best").alias("__lower"), pl.coalesce("high", "best").alias("__upper"))


def side_frame(package: Package) -> pl.DataFrame:
    """:func:`event_figures` with ``by="side"`` of an opened package, as a Polars DataFrame."""
    import polars as pl

    claims = _ends(_figures(package, latest=True)).with_columns(
        (pl.col("claim_table") + ":" + pl.col("claim_id")).alias("__claim"))
    keys = ["event_id", "event_name", "measure", "munition_type_id", "side_id"]
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
    return out.sort("event_id", "__rank", "munition_type_id", "side_id", nulls_last=True).select(SIDE_COLUMNS)


def disputes_frame(package: Package, *, by: str = "claimant") -> pl.DataFrame:
    """:func:`disputes` of an opened package, as a Polars DataFrame."""
    import polars as pl

    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}, not {by!r}")
    member = "claimant_id" if by == "claimant" else "side_id"
    claims = _ends(figures_frame(package, latest=True))
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
