"""The claims model, each decision on a small named fixture: sides, scope, contradictions, relays,
certainty, figures of their own kind and third parties' running totals.

Every fixture is made here, in a copy of the package (synthetic rows marked 'fixture'), never in data/.
"""

import pytest

import conflictdata as cd

from .conftest import line_of, read_rows, set_cell, write_rows

ENGINES = pytest.mark.parametrize("engine", ["polars", "pandera"])
NIGHT = "2024-10-08-overnight-missile-and-drone-attack"


def add_rows(pkg, table, *rows):
    """Append rows (dicts; a missing field is empty) to ``table`` of the package copy."""
    path = pkg / "data" / f"{table}.csv"
    header, old = read_rows(path)
    for row in rows:
        unknown = set(row) - set(header)
        assert not unknown, unknown
        old.append([str(row.get(h, "")) for h in header])
    write_rows(path, header, old)


def faults(pkg, code, engine="polars"):
    return sorted((f.resource, f.row, f.field) for f in cd.validate(pkg, engine=engine).faults if f.code == code)


def valid(pkg):
    report = cd.validate(pkg, strict=True)
    assert report.valid, report.render()


def page(pkg, n, date="2024-10-08", **update):
    """A fixture source with one update, ``fixture-update-<n>``."""
    add_rows(pkg, "sources", {"source_id": f"fixture-source-{n}", "publisher": f"Fixture outlet {n}",
                              "title": f"Fixture page {n}", "url": f"https://example.org/fixture/{n}",
                              "kind": "article", "published_date": date, "language": "en"})
    add_rows(pkg, "updates", {"update_id": f"fixture-update-{n}", "source_id": f"fixture-source-{n}", "sequence": 1,
                              "published_date": date, "headline": f"Fixture headline {n}",
                              "summary": "A fixture.", **update})
    return f"fixture-update-{n}"


def actor(pkg, actor_id, kind, parent="", country="", **extra):
    add_rows(pkg, "actors", {"actor_id": actor_id, "name": actor_id.replace("-", " ").title(), "kind": kind,
                             "country": country, "parent_id": parent, **extra})


def event(pkg, event_id, kind="attack", start="2024-10-07T00:00:00", end="2024-10-09T00:00:00", attacker="russia"):
    add_rows(pkg, "events", {"event_id": event_id, "name": event_id, "kind": kind, "window_start": start,
                             "window_end": end, "window_precision": "day" if start else "", "attacker_id": attacker,
                             "identified_by": "curator", "description": "A fixture event."})


def casualty(pkg, report_id, update, claimant, event_id, **figures):
    row = {"report_id": report_id, "update_id": update, "claimant_id": claimant, "event_id": event_id,
           "event_link": "curator", "event_start": "2024-10-08", "event_end": "2024-10-08", "victim_group": "civilian",
           "certainty": "asserted", "quote": f"fixture {report_id}", "notes": "fixture"}
    row.update(figures)
    add_rows(pkg, "casualty_reports", row)


def munition(pkg, claim_id, update, claimant, event_id, munition_type, **figures):
    row = {"claim_id": claim_id, "update_id": update, "claimant_id": claimant, "event_id": event_id,
           "event_link": "curator", "attacker_id": "russia", "munition_type_id": munition_type,
           "window_start": "2024-10-08T00:00:00", "window_end": "2024-10-09T00:00:00", "window_precision": "day",
           "certainty": "asserted", "quote": f"fixture {claim_id}", "notes": "fixture"}
    row.update(figures)
    add_rows(pkg, "munitions", row)


def places(pkg, *ids, parent="ukraine"):
    for p in ids:
        add_rows(pkg, "places", {"place_id": p, "name": p.title(), "kind": "city", "country": "UKR",
                                 "parent_id": parent})


# --- sides ----------------------------------------------------------------------------------

