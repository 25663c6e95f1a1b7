"""``conflictdata import missile-attacks``: hand-written fixtures, then the real dataset in ../shared.

The fixtures in tests/data/missile_attacks/ are invented rows (dates in 2001, made-up post
ids); the real file is read in place from ../shared/external/missile-attacks and never copied.
"""

from __future__ import annotations

import csv
import doctest
import json
import re
import time
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

import conflictdata as cd
from conflictdata.cli import cli
from conflictdata.errors import InputFileError, OutputExistsError
from conflictdata.importers import csvinput, missile_attacks, munition_catalogue, places, posts, slugs
from conflictdata.importers.missile_attacks import build, import_missile_attacks
from conflictdata.importers.places import Places, split_places

from .conftest import ROOT, SHARED, read_rows

FIXTURES = Path(__file__).parent / "data" / "missile_attacks"
EXTERNAL = SHARED / "external" / "missile-attacks"
DAILY = EXTERNAL / "missile_attacks_daily.csv"
CATALOG = EXTERNAL / "missiles_and_uavs.csv"
needs_shared = pytest.mark.skipif(not DAILY.is_file(), reason=f"the real dataset is not here ({DAILY}); "
                                  "../shared/external/missile-attacks holds it beside a checkout")


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def rows_of(out: Path, table: str) -> list[dict]:
    header, rows = read_rows(out / "data" / f"{table}.csv")
    return [dict(zip(header, r, strict=True)) for r in rows]


def by(rows: list[dict], key: str) -> dict[str, dict]:
    return {r[key]: r for r in rows}


# --- the pieces ----------------------------------------------------------------------------

def test_docstring_examples_hold():
    for module in (csvinput, missile_attacks, munition_catalogue, places, posts, slugs):
        failed, _ = doctest.testmod(module)
        assert failed == 0, module.__name__


@pytest.mark.parametrize("text, parts", [
    ("Kursk oblast and Bryansk oblast", [("Kursk oblast", None), ("Bryansk oblast", None)]),
    ("Hvardiiske, Crimea", [("Hvardiiske", "Crimea")]),  # a place and the region it lies in
    ("Astrakhan oblast, Kapustin Yar", [("Kapustin Yar", "Astrakhan oblast")]),
    ("Caspian Sea, Engels-2", [("Caspian Sea", None), ("Engels-2", None)]),  # a list
    ("Odesa oblast, Black Sea", [("Odesa oblast", None), ("Black Sea", None)]),
    ("Kryvyi Rih, Kharkiv, Vinnytsia", [("Kryvyi Rih", None), ("Kharkiv", None), ("Vinnytsia", None)]),
    ("Somewhere, Elsewhere", [("Somewhere, Elsewhere", None)]),  # cannot tell: kept whole
    ("Oryol oblast and and Shatalovo", [("Oryol oblast", None), ("Shatalovo", None)]),
    ("Sandy Bay", [("Sandy Bay", None)]),  # 'and' inside a word joins nothing
])
def test_place_text_splits_only_where_it_joins_places(text, parts):
    assert [(name, qualifier) for _, name, qualifier in split_places(text)] == parts


def test_places_resolve_without_guessing():
    p = Places()
    group = p.resolve("Kursk oblast and Hvardiiske, Crimea", ("f.csv", 2))
    rows = by(p.rows(), "place_id")
    assert rows[group]["kind"] == "area" and rows[group]["name"] == "Kursk oblast and Hvardiiske, Crimea"
    assert "kursk-oblast | hvardiiske-crimea" in rows[group]["notes"]
    assert rows["kursk-oblast"]["country"] == "RUS" and rows["kursk-oblast"]["parent_id"] == "russia"
    town = rows["hvardiiske-crimea"]
    assert (town["kind"], town["country"], town["parent_id"]) == ("unresolved", None, "crimea")
    assert all(r.get("latitude") is None and r.get("longitude") is None for r in rows.values())
    assert p.resolve("Lutsk oblast", ("f.csv", 3)) == "lutsk-oblast"  # no such oblast: not invented
    assert by(p.rows(), "place_id")["lutsk-oblast"]["kind"] == "unresolved"


