"""Import the "Massive Missile Attacks on Ukraine" dataset into conflictdata's tables.

The dataset (Petro Ivaniuk; one CSV row per attack window and weapon model, as posted by the
Ukrainian Air Force and others) becomes a package in conflictdata's tables plus a
``lineage`` table, and is then validated like any package. Every row keeps the input line it
came from, so each fault is reported at the *input's* line.

How columns map (decisions the source leaves open are documented in the README):

==========================  ==============================================================
input column                output
==========================  ==============================================================
source                      one ``sources`` row and one ``updates`` row per post; the
                            page decides the claimant (:mod:`.posts`)
model                       ``munition_type_id`` (:mod:`.munition_catalogue`)
time_start, time_end        ``window_start``/``window_end``; precision ``minute`` when both
                            give a time, else ``day`` (both then at 00:00, the given time
                            kept in ``notes``)
launch_place, target        ``launch_place_id``/``target_place_id`` (:mod:`.places`), with
                            precision ``within`` for a city, else ``region`` (an oblast, a
                            sea, a country: the dataset names nothing smaller)
launched                    ``launched``
destroyed                   ``intercepted``
not_reach_goal              ``lost``
still_attacking             ``still_airborne``
border_crossing             ``returned``: crossings to Russia and Belarus; others in notes
every other column          ``notes``, as ``column: value``
==========================  ==============================================================

Times are written as the dataset gives them, as Kyiv wall-clock time (the package's
``timeZone``; the Air Force posts in Kyiv time). The rows of one post with the same window
(both ends given, start before end) are one attack: one ``events`` row (kind ``attack``, the
window of its rows, ``identified_by`` curator) that they point at with ``event_link``
``curator``; a row without such a window is linked to no event. The dataset names no
attacker, so events have none either. No casualty or damage reports are made.

Counts are written as integers ("19.0" gives 19). A count that is not a whole number, or not
a number, is written as the source gave it, so validation reports it at its input line: a
row is never dropped, rounded or "fixed".
"""

from __future__ import annotations

import ast
import datetime as _dt
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..checksums import sha256_file
from ..feedback import task
from ..report import Fault, Report
from .csvinput import Columns, InputTable, read_input
from .munition_catalogue import CATALOGUE_COLUMNS, MunitionCatalogue
from .places import Places
from .posts import PAGES, Actors, Post, parse_post
from .slugs import IdRegistry

DAILY_COLUMNS = Columns(
    required=("time_start", "time_end", "model", "launched", "destroyed", "source"),
    optional=("launch_place", "target", "target_main", "not_reach_goal", "still_attacking", "border_crossing",
              "is_shahed", "num_hit_location", "num_fall_fragment_location", "carrier", "turbojet",
              "turbojet_destroyed", "affected region", "destroyed_details", "launched_details",
              "launch_place_details"),
    renamed={"affected_region": "affected region"},
)
# munitions count field -> input column
COUNTS = {"launched": "launched", "intercepted": "destroyed", "lost": "not_reach_goal",
          "still_airborne": "still_attacking"}
RETURNED_TO = ("russia", "belarus")  # crossing back to the attacking side counts as returned
# Output field -> the input column it is made from, to name the input's column in a fault.
FIELD_SOURCES = {
    "munitions": {**COUNTS, "returned": "border_crossing", "window_start": "time_start",
                  "window_end": "time_end", "window_precision": "time_start", "munition_type_id": "model",
                  "launch_place_id": "launch_place", "target_place_id": "target", "update_id": "source",
                  "claimant_id": "source"},
    "sources": {"url": "source", "archive_ref": "source"},
    "munition_types": {"name": "model", "model": "model"},
}
_NOTED = ("target_main", "is_shahed", "num_hit_location", "num_fall_fragment_location", "carrier", "turbojet",
          "turbojet_destroyed", "affected region", "launched_details", "destroyed_details", "launch_place_details")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d*)?")
_MOMENT = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_MAX_NOTES = 2000
DATASET = "Massive Missile Attacks on Ukraine (Petro Ivaniuk)"
SOCIAL = ("Facebook", "Telegram")