def test_sides_come_from_the_actors_data(pkg):
    # a Russian-installed authority in occupied territory is parented to Russia: Russia's side;
    # a state outlet speaking on its own is a non-party outlet; a UN body is a non-party organisation
    actor(pkg, "fixture-occupation-authority", "government_body", parent="russia", country="RUS")
    actor(pkg, "fixture-state-agency", "media", country="RUS")
    actor(pkg, "fixture-un-mission", "organisation")
    actor(pkg, "fixture-unnamed-source", "group")
    update = page(pkg, 1)
    event(pkg, "fixture-night")
    for claimant in ("fixture-occupation-authority", "fixture-state-agency", "fixture-un-mission",
                     "fixture-unnamed-source", "ukrainian-air-force", "kim-yong-hyun"):
        casualty(pkg, f"fixture-{claimant}", update, claimant, "fixture-night", killed=1)
    valid(pkg)
    rows = cd.event_figures(path=pkg, format="polars").filter(event_id="fixture-night")
    got = {c: (s, n) for c, s, n in rows.select("claimant_id", "side_id", "non_party").iter_rows()}
    assert got == {"fixture-occupation-authority": ("russia", None), "fixture-state-agency": (None, "media"),
                   "fixture-un-mission": (None, "organisation"), "fixture-unnamed-source": (None, "group"),
                   "ukrainian-air-force": ("ukraine", None), "kim-yong-hyun": (None, "state")}
    sides = cd.event_figures(by="side", path=pkg, format="polars").filter(event_id="fixture-night")
    # every non-party is grouped by what it is: never a side of its own, never one null side
    assert sorted(sides["side"]) == ["non-party group", "non-party media", "non-party organisation",
                                     "non-party state", "russia", "ukraine"]


def test_the_shipped_outlets_and_unnamed_officials_are_no_sides():
    rows = cd.event_figures(format="polars")
    by_claimant = dict(rows.select("claimant_id", "side_id").unique().iter_rows())
    assert by_claimant["ukrainian-media"] is None and by_claimant["unnamed-officials-odesa"] is None
    assert by_claimant["oleh-kiper"] == "ukraine"
    assert set(cd.event_figures(by="side", format="polars")["side"]) >= {"non-party media", "ukraine"}


def test_a_state_is_a_side_only_from_its_party_since(pkg):
    set_cell(pkg, "actors", line_of(pkg, "actors", "actor_id", "north-korea"), "party_since", "2025-01-01")
    update = page(pkg, 1)
    event(pkg, "fixture-night")
    casualty(pkg, "fixture-pyongyang", update, "north-korean-armed-forces", "fixture-night", killed=1)
    later = page(pkg, 2, date="2025-02-01")
    add_rows(pkg, "events", {"event_id": "fixture-2025", "name": "fixture", "kind": "attack",
                             "identified_by": "curator", "description": "A fixture event."})
    casualty(pkg, "fixture-pyongyang-later", later, "north-korean-armed-forces", "fixture-2025", killed=1,
             event_start="2025-01-31", event_end="2025-01-31")
    valid(pkg)
    rows = cd.event_figures(path=pkg, format="polars").filter(claimant_id="north-korean-armed-forces")
    assert dict(rows.select("claim_id", "side_id").iter_rows()) == {"fixture-pyongyang": None,
                                                                    "fixture-pyongyang-later": "north-korea"}


@ENGINES
def test_only_a_state_at_the_top_is_a_party_and_an_outlet_is_never_under_one(pkg, engine):
    line = line_of(pkg, "actors", "actor_id", "ukrainian-air-force")
    set_cell(pkg, "actors", line, "party_since", "2022-02-24")
    actor(pkg, "fixture-tv", "media", parent="russia")
    tv = line_of(pkg, "actors", "actor_id", "fixture-tv")
    assert faults(pkg, "party-not-top", engine) == [("actors", line, "party_since"), ("actors", tv, "parent_id")]


# --- scope: disputes only between figures that count the same thing ----------------------------

def test_a_governors_two_partial_counts_are_no_dispute(pkg):
    places(pkg, "fixture-town-a", "fixture-town-b")
    update = page(pkg, 1)
    event(pkg, "fixture-night")
    # soldiers killed in one town, civilians killed in another: two parts, not two answers to one question
    casualty(pkg, "fixture-soldiers-a", update, "oleh-kiper", "fixture-night", killed=3, victim_group="military",
             place_id="fixture-town-a", place_precision="within", scope="part")
    casualty(pkg, "fixture-civilians-b", update, "oleh-kiper", "fixture-night", killed=7,
             place_id="fixture-town-b", place_precision="within", scope="part")
    valid(pkg)
    assert len(cd.disputes(path=pkg)) == 0 and len(cd.disputes(by="side", path=pkg)) == 0