def test_aliases_fold_into_one_type_and_groups_keep_their_count():
    cat = munition_catalogue.MunitionCatalogue(["cruise_missile", "drone", "mixed", "other"])
    a = cat.resolve("X-101", ("f.csv", 2))
    assert cat.resolve("Kh-101", ("f.csv", 3)) == a and cat.resolve("Х-101", ("f.csv", 4)) == a  # Cyrillic Х
    group = cat.resolve("Kalibr and X-101", ("f.csv", 5))
    assert cat.types[group].members == ["kalibr", a] and cat.types[group].category == "mixed"
    assert cat.resolve("X-101 and Kalibr", ("f.csv", 6)) == group  # the same two, in another order
    assert {t.category for t in cat.types.values() if not t.members} == {"other"}  # no catalogue: no guess


def test_posts_give_an_address_only_where_the_path_leaves_no_doubt():
    assert posts.parse_post("PvKPivden/videos/123/").url == "https://www.facebook.com/PvKPivden/videos/123"
    assert posts.parse_post("watch/?v=42").url == "https://www.facebook.com/watch/?v=42"
    assert posts.parse_post("https://t.me/kpszsu/9").url == "https://t.me/kpszsu/9"
    assert posts.parse_post("some-site.gov.ua/news/1").url is None
    assert posts.parse_post("just-a-name").url is None


# --- fixtures through the library ------------------------------------------------------------

@pytest.fixture(scope="module")
def fixture_import(tmp_path_factory):
    out = tmp_path_factory.mktemp("fx") / "pkg"
    result = import_missile_attacks(FIXTURES / "daily.csv", out, catalog=FIXTURES / "catalog.csv")
    return out, result


def test_fixture_package_loads_and_keeps_every_row(fixture_import):
    out, result = fixture_import
    munitions = cd.load("munitions", path=out)
    _, input_rows = read_rows(FIXTURES / "daily.csv")
    assert len(munitions) == len(input_rows) == result.counts["munitions"]
    # every table of the installed package, then the lineage; the ones the dataset has nothing for are empty
    assert cd.tables(out) == [*cd.tables(), "lineage"]
    assert list(result.counts) == cd.tables(out)
    for name in cd.tables():
        assert (out / "schemas" / f"{name}.json").read_bytes() == (ROOT / "schemas" / f"{name}.json").read_bytes()
    filled = {"sources", "updates", "actors", "places", "munition_types", "events", "munitions", "lineage"}
    assert {name for name, n in result.counts.items() if n} == filled
    assert all(len(cd.load(name, path=out)) == 0 for name in cd.tables() if name not in filled)


def test_fixture_counts_windows_and_notes(fixture_import):
    out, _ = fixture_import
    m = rows_of(out, "munitions")
    first = m[0]
    assert (first["launched"], first["intercepted"], first["lost"], first["still_airborne"], first["returned"]) == (
        "50", "40", "5", "1", "3")  # returned: 2 to Russia + 1 to Belarus
    assert (first["window_start"], first["window_end"], first["window_precision"]) == (
        "2001-01-02T18:00:00", "2001-01-03T07:30:00", "minute")
    assert "is_shahed: 30" in first["notes"] and "destroyed_details: south 7" in first["notes"]
    mixed = m[2]  # date-only start, timed end: the precision is the coarser one, the time is kept in notes
    assert (mixed["window_start"], mixed["window_end"], mixed["window_precision"]) == (
        "2001-01-04T00:00:00", "2001-01-05T00:00:00", "day")
    assert "2001-01-05 09:00" in mixed["notes"]
    assert m[6]["window_start"] == "2001-01-08T03:05:00"  # "3:05" has one digit for the hour
    poland = m[5]
    assert poland["returned"] == "" and "poland 1" in poland["notes"]
    ids = [r["claim_id"] for r in m]
    assert len(set(ids)) == len(ids) and ids[-1] == ids[0] + "-2"  # the post counts Shahed-136/131 twice