@dataclass
class ImportedTables:
    """The tables made from the input, before anything is written.

    ``tables`` maps a table name to its rows (dicts, in the order they are written);
    ``origins`` maps a table name to the ``(input file, line)`` of each of those rows.
    """

    tables: dict[str, list[dict]]
    origins: dict[str, list[tuple[str, int]]]
    inputs: dict[str, Path]  # input file name -> the path as given
    descriptor: dict

    def origin_of(self, table: str, line: int | None) -> tuple[str, int] | None:
        """The input ``(file, line)`` of the row on ``line`` of ``table``'s CSV (header = line 1)."""
        rows = self.origins.get(table, [])
        if line is None or not 2 <= line <= len(rows) + 1:
            return None
        return rows[line - 2]


@dataclass
class ImportResult:
    """What an import did: where it wrote, how many rows, and the faults at their input lines."""

    out: Path
    counts: dict[str, int]
    report: Report  # faults, each at its input file and line
    output_report: Report  # the same faults as validation found them in the written package
    seconds: float = 0.0


def import_missile_attacks(daily: str | os.PathLike, out: str | os.PathLike, *,
                           catalog: str | os.PathLike | None = None, force: bool = False) -> ImportResult:
    """Import the daily CSV (and optionally the models catalogue) into a package in ``out``, then validate it.

    Parameters
    ----------
    daily : path
        ``missile_attacks_daily.csv``.
    out : path
        Folder to write the package into; it must not exist or be empty (``force`` replaces
        a package folder).
    catalog : path, optional
        ``missiles_and_uavs.csv``; without it every weapon's category is ``other``.

    Returns
    -------
    ImportResult
        ``report.valid`` is False when the data has faults; ``report`` names input lines.

    Raises
    ------
    InputFileError
        An input cannot be read, or its header is not one the importer knows.
    OutputExistsError
        ``out`` is not empty and ``force`` is not set, or is not a package folder.

    Examples
    --------
    >>> r = import_missile_attacks("missile_attacks_daily.csv", "attacks",
    ...                            catalog="missiles_and_uavs.csv")      # doctest: +SKIP
    >>> r.report.valid, r.report.errors[0].row                         # doctest: +SKIP
    (False, 6)
    """
    from ..package import open_package
    from ..validation import validate_package
    from .writer import check_destination, write_package

    started = time.perf_counter()
    out = Path(out)
    check_destination(out, force)
    # On a terminal (see conflictdata.feedback): read and build, write, validate, trace.
    with task(f"import {Path(daily).name}", total=4) as overall:
        result = build(daily, catalog=catalog)
        overall.advance()
        with task(f"write the package into {out} ({sum(map(len, result.tables.values())):,} rows)"):
            write_package(out, result.descriptor, result.tables, force=force)
        overall.advance()
        output_report = validate_package(open_package(out))
        overall.advance()
        with task("trace the faults to their input lines"):
            report = trace(output_report, result, out)
        overall.advance()
    counts = {name: len(rows) for name, rows in result.tables.items()}
    return ImportResult(out, counts, report, output_report, time.perf_counter() - started)


# --- building the tables -----------------------------------------------------------------