def test_one_towns_two_conflicting_death_tolls_are_one_dispute(pkg):
    places(pkg, "fixture-town-a")
    event(pkg, "fixture-night")
    actor(pkg, "fixture-occupation-authority", "government_body", parent="russia", country="RUS")
    first, second = page(pkg, 1), page(pkg, 2)
    casualty(pkg, "fixture-toll-ukraine", first, "oleh-kiper", "fixture-night", killed=12,
             place_id="fixture-town-a", place_precision="within", scope="whole")
    casualty(pkg, "fixture-toll-russia", second, "fixture-occupation-authority", "fixture-night", killed=2,
             place_id="fixture-town-a", place_precision="within", scope="whole")
    # a partial count of the same town (one street, by a third claimant) beside them: never in the dispute
    casualty(pkg, "fixture-toll-street", second, "ukrainian-media", "fixture-night", killed=1,
             place_id="fixture-town-a", place_precision="within", scope="part")
    valid(pkg)
    found = cd.disputes(path=pkg, format="polars")
    assert sorted(found["claim_id"]) == ["fixture-toll-russia", "fixture-toll-ukraine"]
    assert found["spread"].unique().to_list() == [10]
    assert sorted(cd.disputes(by="side", path=pkg, format="polars")["side_id"]) == ["russia", "ukraine"]


def test_a_part_beside_the_whole_is_shown_with_its_scope_not_as_a_dispute(pkg):
    places(pkg, "fixture-region", parent="ukraine")
    event(pkg, "fixture-nationwide")
    ukraine, russia = page(pkg, 1), page(pkg, 2)
    munition(pkg, "fixture-nationwide-count", ukraine, "ukrainian-air-force", "fixture-nationwide",
             "drone-type-not-stated", launched=80, intercepted=60)
    munition(pkg, "fixture-region-count", russia, "russian-armed-forces", "fixture-nationwide",
             "drone-type-not-stated", intercepted=20, target_place_id="fixture-region",
             target_place_precision="region", scope="part")
    valid(pkg)
    assert len(cd.disputes(path=pkg)) == 0
    rows = cd.event_figures(path=pkg, format="polars").filter(event_id="fixture-nationwide", measure="intercepted")
    assert dict(rows.select("claim_id", "scope").iter_rows()) == {"fixture-nationwide-count": None,
                                                                  "fixture-region-count": "part"}
    # the same two counts, both of the whole, are a dispute
    set_cell(pkg, "munitions", line_of(pkg, "munitions", "claim_id", "fixture-region-count"), "scope", "whole")
    assert sorted(cd.disputes(path=pkg, format="polars")["claim_id"]) == ["fixture-nationwide-count",
                                                                          "fixture-region-count"]


# --- contradictions across measures ------------------------------------------------------------

def kyiv_night(pkg):
    """Ukraine: all six Kinzhals shot down; Russia's ministry: a Kinzhal destroyed an air-defence system."""
    add_rows(pkg, "munition_types", {"munition_type_id": "fixture-kinzhal", "name": "Fixture Kinzhal",
                                     "category": "ballistic_missile", "model": "Kinzhal"})
    places(pkg, "fixture-kyiv")
    event(pkg, "fixture-kyiv-night")
    ukraine, russia = page(pkg, 1), page(pkg, 2)
    munition(pkg, "fixture-all-kinzhals-down", ukraine, "ukrainian-air-force", "fixture-kyiv-night",
             "fixture-kinzhal", launched=6, intercepted=6)
    munition(pkg, "fixture-kinzhal-hit", russia, "russian-armed-forces", "fixture-kyiv-night", "fixture-kinzhal",
             hit=1)
    add_rows(pkg, "damage_reports", {
        "report_id": "fixture-air-defence-destroyed", "update_id": russia, "claimant_id": "russian-armed-forces",
        "event_id": "fixture-kyiv-night", "event_link": "curator", "place_id": "fixture-kyiv",
        "place_precision": "within", "perpetrator_id": "russia", "object": "an air-defence system",
        "object_kind": "military_site", "effect": "destroyed", "certainty": "asserted",
        "quote": "fixture damage", "notes": "fixture"})
    return ukraine, russia


