"""The events layer: every claimant's figures per event, sides, disputes, on the seed and on small named fixtures."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

import conflictdata as cd
from conflictdata.cli import cli

from .conftest import copy_package, read_rows, write_rows

NIGHT = "2024-10-08-overnight-missile-and-drone-attack"
DRONES = "dw-2024-10-08-overnight-drones-launched"  # Armed Forces of Ukraine: 19 drones launched
AIR_FORCE = "dw-2024-10-08-overnight-drones-air-force"  # 18 shot down, 1 returned, no launched count


def add_munitions(pkg, *claims):
    """Append munitions claims: dicts of the cells that differ from the Armed Forces' 19 drones."""
    header, rows = read_rows(pkg / "data" / "munitions.csv")
    template = dict(zip(header, next(r for r in rows if r[0] == DRONES), strict=True))
    counts = [h for h in header if h.startswith(("launched", "intercepted", "hit", "lost", "returned",
                                                 "failed_to", "still"))]
    for cells in claims:
        row = dict(template, **dict.fromkeys(counts, ""), notes="", supersedes="")
        row.update(cells)
        rows.append([row[h] for h in header])
    write_rows(pkg / "data" / "munitions.csv", header, rows)
    return pkg


def figures(pkg, **kw):
    return cd.event_figures(format="polars", path=pkg, **kw)


def one(frame, **where):
    rows = frame.filter(**where)
    assert len(rows) == 1, rows
    return rows.row(0, named=True)


@pytest.fixture
def two_sides_disagree(tmp_path):
    """Russia's armed forces say 12 drones were launched that night; Ukraine's military says 19."""
    return add_munitions(copy_package(tmp_path / "two-sides-disagree"),
                         {"claim_id": "russian-mod-12-drones", "claimant_id": "russian-armed-forces", "launched": "12"})


@pytest.fixture
def claimants_agree(tmp_path):
    """The Odesa governor also says 19 drones; the Kherson administration gives a range of 15 to 20."""
    return add_munitions(copy_package(tmp_path / "claimants-agree"),
                         {"claim_id": "kiper-19-drones", "claimant_id": "oleh-kiper", "launched": "19"},
                         {"claim_id": "kherson-15-20-drones",
                          "claimant_id": "kherson-regional-military-administration",
                          "launched_low": "15", "launched_high": "20"})


@pytest.fixture
def revised(tmp_path):
    """The Armed Forces of Ukraine revise their 19 drones to 21 in a later claim."""
    return add_munitions(copy_package(tmp_path / "revised"),
                         {"claim_id": "afu-21-drones", "launched": "21", "supersedes": DRONES})


# --- the shipped data ------------------------------------------------------------------------------

def test_the_night_by_side_is_ukraine_with_each_claimant():
    sides = cd.event_figures(by="side", format="polars").filter(event_id=NIGHT)
    got = sides.select("measure", "munition_type_id", "side_id", "best", "claimant_ids").rows()
    assert sorted(got) == sorted([
        ("launched", "drone-type-not-stated", "ukraine", 19, "armed-forces-of-ukraine"),
        ("launched", "iskander-m", "ukraine", 2, "armed-forces-of-ukraine"),
        ("intercepted", "drone-type-not-stated", "ukraine", 18, "ukrainian-air-force"),
        ("returned", "drone-type-not-stated", "ukraine", 1, "ukrainian-air-force"),
    ])
    assert (sides["claims"] == 1).all() and (sides["low"] == sides["best"]).all()
    assert one(sides, measure="intercepted")["claim_ids"] == f"munitions:{AIR_FORCE}"


def test_the_night_by_claimant_keeps_each_claim_with_its_source():
    rows = cd.event_figures(format="polars").filter(event_id=NIGHT)
    assert set(rows["claim_table"]) == {"munitions"} and set(rows["source_id"]) == {"dw-2024-10-08-ukraine-updates"}
    air = one(rows, claim_id=AIR_FORCE, measure="returned")
    assert (air["claimant_id"], air["side_id"], air["best"], air["low"], air["high"]) == \
        ("ukrainian-air-force", "ukraine", 1, None, None)  # returned has no bounds in the schema
    assert str(air["update_date"]) == "2024-10-08" and air["superseded_by"] is None
    assert air["event_name"] == cd.load("events").set_index("event_id").loc[NIGHT, "name"]