def build(daily: str | os.PathLike, *, catalog: str | os.PathLike | None = None) -> ImportedTables:
    """Read the inputs and make every table's rows; nothing is written.

    Examples
    --------
    >>> b = build("missile_attacks_daily.csv", catalog="missiles_and_uavs.csv")   # doctest: +SKIP
    >>> sorted(b.tables)[:3]                                                      # doctest: +SKIP
    ['actors', 'casualty_reports', 'lineage']
    """
    from ..package import locate

    template = locate()
    types_schema = template.resource("munition_types").schema
    categories = next(f for f in types_schema["fields"] if f["name"] == "category")["constraints"]["enum"]
    with task(f"read {Path(daily).name}"):
        table = read_input(daily, DAILY_COLUMNS, "daily attacks file")
    inputs = {table.name: Path(daily)}
    models = MunitionCatalogue(categories)
    if catalog is not None:
        cat = read_input(catalog, CATALOGUE_COLUMNS, "models catalogue")
        models.load(cat)
        inputs[cat.name] = Path(catalog)
    places, actors = Places(), Actors()
    posts: dict[str, _PostInfo] = {}
    source_ids = IdRegistry()
    claim_ids: set[str] = set()
    events = _Events()
    munitions: list[dict] = []
    origins_m: list[tuple[str, int]] = []
    with task(f"build the rows of {table.name}", total=len(table.records)) as step:
        for n, (line, rec) in enumerate(table.records, 1):
            if not n % 4096:  # a step per row would cost more than it shows
                step.advance(4096)
            origin = (table.name, line)
            text = {k: " ".join(v.split()) for k, v in rec.items()}
            post = parse_post(text["source"]) if text["source"] else None
            update_id = claimant_id = None
            info: _PostInfo | None = None  # this row's post, if it names one
            if post is not None:
                info = posts.get(post.canonical)
                if info is None:
                    sid = source_ids.get(post.canonical, post.canonical.split("://", 1)[-1])
                    info = posts[post.canonical] = _PostInfo(sid, post, actors.claimant(post, origin), line)
                info.lines.append(line)
                update_id, claimant_id = info.id, info.claimant
            type_id = models.resolve(text["model"], origin)
            window = _window(text["time_start"], text["time_end"])
            event_id = events.claim(update_id, window.fields, origin)
            launch_id = places.resolve(text.get("launch_place", ""), origin)
            target_id = places.resolve(text.get("target", ""), origin)
            row = {
                "claim_id": _claim_id(update_id, type_id, claim_ids),
                "update_id": update_id,
                "claimant_id": claimant_id,
                "event_id": event_id,
                "event_link": event_id and "curator",
                "attacker_id": None,  # the file names no attacker; see the README
                "munition_type_id": type_id,
                **window.fields,
                "launch_place_id": launch_id,
                "launch_place_precision": _precision(places, launch_id),
                "target_place_id": target_id,
                "target_place_precision": _precision(places, target_id),
                # a row's counts are the attack's, as the Air Force reports it; its target names where
                "scope": "whole" if target_id else None,
                **{name: _count(text.get(col, "")) for name, col in COUNTS.items()},
                "certainty": "asserted",
            }
            returned, crossing_notes = _returned(text.get("border_crossing", ""))
            row["returned"] = returned
            row["notes"] = _notes(window.notes + crossing_notes + _other_columns(text))
            munitions.append(row)
            origins_m.append(origin)
            if info is not None:  # (post is not None)
                info.note(type_id and models.types[type_id].name, window.fields)
    tables: dict[str, list[dict]] = {}
    origins: dict[str, list[tuple[str, int]]] = {}

    def put(name: str, rows: list[dict], rows_origins: list[tuple[str, int]]) -> None:
        tables[name], origins[name] = rows, rows_origins

    infos = sorted(posts.values(), key=lambda i: i.id)
    put("sources", [i.source_row(table.name, actors.actors[i.claimant].name) for i in infos],
        [(table.name, i.first_line) for i in infos])
    put("updates", [i.update_row(table.name) for i in infos], [(table.name, i.first_line) for i in infos])
    actor_list = sorted(actors.actors.values(), key=lambda a: a.id)
    put("actors", [a.row() for a in actor_list], [_made_at(a.origin) for a in actor_list])
    place_list = sorted(places.places.values(), key=lambda p: p.id)
    put("places", [p.row() for p in place_list], [_made_at(p.origin) for p in place_list])
    type_list = sorted(models.types.values(), key=lambda t: t.id)
    put("munition_types", [t.row() for t in type_list], [_made_at(t.origin) for t in type_list])
    put("events", events.rows, events.origins)
    put("munitions", munitions, origins_m)
    # Every other table of the package (casualties, damage, the loss tables): empty, the dataset has none.
    tables = {name: tables.get(name, []) for name in template.resources}
    origins = {name: origins.get(name, []) for name in template.resources}
    keys = {name: template.resource(name).schema.get("primaryKey", []) for name in tables}
    lineage = []
    for name, rows in tables.items():
        key = keys[name][0] if isinstance(keys[name], list) else keys[name]
        for row, (file, line) in zip(rows, origins[name], strict=True):
            lineage.append({"table": name, "row_id": row[key], "input_file": file, "input_line": line})
    tables["lineage"] = lineage
    origins["lineage"] = [(r["input_file"], r["input_line"]) for r in lineage]
    return ImportedTables(tables, origins, inputs, _descriptor(table, inputs))


