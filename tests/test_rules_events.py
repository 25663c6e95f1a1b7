"""The rules about events, qualifiers and revisions, each broken on purpose in a copy of the package.

Every test runs with both engines: the same expressions, evaluated by Polars or wrapped as
Pandera checks, must find the same faults at the same lines.
"""

import pytest

import conflictdata as cd

from .conftest import line_of, read_rows, set_cell, write_rows

OVERNIGHT = "2024-10-08-overnight-missile-and-drone-attack"
SHIP = "2024-10-08-missile-strike-on-ship-in-odesa-port"
AIR_FORCE = "dw-2024-10-08-overnight-drones-air-force"  # Ukrainian Air Force: intercepted 18, returned 1
LAUNCHED = "dw-2024-10-08-overnight-drones-launched"  # Armed Forces of Ukraine: launched 19
ISKANDER = "dw-2024-10-08-overnight-iskander-m-launched"
DONETSK_DEAD = "dw-2024-10-08-north-korean-officers-near-donetsk"  # casualty, 2024-10-03, event near Donetsk

ENGINES = pytest.mark.parametrize("engine", ["polars", "pandera"])


def faults(pkg, code, engine="polars"):
    return sorted((f.resource, f.row, f.field, f.severity) for f in cd.validate(pkg, engine=engine).faults
                  if f.code == code)


def messages(pkg, code):
    return [f.message for f in cd.validate(pkg).faults if f.code == code]


@ENGINES
def test_the_shipped_data_breaks_none_of_them(engine):
    report = cd.validate(strict=True, engine=engine)
    assert report.valid, report.render()


@ENGINES
def test_outcomes_of_one_side_over_the_event_exceed_its_launched(pkg, engine):
    # A second Ukrainian claim (the military's own) repeating 18 shot down: with the Air
    # Force's 18 + 1 the side's outcomes add up to 37, more than the 19 it says were launched.
    line = line_of(pkg, "munitions", "claim_id", LAUNCHED)
    set_cell(pkg, "munitions", line, "intercepted", "18")
    found = faults(pkg, "event-outcomes-exceed-launched", engine)
    air = line_of(pkg, "munitions", "claim_id", AIR_FORCE)
    assert found == sorted([("munitions", line, "event_id", "warning"), ("munitions", air, "event_id", "warning")])
    assert "add up to 37, more than the 19" in messages(pkg, "event-outcomes-exceed-launched")[0]
    # One row alone stays within launched: the per-row rules have nothing to say.
    assert faults(pkg, "outcomes-sum-exceeds-launched", engine) == []


@ENGINES
def test_another_sides_outcomes_are_not_added_to_this_sides(pkg, engine):
    # Russia's ministry claims the same event: its figures are its own side's, not Ukraine's.
    header, rows = read_rows(pkg / "data" / "munitions.csv")
    row = dict(zip(header, rows[line_of(pkg, "munitions", "claim_id", AIR_FORCE) - 2], strict=True))
    row.update(claim_id="russia-says-all-hit", claimant_id="russia", intercepted="", returned="", hit="19",
               event_link="curator", notes="fixture")
    rows.append([row[h] for h in header])
    write_rows(pkg / "data" / "munitions.csv", header, rows)
    assert faults(pkg, "event-outcomes-exceed-launched", engine) == []


@ENGINES
def test_a_claim_dated_outside_its_event(pkg, engine):
    line = line_of(pkg, "casualty_reports", "report_id", DONETSK_DEAD)
    set_cell(pkg, "casualty_reports", line, "event_end", "2024-10-04")  # the event is 3 October only
    set_cell(pkg, "casualty_reports", line, "event_start", "2024-10-03")
    assert faults(pkg, "event-claim-outside-window", engine) == [("casualty_reports", line, "event_end", "error")]
    (message,) = messages(pkg, "event-claim-outside-window")
    assert "2024-10-03T00:00:00 to 2024-10-04T00:00:00, end excluded" in message


@ENGINES
def test_a_window_inside_its_event_and_one_that_ends_on_its_end_pass(pkg, engine):
    line = line_of(pkg, "munitions", "claim_id", ISKANDER)
    set_cell(pkg, "munitions", line, "window_start", "2024-10-08T00:00:00")  # inside 7 Oct 00:00 .. 9 Oct 00:00
    assert faults(pkg, "event-claim-outside-window", engine) == []
    set_cell(pkg, "munitions", line, "window_start", "2024-10-06T00:00:00")
    assert faults(pkg, "event-claim-outside-window", engine) == [("munitions", line, "window_start", "error")]


@ENGINES
def test_a_claim_whose_event_has_an_attacker_of_another_side(pkg, engine):
    line = line_of(pkg, "munitions", "claim_id", ISKANDER)
    set_cell(pkg, "munitions", line, "attacker_id", "north-korean-armed-forces")
    assert faults(pkg, "event-attacker-mismatch", engine) == [("munitions", line, "attacker_id", "error")]
    (message,) = messages(pkg, "event-attacker-mismatch")
    assert "side 'north-korea'" in message and "'russia'" in message


@ENGINES
def test_an_attacker_lower_in_the_same_chain_is_the_same_side(pkg, engine):
    line = line_of(pkg, "munitions", "claim_id", ISKANDER)
    set_cell(pkg, "munitions", line, "attacker_id", "russian-armed-forces")  # under russia, the event's attacker
    assert faults(pkg, "event-attacker-mismatch", engine) == []


