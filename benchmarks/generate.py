"""Write a valid synthetic conflictdata package of any size, optionally with known faults.

    python benchmarks/generate.py --rows 1000000 --out /tmp/bench-1m [--faults 1000] [--seed 7]

Every table of the descriptor, with this project's schemas; every foreign key and every
rule holds (intercepted <= launched, windows before their update's date, no duplicate
claims, each claim inside the window of the event it is linked to, ...). The loss tables
(General Staff-like running totals by category, adjustments, directions) are small. Each update reports
one event (an attack by Russia over three whole days, Kyiv time): its munitions, casualty and
damage claims link to it. With ``--faults K``, K faults of several kinds are written at known lines and
listed in ``DIR/faults.json`` as ``{"table", "line", "field", "code"}`` objects, so tests can
check that the validator finds each one. Synthetic data is for benchmarks and tests only: it
never goes into ``data/``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
START = np.datetime64("2022-02-24")
DAYS = 1400
LOSS_CATEGORIES = 6  # reported each day; the merged one is not

# (code, table, field, bad value or None for a computed one)
FAULT_KINDS = (
    ("type-error", "munitions", "launched", "many"),
    ("outcome-exceeds-launched", "munitions", "intercepted", None),
    ("foreign-key", "munitions", "attacker_id", "no-such-actor"),
    ("constraint-enum", "munitions", "window_precision", "fortnight"),
    ("constraint-minimum", "casualty_reports", "killed", "-3"),
    ("bounds-order", "casualty_reports", "killed_low", None),
    ("foreign-key", "munitions", "update_id", "no-such-update"),
    ("text-formula", "munitions", "notes", "=HYPERLINK(\"http://example.org\")"),
)


def _ids(prefix: str, n: int) -> pl.Series:
    return pl.Series([f"{prefix}-{i}" for i in range(n)], dtype=pl.String)


def reference_tables(rng: np.random.Generator) -> dict[str, pl.DataFrame]:
    states = ["ukraine", "russia", "belarus", "north-korea"]
    actors = [dict(actor_id=s, name=s.replace("-", " ").title(), kind="state", country=c, parent_id=None)
              for s, c in zip(states, ["UKR", "RUS", "BLR", "PRK"], strict=True)]
    for i in range(60):
        parent = states[i % 2]
        actors.append(dict(actor_id=f"unit-{i}", name=f"Unit {i}", kind="military_unit",
                           country="UKR" if parent == "ukraine" else "RUS", parent_id=parent))
    places: list[dict[str, object]] = [
        dict(place_id="ukraine", name="Ukraine", kind="country", country="UKR", latitude=None, longitude=None,
             parent_id=None),
        dict(place_id="russia", name="Russia", kind="country", country="RUS", latitude=None, longitude=None,
             parent_id=None)]
    for r in range(24):
        places.append(dict(place_id=f"region-{r}", name=f"Region {r}", kind="region", country="UKR",
                           latitude=None, longitude=None, parent_id="ukraine"))
    for c in range(600):
        places.append(dict(place_id=f"city-{c}", name=f"City {c}", kind="city", country="UKR",
                           latitude=round(float(rng.uniform(44.5, 52.0)), 4),
                           longitude=round(float(rng.uniform(22.5, 40.0)), 4), parent_id=f"region-{c % 24}"))
    for c in range(40):
        places.append(dict(place_id=f"launch-{c}", name=f"Launch area {c}", kind="area", country="RUS",
                           latitude=None, longitude=None, parent_id="russia"))
    categories = ["ballistic_missile", "cruise_missile", "drone", "guided_aerial_bomb", "missile"]
    types = [dict(munition_type_id=f"type-{i}", name=f"Type {i}", category=categories[i % 5], model=f"M-{i}")
             for i in range(40)]
    # Loss categories: equipment, a weapon counting a munition type, personnel, and one merged into
    # another (never reported after its merge date).
    losses = [dict(category_id=f"equipment-{i}", name=f"Equipment {i}", kind="equipment", aliases=f"equipment {i}")
              for i in range(LOSS_CATEGORIES - 2)]
    losses += [dict(category_id="weapon-0", name="Weapon 0", kind="weapon", aliases="weapon 0",
                    munition_type_id="type-1"),
               dict(category_id="personnel", name="Personnel", kind="personnel", aliases="personnel"),
               dict(category_id="equipment-merged", name="Equipment merged", kind="equipment",
                    aliases="equipment merged", merged_into="equipment-0", merged_on="2022-05-01")]
    return {"actors": pl.DataFrame(actors), "places": pl.DataFrame(places), "munition_types": pl.DataFrame(types),
            "loss_categories": pl.DataFrame(losses)}


def fact_tables(rows: int, rng: np.random.Generator) -> dict[str, pl.DataFrame]:
    n_updates = max(rows // 5, 1)
    n_sources = max(n_updates // 20, 1)
    n_cas = max(rows // 10, 1)
    src_day = START + rng.integers(0, DAYS, n_sources).astype("timedelta64[D]")
    sources = pl.DataFrame({
        "source_id": _ids("src", n_sources), "publisher": "Synthetic Wire",
        "title": pl.Series([f"Synthetic bulletin {i}" for i in range(n_sources)]),
        "url": pl.Series([f"https://example.org/bulletin/{i}" for i in range(n_sources)]),
        "kind": "official_post", "published_date": src_day,
        "retrieved_date": src_day + np.timedelta64(3, "D"), "language": "en",
    })
    upd_source = rng.integers(0, n_sources, n_updates)
    upd_day = src_day[upd_source] + rng.integers(0, 3, n_updates).astype("timedelta64[D]")
    # One event per update: the three whole days (Kyiv time, half-open) up to the end of the
    # day after the update, which holds every window and date range of the update's claims.
    events = pl.DataFrame({
        "event_id": _ids("evt", n_updates), "name": pl.Series([f"Synthetic attack {i}" for i in range(n_updates)]),
        "kind": "attack",
        "window_start": pl.Series(upd_day - np.timedelta64(2, "D")).cast(pl.Datetime("us")),
        "window_end": pl.Series(upd_day + np.timedelta64(1, "D")).cast(pl.Datetime("us")),
        "window_precision": "day", "attacker_id": "russia", "identified_by": "source",
        "description": "A synthetic overnight attack that the claims of one update are about.",
    })
    updates = pl.DataFrame({
        "update_id": _ids("upd", n_updates), "source_id": _ids("src", n_sources).gather(upd_source),
        "sequence": rng.integers(1, 30, n_updates), "published_date": upd_day,
        "headline": pl.Series([f"Overnight attack report {i}" for i in range(n_updates)]),
        "summary": "Synthetic summary of an overnight attack report.",
    })
    # Five claims per update, each about a different munition type, so no two are duplicates.
    upd = np.arange(rows) // 5
    upd = np.minimum(upd, n_updates - 1)
    mtype = (np.arange(rows) % 5 + (upd * 7) % 35)
    launched = np.maximum(1, rng.lognormal(2.0, 1.0, rows).astype(np.int64))
    launched = np.minimum(launched, 1500)
    intercepted = rng.binomial(launched, 0.8)
    lost = rng.binomial(launched - intercepted, 0.3)
    end = upd_day[upd] - rng.integers(0, 2, rows).astype("timedelta64[D]")
    start = end - np.timedelta64(1, "D")
    has_time = rng.random(rows) < 0.4
    munitions = pl.DataFrame({
        "claim_id": _ids("claim", rows), "update_id": _ids("upd", n_updates).gather(upd),
        "claimant_id": "unit-0", "event_id": _ids("evt", n_updates).gather(upd), "event_link": "same-sentence",
        "attacker_id": "russia", "munition_type_id": _ids("type", 40).gather(mtype),
        "window_start": pl.Series(start).cast(pl.Datetime("us")) + pl.Series(np.where(has_time, 18, 0)).cast(
            pl.Duration("us")) * 3_600_000_000,
        "window_end": pl.Series(end).cast(pl.Datetime("us")) + pl.Series(np.where(has_time, 6, 0)).cast(
            pl.Duration("us")) * 3_600_000_000,
        "window_precision": np.where(has_time, "minute", "day"),
        "launch_place_id": _ids("launch", 40).gather(rng.integers(0, 40, rows)), "launch_place_precision": "within",
        "target_place_id": _ids("city", 600).gather(rng.integers(0, 600, rows)), "target_place_precision": "within",
        "scope": "whole",
        "launched": launched, "intercepted": intercepted, "lost": lost,
        "certainty": "asserted", "quote": "most were shot down",
    })
    cas_upd = rng.integers(0, n_updates, n_cas)
    killed = rng.poisson(1.5, n_cas)
    casualty = pl.DataFrame({
        "report_id": _ids("cas", n_cas), "update_id": _ids("upd", n_updates).gather(cas_upd),
        "claimant_id": "unit-1", "event_id": _ids("evt", n_updates).gather(cas_upd), "event_link": "same-entry",
        "event_start": upd_day[cas_upd] - np.timedelta64(1, "D"),
        "event_end": upd_day[cas_upd] - np.timedelta64(1, "D"),
        "place_id": _ids("city", 600).gather(rng.integers(0, 600, n_cas)), "place_precision": "within",
        "scope": "whole",
        "perpetrator_id": "russia", "victim_group": "civilian", "victim_country": "UKR", "killed": killed,
        "injured": rng.poisson(4.0, n_cas), "certainty": "asserted", "quote": "people were killed and injured",
    }).with_columns(pl.col("report_id").alias("__dedupe"))
    # The claim key is (update, claimant, dates, place, ...): keep one report per key.
    casualty = casualty.unique(["update_id", "event_start", "place_id"], keep="first", maintain_order=True)
    n_dmg = max(rows // 20, 1)
    dmg_upd = rng.integers(0, n_updates, n_dmg)
    damage = pl.DataFrame({
        "report_id": _ids("dmg", n_dmg), "update_id": _ids("upd", n_updates).gather(dmg_upd),
        "claimant_id": "unit-1", "event_id": _ids("evt", n_updates).gather(dmg_upd), "event_link": "same-entry",
        "event_start": upd_day[dmg_upd] - np.timedelta64(1, "D"),
        "event_end": upd_day[dmg_upd] - np.timedelta64(1, "D"),
        "place_id": _ids("city", 600).gather(rng.integers(0, 600, n_dmg)), "place_precision": "within",
        "perpetrator_id": "russia", "object": "an apartment building", "object_kind": "residential_building",
        "effect": "damaged", "certainty": "asserted", "quote": "an apartment building was damaged",
    }).unique(["update_id", "event_start", "place_id"], keep="first", maintain_order=True)
    # Running totals since the start of the war: one row per category for the first updates, a few
    # adjustments and directions, small beside the claims (a General Staff series is ~23,000 rows).
    n_eq = max(rows // 100, LOSS_CATEGORIES)
    eq_upd = np.minimum(np.arange(n_eq) // LOSS_CATEGORIES, n_updates - 1)
    eq_cat = np.arange(n_eq) % LOSS_CATEGORIES
    loss_ids = pl.Series([f"equipment-{i}" for i in range(LOSS_CATEGORIES - 2)] + ["weapon-0", "personnel"])
    equipment = pl.DataFrame({
        "claim_id": _ids("loss", n_eq), "update_id": _ids("upd", n_updates).gather(eq_upd), "claimant_id": "unit-0",
        "category_id": loss_ids.gather(eq_cat), "owner_id": "russia", "event_start": str(START),
        "event_end": upd_day[eq_upd], "figure_kind": "running_total", "lost": rng.integers(0, 20000, n_eq),
        "certainty": "asserted", "quote": "the total losses of the enemy are",
    }).unique(["update_id", "category_id"], keep="first", maintain_order=True)
    n_adj = max(rows // 1000, 1)
    adj_upd = rng.integers(0, n_updates, n_adj)
    adjustments = pl.DataFrame({
        "adjustment_id": _ids("adj", n_adj), "update_id": _ids("upd", n_updates).gather(adj_upd),
        "claimant_id": "unit-0", "category_id": loss_ids.gather(rng.integers(0, LOSS_CATEGORIES, n_adj)),
        "adjusted_on": upd_day[adj_upd], "change": rng.integers(-50, 50, n_adj),
        "quote": "the figures were adjusted",
    })
    n_dir = max(rows // 1000, 1)
    dir_upd = rng.integers(0, n_updates, n_dir)
    city = rng.integers(0, 600, n_dir)
    directions = pl.DataFrame({
        "direction_id": _ids("dir", n_dir), "update_id": _ids("upd", n_updates).gather(dir_upd),
        "claimant_id": "unit-0", "stated": pl.Series([f"City {c}" for c in city]),
        "place_id": _ids("city", 600).gather(city), "quote": "the greatest losses were in this direction",
    })
    return {"sources": sources, "updates": updates, "events": events, "munitions": munitions,
            "casualty_reports": casualty.drop("__dedupe"), "damage_reports": damage, "equipment_losses": equipment,
            "loss_adjustments": adjustments, "loss_directions": directions}


def _fill(frame: pl.DataFrame, fields: list[dict]) -> pl.DataFrame:
    """Every schema field, in order, as text (null, written as an empty cell, where missing)."""
    cols = []
    for f in fields:
        name = f["name"]
        if name not in frame.columns:
            cols.append(pl.lit(None, dtype=pl.String).alias(name))
        elif f.get("type") == "datetime":
            cols.append(pl.col(name).dt.strftime("%Y-%m-%dT%H:%M:%S").alias(name))
        else:
            cols.append(pl.col(name).cast(pl.String).alias(name))
    return frame.select(cols)


def inject(frames: dict[str, pl.DataFrame], k: int, rng: np.random.Generator) -> list[dict]:
    """Put K faults at distinct, known lines; return their list."""
    faults: list[dict] = []
    for i in range(k):
        code, table, field, value = FAULT_KINDS[i % len(FAULT_KINDS)]
        frame = frames[table]
        taken = {f["line"] for f in faults if f["table"] == table}
        while True:
            row = int(rng.integers(0, frame.height))
            if row + 2 not in taken:
                break
        if value is None and code == "outcome-exceeds-launched":
            value = str(int(frame["launched"][row]) + 5)
        elif value is None and code == "bounds-order":
            value = str(int(frame["killed"][row] or 0) + 2)
        frames[table] = frame.with_columns(
            pl.when(pl.int_range(pl.len()) == row).then(pl.lit(value)).otherwise(pl.col(field)).alias(field))
        faults.append({"table": table, "line": row + 2, "field": field, "code": code, "value": value})
    return faults


def generate(rows: int, out: Path, faults: int = 0, seed: int = 7) -> list[dict]:
    """Write the package into ``out`` (created; must not hold a datapackage.json yet)."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    (out / "data").mkdir(exist_ok=True)
    shutil.copy(ROOT / "datapackage.json", out / "datapackage.json")
    shutil.copytree(ROOT / "schemas", out / "schemas", dirs_exist_ok=True)
    descriptor = json.loads((ROOT / "datapackage.json").read_text())
    tables = {**reference_tables(rng), **fact_tables(rows, rng)}
    frames = {}
    for res in descriptor["resources"]:
        fields = json.loads((ROOT / res["schema"]).read_text())["fields"]
        frames[res["name"]] = _fill(tables[res["name"]], fields)
    listed = inject(frames, faults, rng) if faults else []
    for res in descriptor["resources"]:
        frames[res["name"]].write_csv(out / res["path"], line_terminator="\n")
    (out / "faults.json").write_text(json.dumps(listed, indent=1))
    return listed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, required=True, help="rows in the munitions table")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the package into")
    parser.add_argument("--faults", type=int, default=0, help="how many known faults to inject")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.rows < 1 or args.faults < 0:
        parser.error("--rows must be at least 1 and --faults not negative")
    generate(args.rows, args.out, args.faults, args.seed)
    print(f"wrote {args.out} ({args.rows} munitions rows, {args.faults} faults)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