def _precision(places: Places, place_id: str | None) -> str | None:
    """How a claim places it: ``within`` a city, else somewhere in the ``region`` named."""
    if place_id is None:
        return None
    place = places.places.get(place_id)
    return "within" if place is not None and place.kind == "city" else "region"


_ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


class _Events:
    """One ``events`` row per post and attack window: the attack the rows of that window count."""

    def __init__(self) -> None:
        self.ids = IdRegistry()
        self.rows: list[dict] = []
        self.origins: list[tuple[str, int]] = []
        self._lines: dict[str, list[int]] = {}
        self._by_id: dict[str, dict] = {}

    def claim(self, update_id: str | None, window: dict, origin: tuple[str, int]) -> str | None:
        """The event of a row of ``update_id`` with ``window``; None without a whole window."""
        start, end = window.get("window_start") or "", window.get("window_end") or ""
        if update_id is None or not (_ISO.fullmatch(start) and _ISO.fullmatch(end) and start < end):
            return None
        key = f"{update_id}|{start}|{end}"
        new = key not in self.ids
        event_id = self.ids.get(key, f"{update_id}-attack-{start[:10]}")
        if new:
            self._lines[event_id] = []
            self.origins.append(origin)
            self._by_id[event_id] = {
                "event_id": event_id,
                "name": f"Attack of {start.replace('T', ' ')[:16]} to {end.replace('T', ' ')[:16]}",
                "kind": "attack", "window_start": start, "window_end": end,
                "window_precision": window.get("window_precision"), "identified_by": "curator",
                "description": (f"The attack that post {update_id} counts in the window {start} to {end} (Kyiv "
                                "time), as the dataset records it.")[:1000],
            }
            self.rows.append(self._by_id[event_id])
        self._lines[event_id].append(origin[1])
        row = self._by_id[event_id]
        lines = self._lines[event_id]
        row["notes"] = (f"Grouped by conflictdata's missile-attacks importer: the dataset's rows of this post with "
                        f"this window ({origin[0]} line{'s' if len(lines) > 1 else ''} "
                        f"{', '.join(map(str, lines[:20]))}{' and more' if len(lines) > 20 else ''}), one row "
                        "per weapon model.")[:2000]
        return event_id


def _made_at(origin: tuple[str, int] | None) -> tuple[str, int]:
    """An entity's (input file, line): the importer's registries record it for every entity they make."""
    assert origin is not None
    return origin


@dataclass
class _PostInfo:
    """What the rows of one post say, gathered for its source and update rows."""

    id: str
    post: Post
    claimant: str
    first_line: int
    lines: list[int] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    days: list[str] = field(default_factory=list)

    def note(self, model: str | None, window: dict) -> None:
        if model and model not in self.models:
            self.models.append(model)
        for k in ("window_start", "window_end"):
            value = window.get(k) or ""
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", value):
                self.days.append(value[:10])

    def _lines(self, file: str) -> str:
        shown = ", ".join(str(n) for n in self.lines[:20])
        more = f" and {len(self.lines) - 20} more" if len(self.lines) > 20 else ""
        return f"{file} line{'s' if len(self.lines) > 1 else ''} {shown}{more}"

    def source_row(self, file: str, publisher: str) -> dict:
        p = self.post
        on = f" on {p.platform}" if p.platform and p.platform != p.page else ""
        title = f"{p.what.title()} by {publisher}{on}" if p.page else f"{p.what.title()}{on or ' on the web'}"
        known = (p.page or "").casefold() in PAGES
        return {
            "source_id": self.id,
            "publisher": publisher[:200],
            "title": title[:500],
            "url": p.url,
            "kind": "official_post" if known else "social_media_post" if p.platform in SOCIAL else "other",
            "published_date": None,
            "retrieved_date": None,
            "language": None,
            "archive_ref": p.path[:500],
            "notes": (f"The dataset '{DATASET}' ({self._lines(file)}) gives only the post's path, not its title, "
                      "date or text, so the title is a description, not the published one."
                      + ("" if p.url else " The path does not say which site it is on, so url is empty.")),
        }

    def update_row(self, file: str) -> dict:
        models = ", ".join(self.models[:6]) + (f" and {len(self.models) - 6} more" if len(self.models) > 6 else "")
        days = sorted(self.days)
        span = ""
        if days:
            span = f" in attack windows on {days[0]}" if days[0] == days[-1] else \
                f" in attack windows from {days[0]} to {days[-1]}"
        summary = (f"Counts of launched and destroyed {models or 'weapons'}{span}, as the dataset "
                   f"records this post ({len(self.lines)} row{'s' if len(self.lines) > 1 else ''}).")
        return {"update_id": self.id, "source_id": self.id, "sequence": 1, "published_date": None,
                "published_time": None, "headline": None, "summary": summary[:2000],
                "notes": f"Made by conflictdata's missile-attacks importer from {self._lines(file)}."}


