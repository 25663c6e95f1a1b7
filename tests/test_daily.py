"""cd.daily: per-report changes derived from running totals, revisions marked, merges not bridged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import polars as pl
import pytest

import conflictdata as cd
from conflictdata.daily import COLUMNS

from .conftest import read_rows, write_rows

GS = "general-staff-of-the-armed-forces-of-ukraine"
START = "2022-02-24"
SOURCE = "general-staff-losses-fixture"
# date -> running totals as reported, with a revision (tank: 2022-03-03 below 2022-03-02), and the
# merge of military auto and fuel tanks into vehicles and fuel tanks on 2022-05-01
TOTALS = {
    "2022-02-25": {"tank": 80, "military-auto": 100, "fuel-tank": 60},
    "2022-02-26": {"tank": 146, "military-auto": 130, "fuel-tank": 60},
    "2022-03-02": {"tank": 211, "military-auto": 305, "fuel-tank": 60},
    "2022-03-03": {"tank": 198, "military-auto": 305, "fuel-tank": 60},
    "2022-04-30": {"tank": 1000, "military-auto": 1500, "fuel-tank": 70},
    "2022-05-01": {"tank": 1008, "vehicles-and-fuel-tanks": 1574},
}
# personnel: (casualties, casualties_low, hedge, captured); a "more than" figure has only its low bound
PERSONNEL = {
    "2022-02-25": ("2800", "", "about", "0"),
    "2022-02-26": ("3500", "", "about", "200"),
    "2022-03-02": ("", "5841", "more than", "200"),
    "2022-03-03": ("9000", "", "about", ""),
}
ADJUSTMENTS = [("2022-03-03", "tank", "-15"), ("2022-03-03", "tank", "2"), ("2022-02-26", "personnel", "-50")]


def append(path: Path, rows: list[dict], *, keep=lambda row: True) -> None:
    header, old = read_rows(path)
    kept = [r for r in old if keep(dict(zip(header, r, strict=True)))]
    write_rows(path, header, kept + [[r.get(h, "") for h in header] for r in rows])


def running_totals(pkg: Path, totals: dict | None = None, personnel: dict | None = None,
                   adjustments: list | None = None) -> Path:
    """Write General Staff-like daily reports into the package copy ``pkg``, in place of its running totals.

    The shipped package's own running totals and adjustments (the imported reports) are
    removed first, so the tests see these rows alone.
    """
    totals = TOTALS if totals is None else totals
    personnel = PERSONNEL if personnel is None else personnel
    adjustments = ADJUSTMENTS if adjustments is None else adjustments
    days = sorted(set(totals) | set(personnel))
    update = {d: f"fixture-report-{d}" for d in days}
    append(pkg / "data" / "sources.csv", [
        {"source_id": SOURCE, "publisher": "Petro Ivaniuk", "title": "Russia losses (a test fixture)",
         "kind": "dataset", "language": "en", "license": "MIT"}])
    append(pkg / "data" / "updates.csv", [
        {"update_id": update[d], "source_id": SOURCE, "sequence": str(100 + i), "published_date": d,
         "headline": f"Losses as of {d}", "summary": "The General Staff's daily running totals."}
        for i, d in enumerate(days)])
    append(pkg / "data" / "equipment_losses.csv", [
        {"claim_id": f"gs-{d}-{c}", "update_id": update[d], "claimant_id": GS, "category_id": c,
         "owner_id": "russian-armed-forces", "event_start": START, "event_end": d, "figure_kind": "running_total",
         "lost": str(n), "certainty": "asserted", "quote": f"{c} {n}"}
        for d, row in totals.items() for c, n in row.items()], keep=lambda row: False)
    append(pkg / "data" / "casualty_reports.csv", [
        {"report_id": f"gs-{d}-personnel", "update_id": update[d], "claimant_id": GS, "event_start": START,
         "event_end": d, "victim_actor_id": "russian-armed-forces", "victim_group": "military",
         "figure_kind": "running_total", "casualties": best, "casualties_low": low, "captured": captured,
         "certainty": "asserted", "approximation": hedge, "quote": f"personnel {hedge} {best or low}"}
        for d, (best, low, hedge, captured) in personnel.items()],
        keep=lambda row: row["figure_kind"] != "running_total")
    append(pkg / "data" / "loss_adjustments.csv", [
        {"adjustment_id": f"adjustment-{i}", "update_id": update[d], "claimant_id": GS, "category_id": c,
         "adjusted_on": d, "change": n, "quote": f"{c} {n}"}
        for i, (d, c, n) in enumerate(adjustments)], keep=lambda row: False)
    return pkg


@pytest.fixture
def gs(pkg) -> Path:
    return running_totals(pkg)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_the_fixture_is_a_valid_package(gs):
    report = cd.validate(gs)
    assert report.valid, report.render()


def test_tanks_per_report_with_the_revision_kept_and_marked(gs):
    t = cd.daily("equipment_losses", category="tank", path=gs, format="polars")
    assert t.columns == COLUMNS
    assert t["date"].to_list() == [day(d) for d in TOTALS]
    assert t["total"].to_list() == [80, 146, 211, 198, 1000, 1008]  # as reported, never corrected
    assert t["previous_total"].to_list() == [None, 80, 146, 211, 198, 1000]
    assert t["change"].to_list() == [None, 66, 65, -13, 802, 8]
    assert t["days"].to_list() == [None, 1, 4, 1, 58, 1]
    assert t["revision"].to_list() == [False, False, False, True, False, False]
    assert t["adjustments"].to_list() == [None, None, None, -13, None, None]  # -15 + 2, listed beside
    assert t["claim_id"][3] == "gs-2022-03-03-tank" and t["update_id"][3] == "fixture-report-2022-03-03"
    assert set(t["claimant_id"]) == {GS} and set(t["measure"]) == {"lost"} and t["bound"].null_count() == 6


def test_a_merge_starts_a_new_series_and_the_old_ones_stop(gs):
    t = cd.daily("equipment_losses", path=gs, format="polars")
    merged = t.filter(pl.col("category_id") == "vehicles-and-fuel-tanks")
    assert merged["total"].to_list() == [1574]
    assert merged["change"].to_list() == [None] and merged["previous_total"].to_list() == [None]  # no jump invented
    auto = t.filter(pl.col("category_id") == "military-auto")
    assert auto["date"].max() == day("2022-04-30") and auto["change"].to_list() == [None, 30, 175, 0, 1195]
    assert set(t["category_id"]) == {"tank", "military-auto", "fuel-tank", "vehicles-and-fuel-tanks"}
    assert t.height == sum(len(r) for r in TOTALS.values())


def test_personnel_uses_the_low_bound_where_no_best_figure_and_says_so(gs):
    p = cd.daily("casualty_reports", measure="casualties", path=gs, format="polars")
    assert p["total"].to_list() == [2800, 3500, 5841, 9000]
    assert p["bound"].to_list() == [None, None, "low", None]
    assert p["approximation"].to_list() == ["about", "about", "more than", "about"]
    assert p["change"].to_list() == [None, 700, 2341, 3159]
    assert p["adjustments"].to_list() == [None, -50, None, None]  # the 'personnel' category's listed change
    assert p["category_id"].null_count() == 4 and p["claim_id"][0] == "gs-2022-02-25-personnel"


def test_captured_is_its_own_series_and_a_report_without_it_is_no_row(gs):
    c = cd.daily("casualty_reports", measure="captured", path=gs, format="polars")
    assert c["total"].to_list() == [0, 200, 200] and c["change"].to_list() == [None, 200, 0]
    both = cd.daily("casualty_reports", path=gs, format="polars")
    assert set(both["measure"]) == {"casualties", "captured"}  # the live-blog's killed/injured are no running totals
    assert both.height == 7


def test_formats_and_the_claimant_filter(gs):
    df = cd.daily("equipment_losses", "tank", path=gs)
    assert isinstance(df, pd.DataFrame) and str(df["change"].dtype) == "Int64"
    assert str(df["revision"].dtype) == "boolean" and df["change"].isna().sum() == 1
    arrow = cd.daily("equipment_losses", "tank", path=gs, format="arrow")
    assert arrow.num_rows == 6
    assert cd.daily("equipment_losses", "tank", claimant="russian-armed-forces", path=gs, format="polars").height == 0


def test_ordinary_counts_are_not_running_totals(gs):
    # the shipped live-blog claims have figures but no figure_kind: none of them is a row
    assert cd.daily("casualty_reports", path=gs, format="polars").filter(
        ~pl.col("claim_id").str.starts_with("gs-")).height == 0


def test_the_shipped_package_gives_the_columns_and_one_row_per_report():
    tanks = cd.daily("equipment_losses", category="tank", format="polars")
    assert tanks.columns == COLUMNS
    # one row per report, every change what the totals say (empty before the import)
    assert tanks["date"].n_unique() == tanks.height
    assert (tanks["change"] == tanks["total"] - tanks["previous_total"]).all()


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    (("casualty_reports", "tank"), {}, "has no categories"),
    (("equipment_losses", "tanks"), {}, "unknown loss category 'tanks'"),
    (("casualty_reports",), {"measure": "casualties_low"}, "no measure 'casualties_low'"),
    (("sources",), {}, "has no running totals"),
    (("equipment_losses",), {"format": "csv"}, "format must be one of"),
])
def test_bad_arguments_are_refused_with_what_would_do(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cd.daily(*args, **kwargs)
