"""Import the General Staff's daily tallies of Russian losses (as the 2022-Ukraine-Russia-War-Dataset gives them).

The dataset (Petro Ivaniuk, MIT licence) transcribes, day by day, the running totals that the
General Staff of the Armed Forces of Ukraine publishes. Three of its files are read, each
pinned by sha256 at one upstream commit (``general_staff.json`` beside this module):

==========================================  ===================================================
input                                       output
==========================================  ===================================================
the commit                                  one ``sources`` row (kind dataset, licence MIT)
each report (equipment and personnel file)  one ``updates`` row, ``general-staff-YYYY-MM-DD``
``personnel``, ``personnel*``             one ``casualty_reports`` row: ``casualties`` (about)
                                            or ``casualties_low`` (more: figure + 1), the
                                            qualifier as ``approximation``
``POW`` (a count, to 2022-04-27)             one more ``casualty_reports`` row, ``captured``,
                                            claimed by the source the upstream README names
                                            for it (Invaders), not by the General Staff
each equipment category key                 one ``equipment_losses`` row (category by alias)
``greatest losses direction``               one ``loss_directions`` row per direction named,
                                            never linked to a place (a direction is not a city)
each correction row and key                 one ``loss_adjustments`` row (claimant: the compiler)
==========================================  ===================================================

Every figure is a running total since 24 February 2022 (the window of every claim), kept as
reported: a total lower than the previous report's is kept and marked in ``notes``; nothing is
differenced, rounded or filled in. Categories come from the package's ``loss_categories``
table (its ``aliases``); the catalogue rows the import needs are added from the pinned file
when the package lacks them. Who claims the POW figures is in the pin too (``attribution``,
citing the upstream README at the pinned commit): the README is not an input and is never read
at run time.

Every input fault (a count that is not an integer, a date out of order or not matching its
day, an unknown key, a category after its merge date, the two daily files disagreeing) is one
line, ``file index N, key 'k': problem`` (:class:`~conflictdata.errors.InputFileError`), and
nothing is written. The merge replaces every row of this source (its source row, its updates
and the claims pointing at them), keeps every other row, validates the package as it would be
and only then writes all tables at once, as ``conflictdata add`` does.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..checksums import sha256_file
from ..errors import InputFileError
from ..feedback import task
from ..package import Package
from ..report import Report
from .slugs import slug

PINS_FILE = Path(__file__).with_name("general_staff.json")
PINS: dict[str, Any] = json.loads(PINS_FILE.read_text(encoding="utf-8"))
COMMIT: str = PINS["commit"]
REPO: str = PINS["repo"]
FILES: dict[str, str] = PINS["files"]
EQUIPMENT, PERSONNEL, CORRECTION = FILES  # the three file names, in the pinned order
ENV_URL = "CONFLICTDATA_GENERAL_STAFF_URL"
DEFAULT_URL = f"https://raw.githubusercontent.com/{REPO}"
SOURCE_ID = f"petroivaniuk-{slug(REPO.split('/', 1)[1])}-{COMMIT[:7]}"
CLAIMANT = "general-staff-of-the-armed-forces-of-ukraine"
COMPILER = "petro-ivaniuk"
RUSSIA = "russian-armed-forces"
DAY_ONE = _dt.date(2022, 2, 24)
DIRECTION = "greatest losses direction"
PERSONNEL_KEYS = ("personnel", "personnel*", "POW")
POW = "POW"
# The upstream README names another source than the General Staff for the POW figures: their
# claimant and the README cited for it (at the pinned commit) are in the pin, not read at run time.
POW_CLAIMANT: str = PINS["attribution"][POW]["claimant_id"]
POW_CITES: str = PINS["attribution"][POW]["cites"]
HEDGES = ("about", "more")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SPLIT = re.compile(r",| and ")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def fault(file: str, index: int | None, key: str | None, problem: str) -> InputFileError:
    """The one-line input fault: ``file index N, key 'k': problem``."""
    where = file + ("" if index is None else f" index {index}") + ("" if key is None else f", key {key!r}")
    return InputFileError(f"{where}: {problem}; nothing was written")


# --- the input files ---------------------------------------------------------------------

def local_inputs(folder: str | os.PathLike) -> dict[str, Path]:
    """The three pinned files in ``folder``, each checked against its pinned sha256."""
    paths = {}
    for name, want in FILES.items():
        path = Path(folder) / name
        if not path.is_file():
            raise InputFileError(f"{path}: no such file; --from needs {', '.join(FILES)} of {REPO}@{COMMIT[:7]}")
        got = sha256_file(path)
        if got != want:
            raise InputFileError(f"{path}: its sha256 is {got}, not the pinned {want} of {REPO}@{COMMIT[:7]}; "
                                 "refused (a changed or other copy); nothing was written")
        paths[name] = path
    return paths


def downloaded_inputs(base_url: str | None = None, cache: str | os.PathLike | None = None) -> dict[str, Path]:
    """The three pinned files at the pinned commit, downloaded once, verified, then read from the cache.

    ``base_url`` (default ``$CONFLICTDATA_GENERAL_STAFF_URL`` or GitHub's raw files) serves
    ``{base}/{commit}/data/{file}``; ``cache`` defaults to the releases' cache folder.
    """
    from ..remote import cache_dir, fetch_file

    base = (base_url or os.environ.get(ENV_URL) or DEFAULT_URL).rstrip("/")
    folder = (Path(cache).expanduser() if cache is not None else cache_dir()) / "general-staff"
    return {name: fetch_file(base, COMMIT, f"data/{name}", want, folder / COMMIT, label=f"{REPO}@{COMMIT[:7]}",
                             what="the importer's pin (conflictdata/importers/general_staff.json)").parent / name
            for name, want in FILES.items()}


def _read_json(path: Path) -> list[dict]:
    name = path.name

    def pairs(items: list[tuple[str, Any]]) -> dict:
        seen: dict[str, Any] = {}
        for k, v in items:
            if k in seen:
                raise fault(name, None, k, "the key appears twice in one object")
            seen[k] = v
        return seen

    try:
        data = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=pairs)
    except UnicodeDecodeError:
        raise fault(name, None, None, "not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise fault(name, None, None, f"not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(data, list):
        raise fault(name, None, None, "not a JSON array of objects")
    for i, rec in enumerate(data):
        if not isinstance(rec, dict):
            raise fault(name, i, None, "not a JSON object")
    return data


def _count(file: str, i: int, key: str, value: Any, *, signed: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise fault(file, i, key, f"the count {json.dumps(value)} is not an integer")
    if value < 0 and not signed:
        raise fault(file, i, key, f"the running total {value} is negative")
    return value


def day_of(date: _dt.date) -> int:
    """The day of the full-scale invasion ``date`` is (24 February 2022 is day 1)."""
    return (date - DAY_ONE).days + 1


def _date(file: str, i: int, rec: dict, *, strict: bool = True) -> _dt.date:
    text, day = rec.get("date"), rec.get("day")
    if not isinstance(text, str) or not _DATE.fullmatch(text):
        raise fault(file, i, "date", f"{json.dumps(text)} is not a date YYYY-MM-DD")
    try:
        date = _dt.date.fromisoformat(text)
    except ValueError:
        raise fault(file, i, "date", f"{text!r} is not a date") from None
    if isinstance(day, bool) or not isinstance(day, int):
        raise fault(file, i, "day", f"{json.dumps(day)} is not an integer")
    if strict and day != day_of(date):
        raise fault(file, i, "day", f"day {day} is not the date {text} (day 1 is {DAY_ONE})")
    return date


def _frag(key: str, value: Any) -> str:
    return f"{json.dumps(key, ensure_ascii=False)}: {json.dumps(value, ensure_ascii=False)}"


def _long_date(d: _dt.date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


# --- the rows ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Category:
    id: str
    kind: str
    merged_on: _dt.date | None


def categories(rows: list[dict[str, str]]) -> dict[str, Category]:
    """Upstream name -> category, from ``loss_categories`` rows (aliases separated by '|')."""
    out: dict[str, Category] = {}
    for row in rows:
        merged = row.get("merged_on") or ""
        cat = Category(row["category_id"], row.get("kind", ""), _dt.date.fromisoformat(merged) if merged else None)
        for alias in (row.get("aliases") or "").split("|"):
            if alias.strip():
                out[alias.strip()] = cat
    return out


def _category(cats: dict[str, Category], file: str, i: int, key: str, date: _dt.date,
              kinds: tuple[str, ...]) -> Category:
    cat = cats.get(key)
    if cat is None or cat.kind not in kinds:
        known = ", ".join(sorted(k for k, c in cats.items() if c.kind in kinds))
        raise fault(file, i, key, f"an unknown key (not an alias in loss_categories; known: {known})")
    if cat.merged_on is not None and date >= cat.merged_on:
        raise fault(file, i, key, f"the category {cat.id} is reported on {date}, on or after its merge date "
                                  f"{cat.merged_on} (loss_categories.merged_on)")
    return cat


@dataclass
class Rows:
    """The rows this source gives, per table (dicts of text cells), and the catalogue rows it needs."""

    tables: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    catalogue: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.tables.items()}


def build(paths: dict[str, Path], category_rows: list[dict[str, str]]) -> Rows:
    """Every row the three files give.

    Raises :class:`InputFileError` at the first input fault.
    """
    cats = categories(category_rows)
    equipment, personnel, corrections = (_read_json(paths[n]) for n in (EQUIPMENT, PERSONNEL, CORRECTION))
    if len(equipment) != len(personnel):
        i = min(len(equipment), len(personnel))
        longer = EQUIPMENT if len(equipment) > len(personnel) else PERSONNEL
        raise fault(longer, i, "date", f"{EQUIPMENT} has {len(equipment)} reports and {PERSONNEL} "
                                       f"{len(personnel)}; the two files must give the same dates")
    out = Rows({t: [] for t in ("sources", "updates", "casualty_reports", "equipment_losses", "loss_directions",
                                "loss_adjustments")})
    out.tables["sources"].append(_source_row())
    previous: dict[str, int] = {}
    dates: dict[str, str] = {}
    last: _dt.date | None = None
    for i, (e, p) in enumerate(zip(equipment, personnel, strict=True)):
        date = _date(EQUIPMENT, i, e)
        if _date(PERSONNEL, i, p) != date:
            raise fault(PERSONNEL, i, "date", f"{p['date']!r} is not the date of {EQUIPMENT} index {i} ({date})")
        if last is not None and date <= last:
            raise fault(EQUIPMENT, i, "date", f"{date} does not come after the previous report's {last}")
        last = date
        update = f"general-staff-{date}"
        dates[date.isoformat()] = update
        out.tables["updates"].append(_update_row(update, i, date, e["day"]))
        out.tables["casualty_reports"].append(_personnel_row(update, i, date, p))
        if p.get(POW) is not None:  # null, like an absent key, states no figure
            out.tables["casualty_reports"].append(_pow_row(update, i, date, p[POW]))
        for key, value in e.items():
            if key in ("date", "day"):
                continue
            if key == DIRECTION:
                out.tables["loss_directions"].extend(_direction_rows(update, i, value))
                continue
            cat = _category(cats, EQUIPMENT, i, key, date, ("equipment", "weapon"))
            lost = _count(EQUIPMENT, i, key, value)
            notes = f"{EQUIPMENT} index {i}."
            before = previous.get(cat.id)
            if before is not None and lost < before:
                notes += f" Lower than the previous report's {before}: kept as reported (a revision)."
            previous[cat.id] = lost
            out.tables["equipment_losses"].append({
                "claim_id": f"{update}-{cat.id}", "update_id": update, "claimant_id": CLAIMANT,
                "category_id": cat.id, "owner_id": RUSSIA, "event_start": DAY_ONE.isoformat(),
                "event_end": date.isoformat(), "figure_kind": "running_total", "lost": str(lost),
                "certainty": "asserted", "quote": _frag(key, value), "notes": notes})
    seen: set[str] = set()
    for i, rec in enumerate(corrections):
        date = _date(CORRECTION, i, rec, strict=False)  # the date decides; a wrong day is noted
        found = dates.get(date.isoformat())
        if found is None:
            raise fault(CORRECTION, i, "date", f"{date} is the date of no daily report in {EQUIPMENT}")
        if date.isoformat() in seen:
            raise fault(CORRECTION, i, "date", f"{date} is corrected by an earlier row too")
        seen.add(date.isoformat())
        update = found
        day_note = "" if rec["day"] == day_of(date) else (
            f" The file gives day {rec['day']}, but {date} is day {day_of(date)} (as in {EQUIPMENT}); the date "
            "is kept, the day is not used.")
        for key, value in rec.items():
            if key in ("date", "day"):
                continue
            cat = _category(cats, CORRECTION, i, key, date, ("equipment", "weapon", "personnel"))
            change = _count(CORRECTION, i, key, value, signed=True)
            out.tables["loss_adjustments"].append({
                "adjustment_id": f"{update}-correction-{cat.id}", "update_id": update, "claimant_id": COMPILER,
                "category_id": cat.id, "adjusted_on": date.isoformat(), "change": str(change),
                "quote": _frag(key, value),
                "notes": (f"{CORRECTION} index {i} (day {rec['day']}): a change of {change} to the running total, "
                          "as the corrections file lists it; the file does not say who made it or why." + day_note)})
    for rows in out.tables.values():
        rows.sort(key=lambda r: next(iter(r.values())))
    return out


def _source_row() -> dict[str, str]:
    sums = "; ".join(f"data/{n} sha256 {h}" for n, h in FILES.items())
    return {
        "source_id": SOURCE_ID,
        "publisher": f"Petro Ivaniuk ({REPO.split('/', 1)[1]})",
        "title": f"{REPO.split('/', 1)[1]}: Russian losses as the General Staff of the Armed Forces of Ukraine "
                 f"reports them, at commit {COMMIT}",
        "url": f"https://github.com/{REPO}/tree/{COMMIT}",
        "kind": "dataset",
        "published_date": PINS["commit_date"],
        "language": "en",
        "archive_ref": f"github:{REPO}@{COMMIT}",
        "license": PINS["license"],
        "notes": (f"{PINS['copyright']}. The dataset transcribes the General Staff's daily reports of Russian "
                  f"losses. Imported by conflictdata's general-staff importer from {sums}. "
                  "published_date is the commit's date; the files were not retrieved from a web page, so "
                  "retrieved_date is empty."),
    }


def _update_row(update: str, i: int, date: _dt.date, day: int) -> dict[str, str]:
    return {
        "update_id": update, "source_id": SOURCE_ID, "sequence": str(i + 1), "published_date": date.isoformat(),
        "summary": (f"The General Staff's daily tally of Russian losses as of {_long_date(date)} (day {day} of the "
                    "full-scale invasion), as the dataset transcribes it."),
        "notes": f"Made by conflictdata's general-staff importer from {EQUIPMENT} and {PERSONNEL}, index {i}.",
    }


def _personnel_row(update: str, i: int, date: _dt.date, rec: dict) -> dict[str, str]:
    for key in rec:
        if key not in ("date", "day", *PERSONNEL_KEYS):
            raise fault(PERSONNEL, i, key, f"an unknown key (known: date, day, {', '.join(PERSONNEL_KEYS)})")
    if "personnel" not in rec:
        raise fault(PERSONNEL, i, "personnel", "missing")
    figure = _count(PERSONNEL, i, "personnel", rec["personnel"])
    hedge = rec.get("personnel*")
    if hedge not in HEDGES:
        raise fault(PERSONNEL, i, "personnel*", f"{json.dumps(hedge)} is not one of {', '.join(HEDGES)}")
    row = {
        "report_id": f"{update}-personnel", "update_id": update, "claimant_id": CLAIMANT,
        "event_start": DAY_ONE.isoformat(), "event_end": date.isoformat(), "victim_actor_id": RUSSIA,
        "victim_group": "military", "figure_kind": "running_total", "certainty": "asserted", "approximation": hedge,
        "quote": ", ".join(_frag(k, rec[k]) for k in PERSONNEL_KEYS if k in rec and k != POW),
    }
    notes = ("Personnel losses (killed and wounded, not split) since 24 February 2022, as the dataset gives "
             "them, so killed stays empty.")
    if hedge == "about":
        row["casualties"] = str(figure)
        notes += f" 'about' {figure} gives casualties {figure}."
    else:
        row["casualties_low"] = str(figure + 1)
        notes += f" 'more' than {figure} gives casualties_low {figure + 1}."
    if POW in rec:
        notes += f" The same record's POW figure is not the General Staff's: it is a row of its own ({update}-pow)." \
            if rec[POW] is not None else " The same record's POW is null: no figure."
    row["notes"] = notes + f" {PERSONNEL} index {i}."
    return row


def _pow_row(update: str, i: int, date: _dt.date, value: Any) -> dict[str, str]:
    """The prisoners of war of one record: claimed by the source the upstream README names for them."""
    captured = _count(PERSONNEL, i, POW, value)
    return {
        "report_id": f"{update}-pow", "update_id": update, "claimant_id": POW_CLAIMANT,
        "event_start": DAY_ONE.isoformat(), "event_end": date.isoformat(), "victim_actor_id": RUSSIA,
        "victim_group": "military", "figure_kind": "running_total", "captured": str(captured),
        "certainty": "asserted", "quote": _frag(POW, value),
        "notes": (f"Prisoners of war since 24 February 2022: POW {captured} gives captured {captured}. Not the "
                  f"General Staff's figure: the dataset's {POW_CITES} {PERSONNEL} index {i}."),
    }


def _direction_rows(update: str, i: int, value: Any) -> list[dict[str, str]]:
    if not isinstance(value, str) or not value.strip():
        raise fault(EQUIPMENT, i, DIRECTION, f"{json.dumps(value)} is not the name of a direction")
    rows, ids = [], set()
    for part in _SPLIT.split(value):
        stated = part.strip()
        ident = f"{update}-direction-{slug(stated)}"
        if not stated or not slug(stated) or ident in ids:
            raise fault(EQUIPMENT, i, DIRECTION, f"{value!r} names an empty or repeated direction")
        ids.add(ident)
        rows.append({
            "direction_id": ident, "update_id": update, "claimant_id": CLAIMANT, "stated": stated,
            "place_id": "", "quote": _frag(DIRECTION, value),
            "notes": (f"{EQUIPMENT} index {i} names {value!r} as the direction of the greatest losses; "
                      f"a direction of the front ({stated!r}) is not the place of that name, so place_id "
                      "is empty."),
        })
    return rows


# --- the merge into a package ----------------------------------------------------------------

@dataclass
class Merge:
    """A package's tables as they are and as the import would leave them (CSV text per data file)."""

    package: Package
    before: dict[str, str]  # resource path -> text now
    after: dict[str, str]  # resource path -> text after the import (only the files it changes)
    rows: Rows
    names: dict[str, str]  # resource path -> table name

    @property
    def changed(self) -> dict[str, str]:
        return {p: t for p, t in self.after.items() if self.before.get(p) != t}


def _claim_tables(package: Package) -> list[str]:
    """Tables whose rows point at an update (their update_id is a foreign key into updates)."""
    out = []
    for name, res in package.resources.items():
        for fk in res.schema.get("foreignKeys", []):
            fields = fk.get("fields")
            if fields in ("update_id", ["update_id"]) and fk.get("reference", {}).get("resource") == "updates":
                out.append(name)
    return out


def plan(package: Package, paths: dict[str, Path]) -> Merge:
    """What importing ``paths`` into ``package`` gives; nothing is written."""
    from ..schema import TableSchema
    from ..submission.merge import read_table, row_text

    tables = {}
    with task(f"read the tables of {package.root.name}", total=len(package.resources)) as step:
        for name in package.resources:
            res = package.resource(name)
            tables[name] = read_table(res, TableSchema.from_dict(res.schema))
            step.advance()

    def dicts(name: str) -> list[dict[str, str]]:
        t = tables[name]
        return [{h: rec.get(h) for h in t.header} for rec in t.records if rec.key is not None]

    # The catalogue rows the package lacks, from the pin (exactly the committed rows).
    catalogue: dict[str, list[dict[str, str]]] = {}
    for name, rows in PINS["catalogue"].items():
        pk = tables[name].schema.primary_key[0]
        have = {r[pk] for r in dicts(name)}
        catalogue[name] = [dict(r) for r in rows if r[pk] not in have]
    with task("build the rows of the General Staff files"):
        rows = build(paths, dicts("loss_categories") + catalogue["loss_categories"])
    rows.catalogue = catalogue
    old_updates = {r["update_id"] for r in dicts("updates") if r.get("source_id") == SOURCE_ID}
    new_updates = {r["update_id"] for r in rows.tables["updates"]}
    ours = old_updates | new_updates
    claim_tables = set(_claim_tables(package))
    before, after, names = {}, {}, {}
    for name, table in tables.items():
        res = package.resource(name)
        before[res.path] = table.render()[0]
        names[res.path] = name
        new = rows.tables.get(name, []) + catalogue.get(name, [])
        if name == "sources":
            drop = lambda rec: rec.get("source_id") == SOURCE_ID  # noqa: E731
        elif name == "updates":
            drop = lambda rec: rec.get("source_id") == SOURCE_ID  # noqa: E731
        elif name in claim_tables:
            drop = lambda rec: rec.get("update_id") in ours  # noqa: E731
        elif not new:
            continue
        else:
            drop = lambda rec: False  # noqa: E731
        kept = [rec for rec in table.records if rec.key is not None and not drop(rec)]
        if len(kept) == sum(rec.key is not None for rec in table.records) and not new:
            continue
        key_fields = table.schema.primary_key
        added = sorted((tuple(r.get(k, "") for k in key_fields), row_text(table.header, r)) for r in new)
        parts, j = [table.head], 0
        for rec in kept:
            while j < len(added) and added[j][0] < (rec.key or ()):
                parts.append(added[j][1])
                j += 1
            parts.append(rec.text if rec.text.endswith("\n") else rec.text + "\n")
        parts.extend(text for _, text in added[j:])
        after[res.path] = "".join(parts)
    return Merge(package, before, after, rows, names)


def validate_merge(merge: Merge) -> Report:
    """The package's own validator on the package as the import would leave it (in a temporary folder)."""
    from ..submission.merge import stage_package
    from ..validation import validate_package

    with tempfile.TemporaryDirectory(prefix="conflictdata-import-") as tmp:
        with task(f"stage the merged package ({len(merge.before)} tables)"):
            staged = stage_package(merge.package, Path(tmp),
                                   lambda res: merge.after.get(res.path, merge.before[res.path]))
        return validate_package(staged)


def differences(merge: Merge, limit: int = 20) -> list[str]:
    """What differs between the package's data and what the import gives: table, key, field."""
    lines: list[str] = []
    total = 0
    for path, new_text in merge.changed.items():
        name = merge.names[path]
        old_rows, header = _keyed(merge.before[path], merge.package, name)
        new_rows, _ = _keyed(new_text, merge.package, name)
        for key in sorted(old_rows.keys() | new_rows.keys()):
            a, b = old_rows.get(key), new_rows.get(key)
            if a == b:
                continue
            total += 1
            if total > limit:
                continue
            if a is None:
                lines.append(f"{name} {key}: missing (the import adds it)")
            elif b is None:
                lines.append(f"{name} {key}: not what the input gives (the import removes it)")
            else:
                for h in header:
                    if a.get(h) != b.get(h):
                        lines.append(f"{name} {key} {h}: {a.get(h)!r} in {path}, the input gives {b.get(h)!r}")
                        break
        if total == 0:
            total += 1
            lines.append(f"{name}: the rows are the same but the file's text differs (order or quoting)")
    if total > limit:
        lines.append(f"... and {total - limit} more difference(s)")
    return lines


def _keyed(text: str, package: Package, name: str) -> tuple[dict[str, dict[str, str]], list[str]]:
    from ..schema import TableSchema

    pk = TableSchema.from_dict(package.resource(name).schema).primary_key
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    rows = {}
    for cells in reader:
        if cells:
            row = dict(zip(header, cells, strict=False))
            rows["|".join(row.get(k, "") for k in pk)] = row
    return rows, header


@dataclass
class ImportOutcome:
    """What ``import general-staff`` did or would do."""

    root: Path
    merge: Merge
    report: Report | None
    written: list[str]
    seconds: float


def import_general_staff(into: str | os.PathLike | None = None, *, from_dir: str | os.PathLike | None = None,
                         check: bool = False, lock_timeout: float = 60.0) -> ImportOutcome:
    """Import the pinned files into the package ``into`` (default: the one in the current folder).

    With ``check`` nothing is written and nothing validated: ``merge.changed`` says whether the
    package's data is what the pinned input gives.
    """
    from ..submission.write import commit, locked, recover
    from ..submit import target_package

    started = time.perf_counter()
    package = target_package(into)
    paths = local_inputs(from_dir) if from_dir is not None else downloaded_inputs()
    if check:
        merge = plan(package, paths)
        return ImportOutcome(package.root, merge, None, [], time.perf_counter() - started)
    root = package.root
    with locked(root, lock_timeout):
        recover(root, [r.path for r in package.resources.values()])
        merge = plan(package, paths)
        changed = merge.changed
        if not changed:
            return ImportOutcome(root, merge, None, [], time.perf_counter() - started)
        report = validate_merge(merge)
        if not report.valid:
            return ImportOutcome(root, merge, report, [], time.perf_counter() - started)
        order = [r.path for r in package.resources.values()]  # the descriptor's order: parents first
        with task(f"write {len(changed)} files"):
            commit(root, {p: changed[p] for p in order if p in changed})
    return ImportOutcome(root, merge, report, list(changed), time.perf_counter() - started)