def _claim_id(update_id: str | None, type_id: str | None, taken: set[str]) -> str:
    base = f"{update_id or 'no-source'}-{type_id or 'no-model'}"
    ident, n = base, 2
    while ident in taken:  # the same post counting the same weapon twice (e.g. two windows)
        ident, n = f"{base}-{n}", n + 1
    taken.add(ident)
    return ident


# --- cells -------------------------------------------------------------------------------

def _count(text: str) -> str | None:
    """A count as the munitions table writes it: '19.0' gives '19'; anything else stays as written.

    Examples
    --------
    >>> _count("19.0"), _count(""), _count("2.5"), _count("n/a")
    ('19', None, '2.5', 'n/a')
    """
    t = text.strip()
    if not t:
        return None
    if _NUMBER.fullmatch(t):
        whole, _, frac = t.partition(".")
        if not frac.strip("0"):
            return str(int(whole))
    return t  # validation reports it (type-error) at this row's input line


def _number_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _literal(text: str):
    """A Python literal as the dataset writes it ("{'russia': 1.0}", NaN for missing); None if it is not one."""
    t = text.strip()
    if not t or len(t) > 10_000:
        return None
    try:
        return ast.literal_eval(re.sub(r"\bnan\b", "None", t, flags=re.IGNORECASE))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _returned(text: str) -> tuple[str | None, list[str]]:
    """``returned`` and notes from border_crossing (e.g. "{'russia': 1.0, 'belarus': 2.0}")."""
    t = text.strip()
    if not t or t == "{}":
        return None, []
    value = _literal(t)
    if not isinstance(value, dict):
        return t, []  # not a dict: kept as written, so validation reports it here
    given = {str(k): v for k, v in value.items() if v is not None}
    notes = ["border_crossing: " + ", ".join(f"{k} {_number_text(v)}" for k, v in given.items())] if given else []
    back = [v for k, v in given.items() if k.casefold() in RETURNED_TO]
    others = [k for k in given if k.casefold() not in RETURNED_TO]
    if others:
        notes.append(f"only crossings to {' and '.join(c.title() for c in RETURNED_TO)} count as returned")
    if not back:
        return None, notes
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in back):
        return t, notes
    total = sum(back)
    return (str(int(total)) if float(total).is_integer() else str(total)), notes


@dataclass
class _Window:
    fields: dict
    notes: list[str]


def _moment(text: str) -> tuple[_dt.datetime, bool] | None:
    m = _MOMENT.fullmatch(text)
    if not m:
        return None
    y, mo, d, h, mi, s = m.groups()
    try:
        moment = _dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
    except ValueError:
        return None
    return moment, h is not None


