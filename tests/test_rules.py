"""Each semantic rule, broken on purpose in a copy of the package: found at its line and field."""

import datetime as dt

import pytest

import conflictdata as cd
from conflictdata.validation.checks import all_checks
from conflictdata.validation.rules import RULES

from .conftest import line_of, read_rows, set_cell, write_rows

DRONES = "dw-2024-10-08-overnight-drones-air-force"  # intercepted 18, returned 1
ISKANDER = "dw-2024-10-08-overnight-iskander-m-launched"  # launched 2
NK_LIKELY = "dw-2024-10-08-north-korean-casualties-likely"  # killed_low 1
PORT = "dw-2024-10-08-odesa-port-ship-strike"  # killed 1, injured 5


def faults(pkg, code, **kw):
    return [(f.resource, f.row, f.field) for f in cd.validate(pkg, **kw).faults if f.code == code]


def test_shipped_data_passes_every_rule_strictly():
    report = cd.validate(strict=True)
    assert report.valid, report.render()


def test_every_rule_has_a_unique_kebab_code_and_a_description():
    codes = [c.code for c in all_checks()]
    assert len(codes) == len(set(codes))
    for c in all_checks():
        assert c.code == c.code.lower() and " " not in c.code and c.description


def test_outcome_exceeds_launched(pkg):
    line = line_of(pkg, "munitions", "claim_id", ISKANDER)
    set_cell(pkg, "munitions", line, "intercepted", "3")
    assert faults(pkg, "outcome-exceeds-launched") == [("munitions", line, "intercepted")]


def test_outcomes_sum_exceeds_launched(pkg):
    line = line_of(pkg, "munitions", "claim_id", DRONES)
    set_cell(pkg, "munitions", line, "launched", "18")  # 18 intercepted + 1 returned = 19 > 18
    assert faults(pkg, "outcomes-sum-exceeds-launched") == [("munitions", line, "launched")]
    assert faults(pkg, "outcome-exceeds-launched") == []


def test_window_start_after_end(pkg):
    line = line_of(pkg, "munitions", "claim_id", ISKANDER)
    set_cell(pkg, "munitions", line, "window_start", "2024-10-09T06:00:00")  # the window ends 2024-10-09T00:00
    assert ("munitions", line, "window_start") in faults(pkg, "start-after-end")


def test_event_start_after_end(pkg):
    line = line_of(pkg, "casualty_reports", "event_start", "2024-10-03")
    set_cell(pkg, "casualty_reports", line, "event_end", "2024-10-02")
    assert faults(pkg, "start-after-end") == [("casualty_reports", line, "event_start")]


@pytest.mark.parametrize("field, value", [("killed_low", "2"), ("killed_high", "0")])
def test_bounds_order_killed(pkg, field, value):
    line = line_of(pkg, "casualty_reports", "report_id", PORT)  # killed 1
    set_cell(pkg, "casualty_reports", line, field, value)
    assert faults(pkg, "bounds-order") == [("casualty_reports", line, field)]


def test_bounds_order_injured_and_launched(pkg):
    line = line_of(pkg, "casualty_reports", "report_id", NK_LIKELY)
    set_cell(pkg, "casualty_reports", line, "injured_low", "5")
    set_cell(pkg, "casualty_reports", line, "injured_high", "4")
    mline = line_of(pkg, "munitions", "claim_id", ISKANDER)
    set_cell(pkg, "munitions", mline, "launched_high", "1")
    assert sorted(faults(pkg, "bounds-order")) == [("casualty_reports", line, "injured_high"),
                                                   ("munitions", mline, "launched_high")]


def test_event_after_update(pkg):
    line = line_of(pkg, "casualty_reports", "event_start", "2024-10-03")
    set_cell(pkg, "casualty_reports", line, "event_start", "2024-10-09")
    set_cell(pkg, "casualty_reports", line, "event_end", "2024-10-09")
    report = cd.validate(pkg)
    (f,) = [f for f in report.faults if f.code == "event-after-update"]
    assert (f.resource, f.row, f.field) == ("casualty_reports", line, "event_start")
    assert "'updates'" in f.message and "north-korean-troops" in f.message


def test_munitions_window_after_update(pkg):
    line = line_of(pkg, "munitions", "claim_id", ISKANDER)
    set_cell(pkg, "munitions", line, "window_start", "2024-10-10T00:00:00")
    set_cell(pkg, "munitions", line, "window_end", "2024-10-10T00:00:00")
    assert faults(pkg, "event-after-update") == [("munitions", line, "window_start")]


def test_update_after_retrieval(pkg):
    set_cell(pkg, "sources", 2, "retrieved_date", "2024-10-07")
    found = faults(pkg, "dated-after-retrieval")
    assert ("sources", 2, "published_date") in found
    assert len([f for f in found if f[0] == "updates"]) == 4  # the dated ones


def test_date_in_future(pkg):
    last = max(d for d in cd.load("updates", path=pkg)["published_date"].dropna())  # the latest report
    after = (last + dt.timedelta(days=2)).date()
    set_cell(pkg, "updates", 2, "published_date", after.isoformat())
    assert faults(pkg, "date-in-future", today=after - dt.timedelta(days=1)) == [("updates", 2, "published_date")]
    assert not faults(pkg, "date-in-future", today=after)


@pytest.mark.parametrize("table, a, b", [("actors", "ukraine", "armed-forces-of-ukraine"),
                                         ("places", "ukraine", "odesa-oblast")])
def test_parent_cycle(pkg, table, a, b):
    line = line_of(pkg, table, f"{table[:-1]}_id", a)
    set_cell(pkg, table, line, "parent_id", b)
    found = faults(pkg, "parent-cycle")
    assert {f[0] for f in found} == {table}
    assert line in {f[1] for f in found} and len(found) == 2  # both ids on the two-step loop


