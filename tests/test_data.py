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
    words = {0: ("no ",), 1: ("one", "last one", "a russian", "some", "the occurrence of"), 2: ("two",),
             5: ("five",), 6: ("six",), 18: ("18",), 19: ("19",)}
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
    m = m[m["update_id"].str.startswith("dw-2024-10-08-")]  # the seed's rows; curated pages add their own
    assert m["launched"].sum() == 2 + 19
    assert m["intercepted"].sum() == 18
    assert m["returned"].sum() == 1
    c = cd.load("casualty_reports").set_index("report_id")
    assert (c.loc["dw-2024-10-08-odesa-port-ship-strike", ["killed", "injured"]] == [1, 5]).all()
    assert (c.loc["dw-2024-10-08-chornomorsk-no-casualties", ["killed", "injured"]] == [0, 0]).all()
    nk = c.loc["dw-2024-10-08-north-korean-casualties-likely"]  # 'the occurrence of casualties ... highly likely'
    assert pd.notna(nk["casualties_low"]) and nk["casualties_low"] == 1
    assert nk[["killed", "killed_low", "casualties", "casualties_high"]].isna().all()
    assert (nk["claimant_id"], nk["certainty"], nk["hedge"]) == ("kim-yong-hyun", "likely", "highly likely")
    some = c.loc["dw-2024-10-08-some-north-korean-troops-killed"]  # 'South Korea said ... some of them ... killed'
    assert pd.notna(some["killed_low"]) and some["killed_low"] == 1
    assert some[["killed", "killed_high", "casualties_low"]].isna().all()
    assert (some["claimant_id"], some["certainty"], some["hedge"]) == ("south-korea", "likely", "highly likely")


def test_a_quote_about_casualties_gives_no_killed_figure():
    """'Casualties' are killed and wounded together: such a quote fills casualties, never killed."""
    c = cd.load("casualty_reports")
    about = c[c["quote"].str.contains("casualties", na=False) & ~c["quote"].str.contains("killed", na=False)]
    assert len(about)
    stated = about[["casualties", "casualties_low"]].notna().any(axis=1) | (about["killed"] == 0).fillna(False)
    assert about[["killed_low", "killed_high"]].isna().all().all() and stated.all(), about.report_id.tolist()


def test_summaries_keep_the_hedges_verbatim():
    """An update's summary does not soften a hedge into the curator's words ('probably')."""
    u = cd.load("updates")
    assert not u["summary"].str.contains(r"\bprobabl", na=False).any()
    hedged = cd.load("casualty_reports").dropna(subset=["hedge"])
    hedged = hedged[hedged["hedge"] == "highly likely"]
    for update in hedged["update_id"].unique():
        assert "highly likely" in u.set_index("update_id").loc[update, "summary"], update


def test_no_direction_is_linked_to_a_city():
    """A 'Donetsk direction' is a direction of the front, not the city of Donetsk."""
    d = cd.load("loss_directions")
    assert len(d)
    kinds = cd.load("places").set_index("place_id")["kind"].astype(str)
    linked = d.dropna(subset=["place_id"])
    assert not (linked["place_id"].map(kinds) == "city").any(), linked.direction_id.tolist()[:5]


def test_prisoners_are_not_claimed_by_the_general_staff():
    """The upstream README names Invaders (invaders-rf.com), not the General Staff, as its source for POW."""
    c = cd.load("casualty_reports")
    staff = c[c["claimant_id"] == "general-staff-of-the-armed-forces-of-ukraine"]
    assert len(staff) and staff["captured"].isna().all()
    pow_rows = c[c["captured"].notna() & c["update_id"].str.startswith("general-staff-")]
    assert len(pow_rows) and (pow_rows["claimant_id"] != "general-staff-of-the-armed-forces-of-ukraine").all()
    actors = cd.load("actors").set_index("actor_id")
    for claimant in pow_rows["claimant_id"].unique():
        assert pd.isna(actors.loc[claimant, "parent_id"])  # not a party's organ: no source says so
        assert "invaders-rf.com" in actors.loc[claimant, "notes"]
    assert pow_rows[["casualties", "casualties_low", "killed", "injured"]].isna().all().all()


def test_unstated_values_stay_empty():
    s = cd.load("sources").iloc[0]
    assert pd.isna(s["url"]) and pd.isna(s["retrieved_date"])
    assert cd.load("places")[["latitude", "longitude"]].isna().all().all()