def _window(start: str, end: str) -> _Window:
    """window_start, window_end and window_precision from time_start and time_end.

    Examples
    --------
    >>> _window("2024-06-01", "2024-06-02 09:00").fields
    {'window_start': '2024-06-01T00:00:00', 'window_end': '2024-06-02T00:00:00', 'window_precision': 'day'}
    >>> _window("2024-01-02 3:05", "2024-01-02 07:00").fields["window_start"]
    '2024-01-02T03:05:00'
    """
    a, b = (_moment(start) if start else None), (_moment(end) if end else None)
    notes: list[str] = []
    if (start and a is None) or (end and b is None):
        # Not a date: written as given so validation reports it here; the precision is unknown.
        def text(raw, parsed):
            if parsed is None:
                return raw or None
            return parsed[0].strftime("%Y-%m-%dT%H:%M:%S")
        return _Window({"window_start": text(start, a), "window_end": text(end, b), "window_precision": None}, notes)
    if a is None and b is None:
        return _Window({"window_start": None, "window_end": None, "window_precision": None}, notes)
    timed = all(p is None or p[1] for p in (a, b))
    fmt = "%Y-%m-%dT%H:%M:%S" if timed else "%Y-%m-%dT00:00:00"
    if not timed:
        for name, raw, p in (("time_start", start, a), ("time_end", end, b)):
            if p is not None and p[1]:
                notes.append(f"{name} gives a time ({raw}) but the other end a date only, so the precision is day")
    return _Window({"window_start": a and a[0].strftime(fmt), "window_end": b and b[0].strftime(fmt),
                    "window_precision": "minute" if timed else "day"}, notes)


def _other_columns(text: dict[str, str]) -> list[str]:
    out = []
    for col in _NOTED:
        raw = text.get(col, "")
        if not raw:
            continue
        value = _literal(raw) if raw[:1] in "{[" else None
        if isinstance(value, dict):
            shown = ", ".join(f"{k} {_number_text(v)}" for k, v in value.items() if v is not None)
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value)
        elif _NUMBER.fullmatch(raw):
            shown = _count(raw) or raw
        else:
            shown = raw
        if shown:
            out.append(f"{col}: {shown}")
    return out


def _notes(parts: list[str]) -> str | None:
    if not parts:
        return None
    text = "; ".join(parts) + "."
    if len(text) > _MAX_NOTES:
        text = text[: _MAX_NOTES - 40].rstrip() + " … (cut; the input line has the rest)."
    return text


# --- the package around the tables ---------------------------------------------------------

def _descriptor(daily: InputTable, files: dict[str, Path]) -> dict:
    from .. import __version__

    inputs: list[dict[str, Any]] = [{"file": name, "sha256": sha256_file(path)} for name, path in files.items()]
    inputs[0]["records"] = len(daily.records)
    return {
        "name": "missile-attacks-import",
        "title": f"{DATASET}, imported into conflictdata's tables",
        "description": (f"Made by conflictdata {__version__} ('conflictdata import missile-attacks') from "
                        f"{', '.join(i['file'] for i in inputs)}. Third-party data: the counts are the claims of the "
                        "posts the dataset cites, as the dataset records them; its licence is not stated here. "
                        "The lineage table gives each row's input line."),
        "profile": "tabular-data-package",
        "sources": [{"title": f"{DATASET}: {i['file']}"} for i in inputs],
        "x-conflictdata-import": {"importer": "missile-attacks", "conflictdata": __version__, "inputs": inputs},
    }


# --- faults at their input lines -------------------------------------------------------------

def trace(report: Report, result: ImportedTables, out: Path) -> Report:
    """The faults of the written package, each moved to the input file and line its row came from.

    A fault in a row the input made (every row but the header) names the input file (as given
    to the importer), its line and, where one output field comes from one input column, that
    column; the message says where in the written package the value is.
    """
    inputs = ", ".join(str(p) for p in result.inputs.values())
    traced = Report(checked=f"{inputs} (imported into {out})", strict=report.strict)
    traced.omitted.update(report.omitted)
    for f in report.faults:
        origin = result.origin_of(f.resource, f.row)
        where = f"{f.resource}.{f.field}" if f.field else f.resource
        if origin is None:
            traced.add(Fault(f.resource, str(out / f.path) if f.path else str(out), f.row, f.field, f.value,
                             f.code, f.message, f.severity))
            continue
        file, line = origin
        column = FIELD_SOURCES.get(f.resource, {}).get(f.field or "")
        traced.add(Fault(f.resource, str(result.inputs.get(file, file)), line, column, f.value, f.code,
                         f"{f.message} ({where}, line {f.row} of {out / f.path})", f.severity))
    return traced