@ENGINES
def test_an_event_no_claim_points_at(pkg, engine):
    header, rows = read_rows(pkg / "data" / "events.csv")
    ship = dict(zip(header, rows[line_of(pkg, "events", "event_id", SHIP) - 2], strict=True))
    ship.update(event_id="an-orphan-event", name="An event without claims")
    rows.append([ship[h] for h in header])
    write_rows(pkg / "data" / "events.csv", header, rows)
    line = line_of(pkg, "events", "event_id", "an-orphan-event")
    assert faults(pkg, "event-unclaimed", engine) == [("events", line, "event_id", "error")]


def test_unclaimed_counts_every_claims_table(pkg):
    # The fire in Odesa is pointed at by one damage report only: removing it orphans the event.
    header, rows = read_rows(pkg / "data" / "damage_reports.csv")
    write_rows(pkg / "data" / "damage_reports.csv", header,
               [r for r in rows if r[header.index("report_id")] != "dw-2024-10-08-fire-at-production-facility-odesa"])
    line = line_of(pkg, "events", "event_id", "2024-10-08-fire-at-production-facility-in-odesa")
    assert faults(pkg, "event-unclaimed") == [("events", line, "event_id", "error")]


def test_load_of_one_table_does_not_count_referrers(pkg):
    header, rows = read_rows(pkg / "data" / "events.csv")
    write_rows(pkg / "data" / "events.csv", header, rows + [["lonely", "Lonely", "attack"] + [""] * 6
                                                          + ["source", "fixture", ""]])
    assert len(cd.load("events", path=pkg)) == len(rows) + 1  # structure only: no rule runs in load


@ENGINES
def test_a_qualifier_without_its_field_and_a_field_without_its_qualifier(pkg, engine):
    line = line_of(pkg, "munitions", "claim_id", "dw-2024-10-08-drone-landed-without-detonating")
    set_cell(pkg, "munitions", line, "event_link", "curator")  # no event_id
    assert faults(pkg, "qualifier-without-value", engine) == [("munitions", line, "event_link", "error")]
    ship = line_of(pkg, "casualty_reports", "report_id", "dw-2024-10-08-odesa-port-ship-strike")
    set_cell(pkg, "casualty_reports", ship, "place_precision", "")
    assert faults(pkg, "qualifier-missing", engine) == [("casualty_reports", ship, "place_precision", "warning")]


@ENGINES
@pytest.mark.parametrize("precision, start, broken", [
    ("day", "2024-10-07T06:00:00", True),
    ("hour", "2024-10-07T06:00:00", False),
    ("hour", "2024-10-07T06:30:00", True),
    ("minute", "2024-10-07T06:30:00", False),
    ("minute", "2024-10-07T06:30:15", True),
])
def test_a_window_off_its_precision(pkg, engine, precision, start, broken):
    line = line_of(pkg, "munitions", "claim_id", ISKANDER)
    set_cell(pkg, "munitions", line, "window_start", start)
    set_cell(pkg, "munitions", line, "window_precision", precision)
    assert faults(pkg, "window-off-precision", engine) == ([("munitions", line, "window_start", "error")]
                                                           if broken else [])


@ENGINES
def test_supersedes_a_claim_of_another_claimant(pkg, engine):
    line = line_of(pkg, "munitions", "claim_id", AIR_FORCE)
    set_cell(pkg, "munitions", line, "supersedes", LAUNCHED)  # the military's, not the Air Force's
    assert faults(pkg, "supersedes-other-claimant", engine) == [("munitions", line, "supersedes", "error")]


@ENGINES
def test_supersedes_an_own_claim_passes_and_a_loop_does_not(pkg, engine):
    line = line_of(pkg, "munitions", "claim_id", ISKANDER)
    set_cell(pkg, "munitions", line, "supersedes", LAUNCHED)  # same claimant: a revision
    assert faults(pkg, "supersedes-other-claimant", engine) == []
    assert faults(pkg, "parent-cycle", engine) == []
    set_cell(pkg, "munitions", line_of(pkg, "munitions", "claim_id", LAUNCHED), "supersedes", ISKANDER)
    assert len(faults(pkg, "parent-cycle", engine)) == 2


def test_a_datetime_the_zone_skips_is_a_type_error(pkg):
    # 2024-03-31 03:30 does not exist in Kyiv: clocks went from 03:00 to 04:00.
    line = line_of(pkg, "munitions", "claim_id", ISKANDER)
    set_cell(pkg, "munitions", line, "window_start", "2024-03-31T03:30:00")
    set_cell(pkg, "munitions", line, "window_precision", "minute")
    found = [(f.row, f.field, f.code) for f in cd.validate(pkg).faults if f.severity == "error"]
    assert (line, "window_start", "type-error") in found


def test_a_utc_datetime_is_read_as_the_same_moment(pkg):
    line = line_of(pkg, "munitions", "claim_id", ISKANDER)
    set_cell(pkg, "munitions", line, "window_start", "2024-10-07T21:00:00Z")  # 8 October 00:00 in Kyiv
    set_cell(pkg, "munitions", line, "window_precision", "day")
    assert cd.validate(pkg).valid
    df = cd.load("munitions", path=pkg, format="polars")
    start = df.filter(df["claim_id"] == ISKANDER)["window_start"][0]
    assert start.isoformat() == "2024-10-08T00:00:00+03:00"


def test_a_running_total_dated_after_its_report(full_pkg):
    pkg = full_pkg
    # equipment_losses carries its update's date like every claims table.
    line = line_of(pkg, "equipment_losses", "claim_id", "general-staff-2026-08-08-tank")
    set_cell(pkg, "equipment_losses", line, "event_end", "2026-08-09")
    assert faults(pkg, "event-end-after-update") == [("equipment_losses", line, "event_end", "error")]