def test_self_parent_is_a_cycle(pkg):
    line = line_of(pkg, "places", "place_id", "odesa")
    set_cell(pkg, "places", line, "parent_id", "odesa")
    assert faults(pkg, "parent-cycle") == [("places", line, "parent_id")]


def test_duplicate_claim(pkg):
    path = pkg / "data" / "munitions.csv"
    header, rows = read_rows(path)
    twin = list(rows[0])
    twin[0] = twin[0] + "-again"
    rows.append(twin)
    write_rows(path, header, rows)
    report = cd.validate(pkg)
    (f,) = [f for f in report.faults if f.code == "duplicate-claim"]
    assert (f.row, f.field) == (len(rows) + 1, "claim_id") and "line 2" in f.message


@pytest.mark.parametrize("code, value", [
    ("text-whitespace", " leading space"),
    ("text-whitespace", "trailing space "),
    ("text-control-character", "bell\x07here"),
    ("text-control-character", "tab\there"),
    ("text-not-nfc", "Odesa\u0301"),
    ("text-formula", "=HYPERLINK(\"http://x\")"),
    ("text-formula", "+1 more"),
    ("text-formula", "-1"),
    ("text-formula", "@SUM(A1)"),
])
def test_text_hygiene(pkg, code, value):
    set_cell(pkg, "actors", 3, "notes", value)
    assert faults(pkg, code) == [("actors", 3, "notes")]


def test_nfc_text_passes(pkg):
    set_cell(pkg, "actors", 3, "notes", "Odes\u00e1 and Kyiv \u2014 fine")
    assert cd.validate(pkg).valid


def test_url_must_be_http(pkg):
    set_cell(pkg, "sources", 2, "url", "javascript:alert(1)")
    assert faults(pkg, "constraint-pattern") == [("sources", 2, "url")]
    set_cell(pkg, "sources", 2, "url", "https://example.org/live")
    assert cd.validate(pkg).valid


def test_coordinates_outside_country(pkg):
    line = line_of(pkg, "places", "place_id", "odesa")
    set_cell(pkg, "places", line, "latitude", "46.5")
    set_cell(pkg, "places", line, "longitude", "-30.7")  # the sign flipped: the Atlantic
    assert faults(pkg, "coordinates-outside-country") == [("places", line, "latitude")]
    set_cell(pkg, "places", line, "longitude", "30.7")
    assert faults(pkg, "coordinates-outside-country") == []


def test_group_members_must_exist(pkg):
    path = pkg / "data" / "munition_types.csv"
    header, rows = read_rows(path)
    group = dict.fromkeys(header, "")
    group.update(munition_type_id="iskander-m-and-drones", name="Iskander-M and drones", category="mixed",
                 members="iskander-m|drone-type-not-stated")
    rows.append([group[h] for h in header])
    write_rows(path, header, rows)
    assert cd.validate(pkg).valid
    set_cell(pkg, "munition_types", len(rows) + 1, "members", "iskander-m|kalibr")
    assert faults(pkg, "group-member-unknown") == [("munition_types", len(rows) + 1, "members")]


def test_warnings_fail_only_when_strict(pkg):
    line = line_of(pkg, "munitions", "claim_id", ISKANDER)
    set_cell(pkg, "munitions", line, "quote", "")
    report = cd.validate(pkg)
    assert report.valid and [(f.code, f.severity) for f in report.faults] == [("quote-missing", "warning")]
    assert not cd.validate(pkg, strict=True).valid


def test_large_count_is_a_warning(pkg):
    line = line_of(pkg, "munitions", "claim_id", ISKANDER)
    set_cell(pkg, "munitions", line, "launched", "5000")
    report = cd.validate(pkg)
    assert report.valid
    assert [(f.code, f.row) for f in report.warnings] == [("count-unusually-large", line)]


def test_a_running_total_is_not_an_unusually_large_count(pkg):
    line = line_of(pkg, "casualty_reports", "report_id", PORT)
    set_cell(pkg, "casualty_reports", line, "injured", "2500")
    assert faults(pkg, "count-unusually-large") == [("casualty_reports", line, "injured")]
    set_cell(pkg, "casualty_reports", line, "figure_kind", "running_total")
    assert faults(pkg, "count-unusually-large") == []


def test_rules_registry_matches_the_codes_found():
    # Each semantic rule is exercised above; this guards against a rule added without a test.
    tested = {"outcome-exceeds-launched", "outcomes-sum-exceeds-launched", "start-after-end", "bounds-order",
              "event-after-update", "dated-after-retrieval", "date-in-future", "parent-cycle", "duplicate-claim",
              "text-whitespace", "text-control-character", "text-not-nfc", "text-formula",
              "coordinates-outside-country", "group-member-unknown", "quote-missing", "count-unusually-large",
              # tested in test_rules_hostile.py
              "outcome-exceeds-launched-bound", "outcomes-sum-exceeds-launched-bound", "event-end-after-update",
              "event-after-retrieval", "update-before-source", "text-bidi-control", "text-invisible-character",
              "coordinates-incomplete", "country-code-unknown",
              # tested in test_rules_events.py
              "qualifier-without-value", "qualifier-missing", "window-off-precision", "event-claim-outside-window",
              "event-attacker-mismatch", "event-outcomes-exceed-launched", "event-unclaimed",
              "supersedes-other-claimant",
              # tested in test_model.py
              "certainty-without-hedge", "combined-below-parts", "running-total-in-event", "relay-with-claims",
              "relay-of-relay", "party-not-top"}
    assert {r.code for r in RULES} == tested