def test_the_kyiv_night_all_intercepted_against_one_hit_is_one_contradiction(pkg):
    ukraine, russia = kyiv_night(pkg)
    valid(pkg)
    assert len(cd.disputes(path=pkg)) == 0  # different measures: no one range shows it
    found = cd.contradictions(path=pkg, format="polars")
    assert found.height == 1
    row = found.row(0, named=True)
    assert (row["all_side"], row["all_update_id"], row["hit_side"], row["hit_update_id"]) == (
        "ukraine", ukraine, "russia", russia)
    assert row["hit_claim_ids"] == "damage_reports:fixture-air-defence-destroyed; munitions:fixture-kinzhal-hit"
    assert (row["munition_classes"], row["hit"], row["hit_objects"]) == ("ballistic_missile", 1,
                                                                          "an air-defence system")


def test_no_contradiction_when_not_all_were_stopped_or_one_side_says_both(pkg):
    kyiv_night(pkg)
    line = line_of(pkg, "munitions", "claim_id", "fixture-all-kinzhals-down")
    set_cell(pkg, "munitions", line, "intercepted", "5")  # one got through, as Russia says
    assert cd.contradictions(path=pkg, format="polars").height == 0
    set_cell(pkg, "munitions", line, "intercepted", "6")
    for table, key, ident in (("munitions", "claim_id", "fixture-kinzhal-hit"),
                              ("damage_reports", "report_id", "fixture-air-defence-destroyed")):
        set_cell(pkg, table, line_of(pkg, table, key, ident), "claimant_id", "kherson-regional-military-administration")
    assert cd.contradictions(path=pkg, format="polars").height == 0  # one side's debris is not set against itself


def test_contradictions_are_a_relation_in_sql(pkg):
    kyiv_night(pkg)
    from conflictdata.sql import query

    result = query("SELECT all_side, hit_side FROM event_contradictions", path=pkg)
    assert result.to_pylist() == [{"all_side": "ukraine", "hit_side": "russia"}]


# --- one statement, many pages ------------------------------------------------------------------

def test_a_statement_relayed_on_three_pages_is_one_claim(pkg):
    first = page(pkg, 1)
    page(pkg, 2, relay_of=first)
    page(pkg, 3, relay_of=first)
    event(pkg, "fixture-night")
    casualty(pkg, "fixture-wire-toll", first, "oleh-kiper", "fixture-night", killed=4)
    valid(pkg)
    rows = cd.event_figures(path=pkg, format="polars").filter(event_id="fixture-night")
    assert rows.select("claim_id", "pages").rows() == [("fixture-wire-toll", 3)]
    assert cd.event_figures(by="side", path=pkg, format="polars").filter(event_id="fixture-night")["claims"][0] == 1


@ENGINES
def test_a_relay_holds_no_claims_and_relays_the_first_page(pkg, engine):
    first = page(pkg, 1)
    second = page(pkg, 2, relay_of=first)
    page(pkg, 3, relay_of=second)
    event(pkg, "fixture-night")
    casualty(pkg, "fixture-on-a-relay", second, "oleh-kiper", "fixture-night", killed=4)
    line2, line3 = (line_of(pkg, "updates", "update_id", u) for u in (second, "fixture-update-3"))
    assert faults(pkg, "relay-with-claims", engine) == [("updates", line2, "relay_of")]
    assert faults(pkg, "relay-of-relay", engine) == [("updates", line3, "relay_of")]


# --- certainty, approximation and figures of their own kind ------------------------------------