def test_fixture_types_places_sources(fixture_import):
    out, _ = fixture_import
    types = by(rows_of(out, "munition_types"), "munition_type_id")
    assert types["x-101-x-555"]["aliases"] == "Kh-101/Kh-555"
    group = types["x-101-x-555-and-kalibr"]  # written "Kh-101/Kh-555 and Kalibr" in the data
    assert (group["category"], group["members"]) == ("mixed", "x-101-x-555|kalibr")
    assert types["zoom-7"]["category"] == "other" and types["zoom-7"]["name"] == "Zoom-7"
    assert types["molniia"]["name"] == "Молнія" and types["shahed-136-131"]["category"] == "drone"
    m = rows_of(out, "munitions")
    assert m[1]["munition_type_id"] == "x-101-x-555-and-kalibr" and m[1]["launched"] == "10"  # never split
    pl = by(rows_of(out, "places"), "place_id")
    assert pl["ryazan-oblast"]["notes"] == "Also written 'Ryazan oblast'."  # one place, two spellings
    assert pl["foo-bar"]["kind"] == "unresolved" and pl["south"]["kind"] == "unresolved"
    src = by(rows_of(out, "sources"), "source_id")
    fb = src["kpszsu-posts-pfbid0fixturepostone"]
    assert fb["url"] == "https://www.facebook.com/kpszsu/posts/pfbid0FixturePostOne"
    assert fb["publisher"] == "Ukrainian Air Force" and "daily.csv lines 2, 3, 9" in fb["notes"]
    assert src["pvkpivden-posts-pfbid0fixtureposttwo"]["url"].endswith("pfbid0FixturePostTwo")  # no trailing /
    site = src["example-news-gov-ua-news-7"]
    assert site["url"] == "" and site["archive_ref"] == "example-news.gov.ua/news/7"
    claimants = {r["update_id"]: r["claimant_id"] for r in m}
    assert claimants["pvkpivden-posts-pfbid0fixtureposttwo"] == "air-command-south"
    actors = by(rows_of(out, "actors"), "actor_id")
    assert actors["air-command-south"]["parent_id"] == "ukrainian-air-force"


def test_every_row_has_its_input_line(fixture_import):
    out, _ = fixture_import
    lineage = rows_of(out, "lineage")
    traced = {(r["table"], r["row_id"]): (r["input_file"], int(r["input_line"])) for r in lineage}
    for table in ("sources", "updates", "actors", "places", "munition_types", "munitions"):
        header, rows = read_rows(out / "data" / f"{table}.csv")
        for row in rows:
            assert (table, row[0]) in traced, (table, row[0])
    m = rows_of(out, "munitions")
    assert [traced[("munitions", r["claim_id"])] for r in m] == [("daily.csv", n) for n in range(2, 10)]
    assert traced[("munition_types", "test-glide-bomb")] == ("catalog.csv", 9)


def test_fault_is_reported_at_the_input_line_and_the_row_kept(fixture_import):
    out, result = fixture_import
    (fault,) = result.report.errors
    assert (fault.code, fault.path, fault.row, fault.field) == (
        "outcome-exceeds-launched", str(FIXTURES / "daily.csv"), 6, "destroyed")
    row = rows_of(out, "munitions")[6 - 2]
    assert (row["launched"], row["intercepted"]) == ("2", "3")  # as the source gave it