def test_a_measure_a_claim_does_not_state_is_absent_not_zero():
    rows = cd.event_figures(format="polars")
    # the Air Force gives no launched count; the Donetsk report gives no injured
    assert rows.filter(claim_id=AIR_FORCE, measure="launched").is_empty()
    assert rows.filter(claim_id="dw-2024-10-08-north-korean-officers-near-donetsk", measure="injured").is_empty()
    # the only zeros are the ones a source states ("no casualties were reported")
    assert set(rows.filter(best=0)["claim_id"]) == {"dw-2024-10-08-chornomorsk-no-casualties"}
    # claims without an event, and tables without counts (damage_reports), give no row
    assert "dw-2024-10-08-drone-landed-without-detonating" not in set(rows["claim_id"])
    assert "damage_reports" not in set(rows["claim_table"])


def test_formats_follow_load():
    df = cd.event_figures()
    assert str(df["best"].dtype) == "Int64" and str(df["measure"].dtype) == "string"
    arrow = cd.event_figures(format="arrow")
    assert arrow.num_rows == len(df) and str(arrow.schema.field("event_id").type) == "string"
    with pytest.raises(ValueError, match="format must be one of"):
        cd.event_figures(format="csv")
    with pytest.raises(ValueError, match="by must be one of"):
        cd.event_figures(by="actor")


def test_nothing_is_disputed_in_the_shipped_data():
    assert len(cd.disputes()) == 0 and len(cd.disputes(by="side")) == 0
    assert "spread" in cd.disputes().columns


def test_a_window_query_at_3am_kyiv_finds_the_five_overnight_claims():
    df = cd.load("munitions")
    t = dt.datetime(2024, 10, 8, 3, tzinfo=ZoneInfo("Europe/Kyiv"))
    assert str(df["window_start"].dtype).endswith("Europe/Kyiv]")  # zone-aware
    found = df[(df["window_start"] <= t) & (t < df["window_end"])]
    assert sorted(found["claim_id"]) == sorted([AIR_FORCE, DRONES, "dw-2024-10-08-overnight-iskander-m-launched",
                                              "dw-2024-10-08-overnight-drones-shot-down-ukraine",
                                              "dw-2024-10-08-overnight-missiles-shot-down-ukraine"])
    # the window is half-open: the first moment after it is not in it
    end = dt.datetime(2024, 10, 9, tzinfo=ZoneInfo("Europe/Kyiv"))
    assert not ((df["window_start"] <= end) & (end < df["window_end"])).any()


