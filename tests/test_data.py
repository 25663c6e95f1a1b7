"""The curated data keeps its promises: every claim is sourced, quoted and attributed."""

import re

import pandas as pd
import pytest

import conflictdata as cd

from .conftest import SEED

CLAIM_TABLES = ("munitions", "casualty_reports", "damage_reports")
ALL_CLAIM_TABLES = (*CLAIM_TABLES, "equipment_losses")


def from_seed(table: str) -> pd.DataFrame:
    """The rows of ``table`` curated from the seed (their update's source is archived in seeds/)."""
    sources = cd.load("sources")
    seeded = set(sources.loc[sources["archive_ref"].fillna("").str.startswith("seeds/"), "source_id"])
    updates = cd.load("updates")
    ids = set(updates.loc[updates["source_id"].isin(seeded), "update_id"])
    df = cd.load(table)
    return df[df["update_id"].isin(ids)]


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'"))


@pytest.mark.parametrize("table", ALL_CLAIM_TABLES)
def test_every_claim_names_its_update_and_claimant(table):
    df = cd.load(table)
    assert df["update_id"].notna().all() and df["claimant_id"].notna().all()
    assert set(df["update_id"]) <= set(cd.load("updates")["update_id"])


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seeds is not beside this checkout")
@pytest.mark.parametrize("table", CLAIM_TABLES)
def test_every_quote_stands_in_the_seed(table):
    seed = norm(SEED.read_text(encoding="utf-8"))
    for quote in from_seed(table)["quote"].dropna():
        assert norm(quote) in seed, quote


@pytest.mark.skipif(not SEED.exists(), reason="../shared/seeds is not beside this checkout")
def test_every_number_stands_in_its_quote_or_notes():
    # A count is only recorded where the source states it: as a digit or a number word.
    words = {0: ("no ",), 1: ("one", "last one", "a russian", "some"), 2: ("two",), 5: ("five",), 6: ("six",),
             18: ("18",), 19: ("19",)}
    for table in CLAIM_TABLES:
        df = from_seed(table)
        counts = [c for c in df.columns if str(df[c].dtype) == "Int64"]
        for _, row in df.iterrows():
            said = norm(f"{row['quote']} {row['notes']}").lower()
            for c in counts:
                if pd.notna(row[c]):
                    assert any(w in said for w in words[int(row[c])]), (table, row.iloc[0], c, row[c])


@pytest.mark.parametrize("table", ALL_CLAIM_TABLES)
def test_every_imported_number_stands_in_its_quote_or_notes(table):
    # An imported figure is the input's own number, quoted as the input writes it; a bound
    # derived from a qualifier ("more" 11000 gives a low bound of 11001) is explained in notes.
    sources = cd.load("sources")
    imported = set(sources.loc[sources["kind"] == "dataset", "source_id"])
    updates = cd.load("updates")
    df = cd.load(table)
    df = df[df["update_id"].isin(set(updates.loc[updates["source_id"].isin(imported), "update_id"]))]
    counts = [c for c in df.columns if str(df[c].dtype) == "Int64"]
    checked = 0
    for row in df.itertuples(index=False):
        row = row._asdict()
        for c in counts:
            if pd.notna(row[c]):
                said = f"{row['quote']} {row['notes']}"
                assert re.search(rf"(?<![0-9]){int(row[c])}(?![0-9])", said), (table, row, c)
                checked += 1
    assert checked or table in ("munitions", "damage_reports")


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
