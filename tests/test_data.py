"""The curated data keeps its promises: every claim is sourced, quoted and attributed."""

import re

import pandas as pd
import pytest

import conflictdata as cd

from .conftest import SEED

CLAIM_TABLES = ("munitions", "casualty_reports", "damage_reports")


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'"))


@pytest.mark.parametrize("table", CLAIM_TABLES)
def test_every_claim_names_its_update_and_claimant(table):
    df = cd.load(table)
    assert df["update_id"].notna().all() and df["claimant_id"].notna().all()
    assert set(df["update_id"]) <= set(cd.load("updates")["update_id"])


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seeds is not beside this checkout")
@pytest.mark.parametrize("table", CLAIM_TABLES)
def test_every_quote_stands_in_the_seed(table):
    seed = norm(SEED.read_text(encoding="utf-8"))
    for quote in cd.load(table)["quote"].dropna():
        assert norm(quote) in seed, quote


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seeds is not beside this checkout")
def test_every_number_stands_in_its_quote_or_notes():
    # A count is only recorded where the source states it: as a digit or a number word.
    words = {0: ("no ",), 1: ("one", "last one", "a russian", "some"), 2: ("two",), 5: ("five",), 6: ("six",),
             18: ("18",), 19: ("19",)}
    for table in CLAIM_TABLES:
        df = cd.load(table)
        counts = [c for c in df.columns if str(df[c].dtype) == "Int64"]
        for _, row in df.iterrows():
            said = norm(f"{row['quote']} {row['notes']}").lower()
            for c in counts:
                if pd.notna(row[c]):
                    assert any(w in said for w in words[int(row[c])]), (table, row.iloc[0], c, row[c])


def test_seed_figures():
    m = cd.load("munitions")
    assert m["launched"].sum() == 2 + 19
    assert m["intercepted"].sum() == 18
    assert m["returned"].sum() == 1
    c = cd.load("casualty_reports").set_index("report_id")
    assert (c.loc["dw-2024-10-08-odesa-port-ship-strike", ["killed", "injured"]] == [1, 5]).all()
    assert (c.loc["dw-2024-10-08-chornomorsk-no-casualties", ["killed", "injured"]] == [0, 0]).all()
    nk = c.loc["dw-2024-10-08-north-korean-casualties-likely"]
    assert pd.isna(nk["killed"]) and nk["killed_low"] == 1 and pd.isna(nk["killed_high"])


def test_unstated_values_stay_empty():
    s = cd.load("sources").iloc[0]
    assert pd.isna(s["url"]) and pd.isna(s["retrieved_date"])
    assert cd.load("places")[["latitude", "longitude"]].isna().all().all()