def test_sql_event_figures_gives_the_rows_of_the_python_function():
    r = CliRunner().invoke(cli, ["sql", "SELECT * FROM event_figures", "--format", "json"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    expected = [{k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in row.items()}
                for row in cd.event_figures(format="polars").to_dicts()]
    assert json.loads(r.output) == expected and len(expected) > 0
    r = CliRunner().invoke(cli, ["sql", f"SELECT measure, best FROM event_figures WHERE event_id = '{NIGHT}' "
                                        "AND claimant_id = 'ukrainian-air-force'", "--format", "csv"])
    assert r.output.splitlines() == ["measure,best", "intercepted,18", "returned,1"]


# --- named fixtures ----------------------------------------------------------------------------------

def test_two_sides_that_disagree_are_a_dispute_with_its_spread(two_sides_disagree):
    for by in ("claimant", "side"):
        found = cd.disputes(by=by, format="polars", path=two_sides_disagree)
        assert set(found["claim_id"]) == {DRONES, "russian-mod-12-drones"}, by
        assert set(found["measure"]) == {"launched"} and set(found["spread"]) == {19 - 12}
        assert set(found["side_id"]) == {"ukraine", "russia"}
    sides = figures(two_sides_disagree).filter(event_id=NIGHT, measure="launched",
                                               munition_type_id="drone-type-not-stated")
    assert sorted(sides["best"]) == [12, 19]
    by_side = cd.event_figures(by="side", format="polars", path=two_sides_disagree).filter(
        event_id=NIGHT, measure="launched", munition_type_id="drone-type-not-stated")
    assert dict(by_side.select("side_id", "best").rows()) == {"ukraine": 19, "russia": 12}


def test_claimants_that_agree_or_overlap_are_no_dispute(claimants_agree):
    assert len(cd.disputes(path=claimants_agree)) == 0
    side = one(cd.event_figures(by="side", format="polars", path=claimants_agree),
               event_id=NIGHT, measure="launched", munition_type_id="drone-type-not-stated")
    # alternatives, never summed: 19, 19 and 15-20 are one range, not 53 drones
    assert (side["best"], side["low"], side["high"], side["claims"]) == (None, 15, 20, 3)
    assert side["claimant_ids"] == "armed-forces-of-ukraine; kherson-regional-military-administration; oleh-kiper"
    assert side["claim_ids"] == f"munitions:{DRONES}; munitions:kherson-15-20-drones; munitions:kiper-19-drones"
    media = one(figures(claimants_agree), claim_id="kherson-15-20-drones")
    assert (media["best"], media["low"], media["high"]) == (None, 15, 20)


def test_agreeing_claimants_give_the_side_their_common_best(tmp_path):
    pkg = add_munitions(copy_package(tmp_path / "same-figure"),
                        {"claim_id": "kiper-19-drones", "claimant_id": "oleh-kiper", "launched": "19"})
    side = one(cd.event_figures(by="side", format="polars", path=pkg),
               event_id=NIGHT, measure="launched", munition_type_id="drone-type-not-stated")
    assert (side["best"], side["low"], side["high"], side["claims"]) == (19, 19, 19, 2)


def test_a_superseded_claim_is_kept_but_latest_drops_it(revised):
    every = figures(revised).filter(event_id=NIGHT, measure="launched", munition_type_id="drone-type-not-stated")
    assert dict(every.select("claim_id", "superseded_by").rows()) == {DRONES: "afu-21-drones", "afu-21-drones": None}
    latest = figures(revised, latest=True).filter(event_id=NIGHT, measure="launched",
                                                  munition_type_id="drone-type-not-stated")
    assert latest["claim_id"].to_list() == ["afu-21-drones"] and latest["best"].to_list() == [21]
    side = one(cd.event_figures(by="side", format="polars", path=revised),
               event_id=NIGHT, measure="launched", munition_type_id="drone-type-not-stated")
    assert (side["best"], side["claims"]) == (21, 1)
    # a revision is not a dispute with the claim it revises
    assert len(cd.disputes(path=revised)) == 0


def test_a_claim_with_only_a_lower_bound_has_no_upper_end(tmp_path):
    pkg = add_munitions(copy_package(tmp_path / "at-least"),
                        {"claim_id": "russian-mod-at-least-30", "claimant_id": "russian-armed-forces",
                         "launched_low": "30"},
                        {"claim_id": "russian-mod-intercepted", "claimant_id": "russian-armed-forces",
                         "intercepted_low": "10"})
    # at least 30 against 19: disputed by 11; at least 10 intercepted against 18: no dispute
    found = cd.disputes(by="side", format="polars", path=pkg)
    assert set(found["measure"]) == {"launched"} and set(found["spread"]) == {30 - 19}
    russia = one(cd.event_figures(by="side", format="polars", path=pkg),
                 side_id="russia", measure="launched", munition_type_id="drone-type-not-stated")
    assert (russia["best"], russia["low"], russia["high"]) == (None, 30, None)


def test_claims_tables_come_from_the_schemas(tmp_path):
    # a package without casualty_reports still gives the munitions figures, and no casualty row
    pkg = copy_package(tmp_path / "no-casualties")
    descriptor = json.loads((pkg / "datapackage.json").read_text())
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "casualty_reports"]
    (pkg / "datapackage.json").write_text(json.dumps(descriptor))
    rows = figures(pkg)
    assert set(rows["claim_table"]) == {"munitions"} and len(rows.filter(event_id=NIGHT)) == 4