def test_frictionless_accepts_the_written_package(fixture_import):
    from frictionless import Package

    out, _ = fixture_import
    report = Package(str(out / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


# --- the command ---------------------------------------------------------------------------

def test_cli_imports_reports_input_lines_and_exits_1(tmp_path):
    out = tmp_path / "pkg"
    r = run("import", "missile-attacks", FIXTURES / "daily.csv", "--catalog", FIXTURES / "catalog.csv", "--out", out)
    assert r.exit_code == 1, r.output
    assert "daily.csv" in r.stdout and "line 6 [destroyed] error outcome-exceeds-launched" in r.stdout
    assert "imported" in r.stderr and "8 munitions" in r.stderr
    # the injected fault of line 6 is also more than its event's launched (a warning)
    assert "warning(s) not listed (event-outcomes-exceed-launched, quote-missing)" in r.stderr
    r = run("import", "missile-attacks", FIXTURES / "daily.csv", "--out", tmp_path / "json", "--format", "json")
    doc = json.loads(r.stdout)
    assert [(e["row"], e["code"]) for e in doc["errors"]] == [(6, "outcome-exceeds-launched")]


def test_cli_old_nine_column_file_imports_by_name(tmp_path):
    out = tmp_path / "old"
    r = run("import", "missile-attacks", FIXTURES / "old_9_columns.csv", "--out", out)
    assert r.exit_code == 0, r.output
    m = cd.load("munitions", path=out)
    assert list(m["launched"]) == [12, 8] and m["lost"].isna().all()  # absent columns stay empty


@pytest.mark.parametrize("name, words", [
    ("changed_header.csv", ["changed_header.csv:1", "unknown column 'shot_down'", "no column 'destroyed'"]),
    ("unknown_column.csv", ["unknown_column.csv:1", "unknown column 'casualties'"]),
    ("ragged.csv", ["ragged.csv:3", "9 cells but the header has 8"]),
    ("no_such_file.csv", ["no_such_file.csv: no such file"]),
])
def test_cli_unusable_input_is_one_line_and_writes_nothing(tmp_path, name, words):
    out = tmp_path / "pkg"
    r = run("import", "missile-attacks", FIXTURES / name, "--out", out)
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("error: ") and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.output and all(w in r.stderr for w in words), r.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []  # no package, no temporary folder


def test_cli_bad_numbers_are_faults_at_their_lines_not_rounded(tmp_path):
    out = tmp_path / "pkg"
    r = run("import", "missile-attacks", FIXTURES / "bad_float.csv", "--out", out, "--format", "json")
    assert r.exit_code == 1
    faults = {(e["row"], e["field"], e["code"], e["value"]) for e in json.loads(r.stdout)["errors"]}
    # line 2's record spans two lines (a quoted line break), so the next records start on lines 4 and 5
    assert faults == {(4, "launched", "type-error", "2.5"), (5, "destroyed", "type-error", "n/a"),
                      (5, "time_end", "type-error", "2001-03-0x")}
    launched = [r["launched"] for r in rows_of(out, "munitions")]
    assert launched == ["9", "2.5", "3"]  # kept as given, not rounded, not dropped
    with pytest.raises(cd.DataError, match="munitions.csv:3"):
        cd.load("munitions", path=out)


def test_output_folder_rules(tmp_path):
    daily = FIXTURES / "old_9_columns.csv"
    out = tmp_path / "pkg"
    out.mkdir()
    assert run("import", "missile-attacks", daily, "--out", out).exit_code == 0  # an empty folder is fine
    before = (out / "datapackage.json").read_text()
    r = run("import", "missile-attacks", daily, "--out", out)
    assert r.exit_code == 2 and "--force" in r.stderr
    assert run("import", "missile-attacks", daily, "--out", out, "--force").exit_code == 0
    assert (out / "datapackage.json").read_text() == before
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep me")
    r = run("import", "missile-attacks", daily, "--out", other, "--force")
    assert r.exit_code == 2 and "only a data package folder" in r.stderr
    assert (other / "mine.txt").read_text() == "keep me"
    with pytest.raises(OutputExistsError):
        import_missile_attacks(daily, ROOT, force=True)  # never the checkout's own package
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes", "pkg"]  # no temporary folders left


def test_a_write_that_fails_leaves_the_old_package_and_no_temporary_folder(tmp_path):
    from conflictdata.importers.writer import write_package

    out = tmp_path / "pkg"
    assert run("import", "missile-attacks", FIXTURES / "old_9_columns.csv", "--out", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in (out / "data").iterdir()}
    broken = build(FIXTURES / "daily.csv")
    del broken.tables["lineage"]  # fails after the seven tables are written
    with pytest.raises(KeyError):
        write_package(out, broken.descriptor, broken.tables, force=True)
    assert {p.name: p.read_bytes() for p in (out / "data").iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["pkg"]


def test_missing_catalogue_column_is_an_input_error(tmp_path):
    bad = tmp_path / "models.csv"
    bad.write_text("model,kind\nX-1,missile\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"models\.csv:1: .*unknown column 'kind' and no column 'category'"):
        build(FIXTURES / "old_9_columns.csv", catalog=bad)


# --- the real dataset ------------------------------------------------------------------------

def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


def _returned(cell: str) -> float | None:
    found = re.findall(r"'(russia|belarus)':\s*([0-9.]+)", cell)
    return sum(float(v) for _, v in found) if found else None


def _expected_faults(path: Path) -> set[tuple[str, int]]:
    """The rule faults the source really has, found with plain csv reading."""
    expected = set()
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        for line, row in enumerate(reader, start=2):  # the file has no quoted line breaks
            launched = _number(row["launched"])
            outcomes = [_number(row["destroyed"]), _number(row["not_reach_goal"]), _number(row["still_attacking"]),
                        _returned(row["border_crossing"])]
            given = [o for o in outcomes if o is not None]
            if launched is not None and any(o > launched for o in given):
                expected.add(("outcome-exceeds-launched", line))
            if launched is not None and len(given) >= 2 and sum(given) > launched:
                expected.add(("outcomes-sum-exceeds-launched", line))
            start, end = _moment(row["time_start"]), _moment(row["time_end"])
            if start and end and (start > end if start.hour + start.minute and end.hour + end.minute
                                  else start.date() > end.date()):
                expected.add(("start-after-end", line))
    return expected


def _moment(text: str) -> datetime | None:
    text = " ".join(text.split())
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    return None


def _rule_codes() -> set[str]:
    try:
        from conflictdata.validation.rules import RULES
    except ImportError:
        return set()
    return {r.code for r in RULES}


@pytest.fixture(scope="module")
def real_import(tmp_path_factory):
    if not DAILY.is_file():
        pytest.skip(f"the real dataset is not here ({DAILY})")
    out = tmp_path_factory.mktemp("real") / "attacks"
    started = time.perf_counter()
    result = import_missile_attacks(DAILY, out, catalog=CATALOG)
    print(f"\nimported {DAILY.name} ({result.counts['munitions']} rows) and validated it in "
          f"{time.perf_counter() - started:.2f} s")
    return out, result


@needs_shared
def test_real_file_imports_and_loads(real_import):
    out, result = real_import
    with open(DAILY, newline="", encoding="utf-8") as f:
        n = sum(1 for _ in csv.DictReader(f))
    m = cd.load("munitions", path=out)
    assert len(m) == n == result.counts["munitions"]
    assert m["munition_type_id"].notna().all() and m["update_id"].notna().all()
    assert set(m["window_precision"].dropna()) <= {"day", "minute"}
    structural = [f for f in result.report.errors if f.code in ("type-error", "foreign-key", "primary-key")
                  or f.code.startswith("constraint-")]
    assert structural == []


@needs_shared
@pytest.mark.xfail("outcome-exceeds-launched" not in _rule_codes(), strict=False,
                   reason="the validator's semantic rules (outcome-exceeds-launched, ...) have not landed yet")
def test_real_file_has_exactly_the_faults_the_source_has(real_import):
    _, result = real_import
    found = {(f.code, f.row) for f in result.report.errors}
    expected = _expected_faults(DAILY)
    assert ("outcome-exceeds-launched", 6) in expected  # the known row: destroyed > launched
    assert found == expected
    assert all(f.path == str(DAILY) for f in result.report.errors)


@needs_shared
def test_real_counts_add_up_per_month(real_import):
    out, _ = real_import
    source = defaultdict(lambda: [0.0, 0.0])
    with open(DAILY, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            month = row["time_start"].strip()[:7]
            source[month][0] += _number(row["launched"]) or 0
            source[month][1] += _number(row["destroyed"]) or 0
    m = cd.load("munitions", path=out, format="polars")
    import polars as pl

    ours = (m.group_by(pl.col("window_start").dt.strftime("%Y-%m").alias("month"))
            .agg(pl.col("launched").sum(), pl.col("intercepted").sum()))
    got = {r["month"]: [r["launched"], r["intercepted"]] for r in ours.iter_rows(named=True)}
    assert got == {k: [int(a), int(b)] for k, (a, b) in source.items()}


@needs_shared
def test_real_groups_are_never_split_and_every_model_has_one_type(real_import):
    out, _ = real_import
    with open(DAILY, newline="", encoding="utf-8") as f:
        models = Counter(" ".join(r["model"].split()) for r in csv.DictReader(f))
    types = by(rows_of(out, "munition_types"), "munition_type_id")
    m = rows_of(out, "munitions")
    names = Counter(types[r["munition_type_id"]]["name"] for r in m)
    assert sum(names.values()) == sum(models.values())
    group = next(t for t in types.values() if t["name"] == "X-101/X-555 and Kalibr")
    assert group["category"] == "mixed" and group["members"] == "x-101-x-555|kalibr"
    assert types["x-101-x-555"]["aliases"].split("|")[0] == "Kh-101/Kh-555"


README_BEGIN, README_END = "<!-- missile-attacks-table:begin -->", "<!-- missile-attacks-table:end -->"


def yearly_table(out: Path) -> str:
    """The README's table: launched and intercepted per year, as the import gives them."""
    import polars as pl

    m = cd.load("munitions", path=out, format="polars")
    years = (m.group_by(pl.col("window_start").dt.year().alias("year"))
             .agg(pl.len().alias("rows"), pl.col("launched").sum(), pl.col("intercepted").sum()).sort("year"))
    lines = ["| year | rows | launched | intercepted | intercepted / launched |", "| --- | ---: | ---: | ---: | ---: |"]
    for r in years.iter_rows(named=True):
        share = f"{r['intercepted'] / r['launched']:.0%}" if r["launched"] else ""
        lines.append(f"| {r['year']} | {r['rows']:,} | {r['launched']:,} | {r['intercepted']:,} | {share} |")
    return "\n".join(lines)


@needs_shared
def test_readme_table_is_what_the_import_gives(real_import):
    out, _ = real_import
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert README_BEGIN in text, "the README lacks the missile-attacks table"
    shown = text.split(README_BEGIN, 1)[1].split(README_END, 1)[0].strip()
    assert shown == yearly_table(out), "regenerate the README table:\n" + yearly_table(out)


def test_literal_cells_parse_safely():
    assert missile_attacks._literal("{'south': 3, 'east': NaN}") == {"south": 3, "east": None}
    assert missile_attacks._literal("__import__('os')") is None


def test_fixture_rows_of_one_post_and_window_are_one_event(fixture_import):
    out, _ = fixture_import
    m, events = rows_of(out, "munitions"), rows_of(out, "events")
    linked = [r for r in m if r["event_id"]]
    assert linked and all(r["event_link"] == "curator" for r in linked)
    assert all(not r["event_link"] for r in m if not r["event_id"])
    by_id = {e["event_id"]: e for e in events}
    assert set(by_id) == {r["event_id"] for r in linked}  # every event is claimed, every link resolves
    for r in linked:
        e = by_id[r["event_id"]]
        assert (e["window_start"], e["window_end"], e["window_precision"]) == (
            r["window_start"], r["window_end"], r["window_precision"])
    assert all(r["target_place_precision"] for r in m if r["target_place_id"])


# --- what a person sees ------------------------------------------------------------------------

def test_cli_report_ends_with_the_summary_at_the_input_file(tmp_path):
    r = run("import", "missile-attacks", FIXTURES / "daily.csv", "--catalog", FIXTURES / "catalog.csv",
            "--out", tmp_path / "pkg")
    errors = json.loads(run("import", "missile-attacks", FIXTURES / "daily.csv", "--catalog",
                            FIXTURES / "catalog.csv", "--out", tmp_path / "json", "--format", "json").stdout)["errors"]
    out = r.stdout.splitlines()
    codes = Counter(e["code"] for e in errors)  # the most frequent first, then by name
    assert out[out.index("summary:") + 1] == (
        f"  {FIXTURES / 'daily.csv'}: {len(errors)} error{'s' * (len(errors) != 1)} ("
        + ", ".join(f"{c} {n}" for c, n in sorted(codes.items(), key=lambda cn: (-cn[1], cn[0]))) + ")")
    assert out[-1].startswith("INVALID: ")


def test_cli_shows_its_steps_only_on_a_terminal_and_not_with_quiet(tmp_path):
    import io

    from rich.console import Console

    from conflictdata import feedback

    r = run("import", "missile-attacks", FIXTURES / "old_9_columns.csv", "--out", tmp_path / "plain")
    assert r.exit_code == 0 and r.stderr.startswith("imported ") and "build the rows" not in r.stderr
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=160, color_system=None)
    with feedback.shown(True, console=console):
        r = run("import", "missile-attacks", FIXTURES / "old_9_columns.csv", "--out", tmp_path / "shown")
    assert r.exit_code == 0
    drawn = buffer.getvalue()
    for step in ("import old_9_columns.csv", "read old_9_columns.csv", "build the rows of old_9_columns.csv",
                 f"write the package into {tmp_path / 'shown'}", "validate munitions", "trace the faults"):
        assert step in drawn, step
    with feedback.shown(True, console=console):
        r = run("import", "missile-attacks", FIXTURES / "old_9_columns.csv", "--out", tmp_path / "quiet", "--quiet")
    assert r.exit_code == 0 and buffer.getvalue() == drawn
