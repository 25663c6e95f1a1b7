"""Events a submission's new claims may belong to, and events its new events may duplicate.

A dry run (``conflictdata add --dry-run``) proposes; it never links: nothing is written and
no ``event_id`` is filled in. For every new claim without an ``event_id`` (claims tables are
the tables with a foreign key into ``events``, :func:`conflictdata.events.claim_tables`), the
events of the package as it would be after the merge (the file's own new events included)
are ranked by their reasons; for every new event, so are the events already in the package.

The reasons, and the points each adds to the score that ranks them:

- ``windows overlap`` (4): the claim's window and the event's overlap. Datetime windows are
  half-open (a munitions claim's ``window_start``/``window_end``, an event's); date ranges
  are inclusive (``event_start``/``event_end`` of casualty and damage reports), so their end
  is the midnight after the last day. A window is the schema's first date or datetime fields
  named ``*_start`` and ``*_end``; a window with one end only is open on the other side; a
  window with neither (an event with no window) overlaps nothing.
- ``same place`` (3) or ``one place inside the other`` (2): the claim's place (its
  :data:`PLACE_FIELDS`) and the event's, through the places' parent chain.
- ``same attacker side`` (2): the claim's attacker (the key of its ``__attacker_side``
  lookup in :mod:`conflictdata.validation.context`: ``attacker_id``, ``perpetrator_id``) and
  the event's, compared at the top of the actors' parent chain (``ROOT``).
- ``same munition class`` (1): the class (:data:`conflictdata.events.CLASS_FIELD`) of the claim's munition type is that
  of a claim already linked to the event.

An event is proposed only when its window overlaps or its place matches (attacker sides and
munition classes are shared by too many events to propose one on their own). Proposals are
ranked by score, then by the event's window (the shorter, the more specific, first), then by
id; at most :data:`LIMIT` per claim or event. Everything is a few joins in Polars over the
file's few rows and the package's events, never a Python loop over the events.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

    from ..schema import TableSchema
    from .merge import State, Table
    from .rows import NewRow

LIMIT = 5
# Where a claim or an event happened: the first of these fields its table has (a munitions
# claim's target, not its launch place).
PLACE_FIELDS = ("target_place_id", "place_id")
POINTS = {"overlap": 4, "same_place": 3, "nested_place": 2, "side": 2, "class": 1}


@dataclass(frozen=True)
class Candidate:
    """One event proposed, its score and its reasons in words."""

    event_id: str
    score: int
    reasons: tuple[str, ...]
    in_file: bool = False  # the event is declared in the same submission

    def to_dict(self) -> dict:
        return {"event_id": self.event_id, "score": self.score, "reasons": list(self.reasons),
                "in_file": self.in_file}


@dataclass(frozen=True)
class Proposal:
    """The events a new claim may belong to (``kind="claim"``) or a new event may duplicate (``"event"``)."""

    kind: str
    table: str
    id: str
    file: str
    line: int | None
    candidates: tuple[Candidate, ...]

    def render(self) -> str:
        """One line, e.g. ``claim munitions:x (f.yaml line 12): may belong to 1. ev (windows overlap; ...)``."""
        verb = "may belong to" if self.kind == "claim" else "may duplicate"
        where = f"{self.file} line {self.line}" if self.line else self.file
        listed = ", ".join(f"{i}. {c.event_id}{' (in this file)' if c.in_file else ''} ({'; '.join(c.reasons)})"
                           for i, c in enumerate(self.candidates, 1))
        return f"{self.kind} {self.table}:{self.id} ({where}): {verb} {listed}"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "table": self.table, "id": self.id, "path": self.file, "row": self.line,
                "candidates": [c.to_dict() for c in self.candidates]}


def render_proposals(proposals: list[Proposal]) -> str:
    """The block ``add --dry-run`` prints after its report ('' when there is nothing to propose)."""
    if not proposals:
        return ""
    head = "event proposals (nothing is linked: where you agree, write event_id and event_link yourself):"
    return "\n".join([head, *(p.render() for p in proposals)])


def propose(state: State, rows: list[NewRow]) -> list[Proposal]:
    """The proposals for ``rows`` (one file's new rows) in ``state`` (the package with them added)."""
    import polars as pl

    from ..events import EVENTS, claim_tables

    layout = state.layout
    if EVENTS not in layout.schemas:
        return []
    tables = claim_tables(state.package)
    ev_schema = layout.schemas[EVENTS]
    ev_key = ev_schema.primary_key[0]
    links = {t: next(fk.fields[0] for fk in layout.schemas[t].foreign_keys
                     if fk.resource == EVENTS and len(fk.fields) == 1) for t in tables}
    claims = [r for r in rows if r.table in tables and not r.cells.get(links[r.table])]
    events = [r for r in rows if r.table == EVENTS]
    if not claims and not events:
        return []
    ctx = _Context(state)
    mine = {r.cells[ev_key] for r in events}
    # the package's events (this file's among them) with their window, side and place
    known = ctx.described(EVENTS, _frame(state.tables[EVENTS], _needed(ev_schema, EVENTS)), ev_key)
    known = known.with_columns(pl.col("__id").is_in(list(mine)).alias("__in_file"))
    classes = ctx.event_classes(tables, links)
    subjects = [*claims, *events]
    parts = []
    for table in dict.fromkeys(r.table for r in subjects):
        schema = layout.schemas[table]
        key = schema.primary_key[0]
        these = [(i, r) for i, r in enumerate(subjects) if r.table == table]
        cols = _needed(schema, table)
        raw = pl.DataFrame({c: [r.cells.get(c) or None for _, r in these] for c in {key, *cols}},
                           schema={c: pl.String for c in {key, *cols}})
        described = ctx.described(table, raw, key).with_columns(
            pl.Series("__subject", [i for i, _ in these], pl.Int64))
        parts.append(described)
    subject = pl.concat(parts, how="diagonal_relaxed")
    # a subject's classes: a claim's munition type's; a new event's, those of the claims linked to it
    own = ctx.claim_classes(subject, subjects, tables)
    ranked = _rank(subject, known, classes, own, ctx.nested)
    out = []
    by_subject = ranked.partition_by("__subject", as_dict=True) if not ranked.is_empty() else {}
    for i, r in enumerate(subjects):
        found = by_subject.get((i,))
        if found is None or found.is_empty():
            continue
        key = layout.schemas[r.table].primary_key[0]
        cands = tuple(Candidate(row["__id_right"], row["__score"], tuple(_reasons(row)), row["__in_file"])
                      for row in found.iter_rows(named=True))
        out.append(Proposal("claim" if r.table in tables else "event", r.table, r.cells[key], r.origin.file,
                            r.origin.line, cands))
    return out


def _reasons(row: dict) -> list[str]:
    out = []
    if row["__overlap"]:
        out.append("windows overlap")
    if row["__same_place"]:
        out.append(f"same place: {row['__place']}")
    elif row["__nested_place"]:
        inner, outer = ((row["__place"], row["__place_right"]) if row["__s_in_e"]
                        else (row["__place_right"], row["__place"]))
        out.append(f"one place inside the other: {inner} is in {outer}")
    if row["__same_side"]:
        out.append(f"same attacker side: {row['__side']}")
    if row["__class_match"] is not None:
        out.append(f"same munition class: {row['__class_match']}")
    return out


def _rank(subject: pl.DataFrame, known: pl.DataFrame, classes: pl.DataFrame, own: pl.DataFrame,
          nested: pl.DataFrame) -> pl.DataFrame:
    """Every (subject, event) pair with a reason to propose it, scored, best first, :data:`LIMIT` per subject."""
    import polars as pl

    pairs = subject.join(known, how="cross", suffix="_right")
    # a new event is compared with the events already there, never with itself or the file's others
    pairs = pairs.filter(~(pl.col("__is_event") & pl.col("__in_file")))
    far_past, far_future = pl.datetime(1, 1, 1), pl.datetime(9999, 1, 1)
    has = (pl.col("__start").is_not_null() | pl.col("__end").is_not_null())
    has_e = (pl.col("__start_right").is_not_null() | pl.col("__end_right").is_not_null())
    overlap = (has & has_e & (pl.col("__start").fill_null(far_past) < pl.col("__end_right").fill_null(far_future))
               & (pl.col("__start_right").fill_null(far_past) < pl.col("__end").fill_null(far_future)))
    pairs = pairs.with_columns(overlap.fill_null(False).alias("__overlap"),
                               (pl.col("__place") == pl.col("__place_right")).fill_null(False).alias("__same_place"),
                               (pl.col("__side") == pl.col("__side_right")).fill_null(False).alias("__same_side"))
    inside = nested.with_columns(pl.lit(True).alias("__s_in_e"))
    holds = nested.rename({"__inner": "__outer", "__outer": "__inner"}).with_columns(pl.lit(True).alias("__e_in_s"))
    pairs = (pairs.join(inside, left_on=["__place", "__place_right"], right_on=["__inner", "__outer"], how="left")
             .join(holds, left_on=["__place", "__place_right"], right_on=["__inner", "__outer"], how="left")
             .with_columns(pl.col("__s_in_e").fill_null(False), pl.col("__e_in_s").fill_null(False)))
    pairs = pairs.with_columns((pl.col("__s_in_e") | pl.col("__e_in_s")).alias("__nested_place"))
    pairs = pairs.filter(pl.col("__overlap") | pl.col("__same_place") | pl.col("__nested_place"))
    shared = (own.join(classes, on="__class").group_by("__subject", "__id")
              .agg(pl.col("__class").sort().first().alias("__class_match")))
    pairs = pairs.join(shared, left_on=["__subject", "__id_right"], right_on=["__subject", "__id"], how="left")
    score = (pl.col("__overlap").cast(pl.Int64) * POINTS["overlap"]
             + pl.col("__same_place").cast(pl.Int64) * POINTS["same_place"]
             + (pl.col("__nested_place") & ~pl.col("__same_place")).cast(pl.Int64) * POINTS["nested_place"]
             + pl.col("__same_side").cast(pl.Int64) * POINTS["side"]
             + pl.col("__class_match").is_not_null().cast(pl.Int64) * POINTS["class"])
    span = pl.col("__end_right") - pl.col("__start_right")
    return (pairs.with_columns(score.alias("__score"), span.alias("__span"))
            .sort(["__subject", "__score", "__span", "__id_right"], descending=[False, True, False, False],
                  nulls_last=True)
            .group_by("__subject", maintain_order=True).head(LIMIT))


def _needed(schema: TableSchema, table: str) -> list[str]:
    """The fields of ``table`` the reasons read: its window, its attacker, its place."""
    from ..validation.context import lookup_key

    start, end = window(schema)
    fields = [start, end, lookup_key(table, "__attacker_side"), place_field(schema)]
    return [f for f in fields if f is not None]


def window(schema: TableSchema) -> tuple[str | None, str | None]:
    """The fields that bound a row's window: its first date or datetime fields named ``*_start`` and ``*_end``.

    Examples
    --------
    >>> from conflictdata.package import locate
    >>> from conflictdata.schema import TableSchema
    >>> schemas = {n: TableSchema.from_dict(r.schema) for n, r in locate().resources.items()}
    >>> window(schemas["munitions"]), window(schemas["casualty_reports"]), window(schemas["events"])
    (('window_start', 'window_end'), ('event_start', 'event_end'), ('window_start', 'window_end'))
    """
    dated = [f.name for f in schema.fields if f.type in ("date", "datetime")]
    start = next((n for n in dated if n.endswith("_start")), None)
    return start, next((n for n in dated if n.endswith("_end")), None)


def place_field(schema: TableSchema) -> str | None:
    """The field saying where a row's claim or event happened (the first of :data:`PLACE_FIELDS` it has)."""
    return next((n for n in PLACE_FIELDS if n in schema.names), None)


def _frame(table: Table, columns: list[str]) -> pl.DataFrame:
    """Some columns of a table's records as text (null for an empty cell), straight from the merge's state."""
    import polars as pl

    records = [r for r in table.records if r.key is not None]
    data = {c: [r.get(c) or None for r in records] for c in dict.fromkeys([*table.schema.primary_key, *columns])}
    return pl.DataFrame(data, schema={c: pl.String for c in data})


class _Context:
    """What the reasons look up in other tables: sides, nested places, munition classes."""

    def __init__(self, state: State):
        import polars as pl

        from ..events import EVENTS
        from ..validation.context import ROOT, with_root

        self.state = state
        schemas = state.layout.schemas
        self.side: dict[str, str | None] = {}
        attacker = self._fk(EVENTS, "__attacker_side")
        if attacker is not None and attacker.resource in state.tables:
            actors = state.tables[attacker.resource]
            parent = self._parent(actors.schema)
            frame = with_root(_frame(actors, [parent] if parent else []), actors.schema)
            if ROOT in frame.columns:
                self.side = dict(frame.select(attacker.reference_fields[0], ROOT).iter_rows())
        # (inner, outer) for every place and each place above it on its parent chain
        self.nested = pl.DataFrame(schema={"__inner": pl.String, "__outer": pl.String})
        place = place_field(schemas[EVENTS])
        fk = next((k for k in schemas[EVENTS].foreign_keys if k.fields == (place,)), None)
        if fk is not None and fk.resource in state.tables:
            places = state.tables[fk.resource]
            parent = self._parent(places.schema)
            if parent:
                graph = dict(_frame(places, [parent]).iter_rows())
                pairs = []
                for start in graph:
                    node, seen = graph.get(start), {start}
                    while node is not None and node not in seen:
                        pairs.append((start, node))
                        seen.add(node)
                        node = graph.get(node)
                self.nested = pl.DataFrame(pairs, schema={"__inner": pl.String, "__outer": pl.String},
                                           orient="row")
        self.classes: dict[str, dict[str, str]] = {}  # claims table -> {munition type: class}

    @staticmethod
    def _parent(schema: TableSchema) -> str | None:
        return next((k.fields[0] for k in schema.foreign_keys if k.resource == "" and len(k.fields) == 1), None)

    def _fk(self, table: str, column: str):
        from ..validation.context import lookup_key

        field = lookup_key(table, column)
        return next((k for k in self.state.layout.schemas[table].foreign_keys if k.fields == (field,)), None)

    def class_field(self, table: str) -> tuple[str, dict[str, str]] | None:
        """A claims table's field that names its munition type, and each type's class; None without one."""
        from ..events import CLASS_FIELD

        for fk in self.state.layout.schemas[table].foreign_keys:
            target = self.state.tables.get(fk.resource)
            if len(fk.fields) == 1 and target is not None and CLASS_FIELD in target.schema.names:
                types = _frame(target, [CLASS_FIELD])
                return fk.fields[0], dict(types.select(fk.reference_fields[0], CLASS_FIELD).iter_rows())
        return None

    def described(self, table: str, frame: pl.DataFrame, key: str) -> pl.DataFrame:
        """``__id``, ``__start``/``__end`` (naive datetimes, end excluded), ``__side``, ``__place``, ``__is_event``."""
        import polars as pl

        from ..events import EVENTS
        from ..validation.context import lookup_key

        schema = self.state.layout.schemas[table]
        start, end = window(schema)
        attacker = lookup_key(table, "__attacker_side")
        place = place_field(schema)
        side = (pl.col(attacker).replace_strict(self.side, default=None, return_dtype=pl.String)
                if attacker in frame.columns else pl.lit(None, pl.String))
        return frame.select(
            pl.col(key).alias("__id"), _moment(schema, start, end=False).alias("__start"),
            _moment(schema, end, end=True).alias("__end"), side.alias("__side"),
            (pl.col(place) if place in frame.columns else pl.lit(None, pl.String)).alias("__place"),
            pl.lit(table == EVENTS).alias("__is_event"))

    def event_classes(self, tables: list[str], links: dict[str, str]) -> pl.DataFrame:
        """(``__id``, ``__class``): the munition classes of the claims linked to each event."""
        import polars as pl

        parts = [pl.DataFrame(schema={"__id": pl.String, "__class": pl.String})]
        for table in tables:
            found = self.class_field(table)
            if found is None:
                continue
            field, classes = found
            frame = _frame(self.state.tables[table], [links[table], field]).drop_nulls(links[table])
            parts.append(frame.select(pl.col(links[table]).alias("__id"),
                                      pl.col(field).replace_strict(classes, default=None, return_dtype=pl.String)
                                      .alias("__class")))
        return pl.concat(parts).drop_nulls().unique()

    def claim_classes(self, subject: pl.DataFrame, rows: list[NewRow], tables: list[str]) -> pl.DataFrame:
        """(``__subject``, ``__class``): a new claim's class, or the classes of a new event's claims."""
        import polars as pl

        from ..events import EVENTS

        pairs: list[tuple[int, str]] = []
        by_event: dict[str, set[str]] = {}
        for table in tables:
            found = self.class_field(table)
            if found is None:
                continue
            field, classes = found
            link = next(fk.fields[0] for fk in self.state.layout.schemas[table].foreign_keys if fk.resource == EVENTS)
            for rec in self.state.tables[table].records:
                if rec.new is not None and rec.get(link) and classes.get(rec.get(field)):
                    by_event.setdefault(rec.get(link), set()).add(classes[rec.get(field)])
            for i, r in enumerate(rows):
                if r.table == table and classes.get(r.cells.get(field, "")):
                    pairs.append((i, classes[r.cells[field]]))
        for i, r in enumerate(rows):
            if r.table == EVENTS:
                key = self.state.layout.schemas[EVENTS].primary_key[0]
                pairs += [(i, c) for c in sorted(by_event.get(r.cells[key], ()))]
        return pl.DataFrame(pairs, schema={"__subject": pl.Int64, "__class": pl.String}, orient="row")


def _moment(schema: TableSchema, name: str | None, *, end: bool) -> pl.Expr:
    """A window's start or end as a naive wall-clock datetime, the end excluded (a date end: the next midnight)."""
    import polars as pl

    if name is None:
        return pl.lit(None, pl.Datetime("us"))
    if schema.field(name).type == "datetime":
        return pl.col(name).str.slice(0, 19).str.strptime(pl.Datetime("us"), "%Y-%m-%dT%H:%M:%S", strict=False)
    day = pl.col(name).str.strptime(pl.Date, "%Y-%m-%d", strict=False).cast(pl.Datetime("us"))
    return day + pl.duration(days=1) if end else day