@ENGINES
def test_hedge_is_given_exactly_when_certainty_is_not_asserted(pkg, engine):
    update = page(pkg, 1)
    casualty(pkg, "fixture-hedged-fact", update, "oleh-kiper", "", killed=3, hedge="at least", event_link="")
    casualty(pkg, "fixture-unhedged-likely", update, "oleh-kiper", "", killed=4, certainty="likely", event_link="")
    lines = [line_of(pkg, "casualty_reports", "report_id", r) for r in ("fixture-hedged-fact",
                                                                        "fixture-unhedged-likely")]
    assert faults(pkg, "certainty-without-hedge", engine) == [("casualty_reports", lines[0], "hedge"),
                                                               ("casualty_reports", lines[1], "certainty")]


def test_at_least_ten_killed_toll_expected_to_rise_is_an_asserted_lower_bound(pkg):
    update = page(pkg, 1)
    casualty(pkg, "fixture-at-least-ten", update, "oleh-kiper", "", killed_low=10, approximation="at least",
             event_link="", notes="fixture: 'the toll is expected to rise' is the claimant's own outlook")
    valid(pkg)


def test_the_general_staffs_about_is_an_approximation_of_an_asserted_claim(full_pkg):
    rows = cd.load("casualty_reports", path=full_pkg, format="polars").filter(
        claimant_id="general-staff-of-the-armed-forces-of-ukraine")
    assert rows.height > 1000
    assert set(rows["certainty"].cast(str)) == {"asserted"} and rows["hedge"].null_count() == rows.height
    assert set(rows["approximation"]) == {"about", "more"}


@ENGINES
def test_neutralised_counts_shot_down_or_suppressed_once(pkg, engine):
    update = page(pkg, 1)
    event(pkg, "fixture-night")
    # 'shot down or suppressed by electronic warfare: 50 of 60': never forced into intercepted
    munition(pkg, "fixture-neutralised", update, "ukrainian-air-force", "fixture-night", "drone-type-not-stated",
             launched=60, neutralised=50, intercepted=30, lost=20)
    assert cd.validate(pkg, strict=True, engine=engine).valid  # 30 + 20 are the 50, not 100 of 60
    line = line_of(pkg, "munitions", "claim_id", "fixture-neutralised")
    set_cell(pkg, "munitions", line, "neutralised", "40")
    assert faults(pkg, "combined-below-parts", engine) == [("munitions", line, "neutralised")]
    set_cell(pkg, "munitions", line, "neutralised", "50")
    set_cell(pkg, "munitions", line, "hit", "15")  # 50 stopped + 15 hit > 60 launched
    assert faults(pkg, "outcomes-sum-exceeds-launched", engine) == [("munitions", line, "launched")]


# --- a third party's running totals ----------------------------------------------------------------

@ENGINES
def test_a_monitoring_missions_verified_totals_are_running_totals_with_their_start(pkg, engine):
    actor(pkg, "fixture-un-mission", "organisation")
    first, second = page(pkg, 1, date="2024-09-30"), page(pkg, 2, date="2024-10-31")
    for ident, update, end, low in (("fixture-un-september", first, "2024-09-30", 11000),
                                    ("fixture-un-october", second, "2024-10-31", 11200)):
        casualty(pkg, ident, update, "fixture-un-mission", "", event_link="", victim_group="civilian",
                 figure_kind="running_total", event_start="2022-02-24", event_end=end, killed_low=low,
                 approximation="at least", notes="fixture: verified only; the true figure is higher")
    assert cd.validate(pkg, strict=True, engine=engine).valid
    series = cd.daily("casualty_reports", measure="killed", claimant="fixture-un-mission", path=pkg,
                      format="polars")
    assert series.select("total", "bound", "change").rows() == [(11000, "low", None), (11200, "low", 200)]
    line = line_of(pkg, "casualty_reports", "report_id", "fixture-un-october")
    event(pkg, "fixture-night")
    set_cell(pkg, "casualty_reports", line, "event_id", "fixture-night")
    set_cell(pkg, "casualty_reports", line, "event_link", "curator")
    assert ("casualty_reports", line, "event_id") in faults(pkg, "running-total-in-event", engine)
    set_cell(pkg, "casualty_reports", line, "event_start", "")
    assert ("casualty_reports", line, "event_start") in faults(pkg, "running-total-in-event", engine)


def test_the_data_card_counts_claims_by_side_never_an_outlet_as_a_side(pkg):
    from conflictdata.docs import coverage
    from conflictdata.package import open_package

    actor(pkg, "fixture-occupation-authority", "government_body", parent="russia", country="RUS")
    update = page(pkg, 1)
    event(pkg, "fixture-night")
    casualty(pkg, "fixture-russian-toll", update, "fixture-occupation-authority", "fixture-night", killed=1)
    (line,) = [x for x in coverage(open_package(pkg)).splitlines() if x.startswith("- **By side**")]
    counted = dict(part.rsplit(" ", 1) for part in line.split("): ", 1)[1].rstrip(".").split(", "))
    assert counted["russia"] == "1" and counted["non-party media"] == "1"  # Ukrainian media's report
    assert "ukrainian-media" not in counted and "dw" not in counted


def test_the_event_plot_draws_a_part_beside_the_whole_never_one_bar_for_both(pkg):
    pytest.importorskip("matplotlib")
    from conflictdata import plot

    places(pkg, "fixture-region", parent="ukraine")
    event(pkg, "fixture-nationwide")
    update = page(pkg, 1)
    munition(pkg, "fixture-whole", update, "ukrainian-air-force", "fixture-nationwide", "drone-type-not-stated",
             intercepted=60)
    munition(pkg, "fixture-part", update, "ukrainian-air-force", "fixture-nationwide", "drone-type-not-stated",
             intercepted=20, target_place_id="fixture-region", target_place_precision="region", scope="part")
    valid(pkg)
    data = plot.events(pkg)
    fig = plot.figure(data)
    (ax,) = [a for a in fig.axes if a.axison and a.get_title(loc="left").startswith("fixture-nationwide")]
    assert sorted(p.get_height() for p in ax.patches) == [20, 60]
    assert any("part: fixture-region" in t.get_text() for t in ax.get_xticklabels())


def test_one_event_is_drawn_claimant_by_claimant_with_its_dispute_and_contradiction(pkg, tmp_path):
    pytest.importorskip("matplotlib")
    from click.testing import CliRunner

    from conflictdata import plot
    from conflictdata.cli import cli

    kyiv_night(pkg)
    munition(pkg, "fixture-drones-ua", "fixture-update-1", "ukrainian-air-force", "fixture-kyiv-night",
             "drone-type-not-stated", launched=30, intercepted=25)
    munition(pkg, "fixture-drones-ru", "fixture-update-2", "russian-armed-forces", "fixture-kyiv-night",
             "drone-type-not-stated", launched=12)
    data = plot.event_claims("fixture-kyiv-night", pkg)
    assert data.disputes == {("launched", "drone-type-not-stated", None): 18}
    fig = plot.event_figure(data)
    (ax,) = [a for a in fig.axes if a.axison]
    assert sorted(p.get_height() for p in ax.patches) == [1, 6, 6, 12, 25, 30]  # a bar per claim, none summed
    texts = [t.get_text() for t in ax.texts]
    assert "dispute: spread 18" in texts
    assert any(t.startswith("12\nRussian armed") for t in texts)  # each bar names its claimant
    caption = fig.get_supxlabel() if hasattr(fig, "get_supxlabel") else fig._supxlabel.get_text()
    assert "Contradiction: Ukrainian Air Force (ukraine) says every munition launched (ballistic_missile) was " \
           "stopped; Russian armed forces (russia) says 1 hit." in caption
    out = tmp_path / "night.png"
    r = CliRunner().invoke(cli, ["plot", str(out), "--event", "fixture-kyiv-night", "--path", str(pkg)])
    assert r.exit_code == 0 and "2 claimants, 1 dispute, 1 contradiction" in r.output
    assert out.read_bytes().startswith(b"\x89PNG")
    r = CliRunner().invoke(cli, ["plot", str(out), "--event", "fixture-kyiv", "--path", str(pkg)])
    assert r.exit_code == 2 and "did you mean 'fixture-kyiv-night'?" in r.output and "Traceback" not in r.output
