import json

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import conflictdata as cd

from .conftest import ROOT, read_rows, set_cell

SCHEMAS = {r["name"]: json.loads((ROOT / r["schema"]).read_text())
           for r in json.loads((ROOT / "datapackage.json").read_text())["resources"]}
PANDAS_KIND = {"integer": "Int64", "number": "float64", "date": "datetime64[ms]", "string": "string"}


def pandas_kind(f: dict) -> str | None:
    """The pandas dtype a field loads as: a datetime with a timeZone is zone-aware."""
    if f["type"] == "datetime":
        return f"datetime64[s, {f['timeZone']}]" if "timeZone" in f else "datetime64[s]"
    return PANDAS_KIND.get(f["type"])


def test_tables_lists_every_table_in_order():
    assert cd.tables() == list(SCHEMAS)


@pytest.mark.parametrize("table", sorted(SCHEMAS))
def test_pandas_types_follow_the_table_schema(table):
    df = cd.load(table)
    assert list(df.columns) == [f["name"] for f in SCHEMAS[table]["fields"]]
    assert len(df) > 0
    for f in SCHEMAS[table]["fields"]:
        dtype = df[f["name"]].dtype
        if "enum" in f.get("constraints", {}):
            assert isinstance(dtype, pd.CategoricalDtype), f["name"]
            assert set(dtype.categories) == set(f["constraints"]["enum"])
        elif pandas_kind(f):
            assert str(dtype) == pandas_kind(f), (f["name"], str(dtype))


@pytest.mark.parametrize("table", sorted(SCHEMAS))
def test_primary_keys_are_unique_and_complete(table):
    df = cd.load(table)
    pk = SCHEMAS[table]["primaryKey"]
    assert not df[pk].isna().any().any()
    assert not df.duplicated(subset=pk).any()


def test_known_values_are_typed():
    m = cd.load("munitions").set_index("claim_id")
    row = m.loc["dw-2024-10-08-overnight-drones-launched"]
    assert row["launched"] == 19 and pd.isna(row["intercepted"])
    # Kyiv wall-clock midnight, zone-aware: 2024-10-06T21:00:00Z
    assert row["window_start"] == pd.Timestamp("2024-10-07", tz="Europe/Kyiv")
    assert row["window_start"] == pd.Timestamp("2024-10-06T21:00:00", tz="UTC")
    assert str(m["window_start"].dtype) == "datetime64[s, Europe/Kyiv]"
    u = cd.load("updates")
    header, rows = read_rows(ROOT / "data" / "updates.csv")
    dates = [r[header.index("published_date")] for r in rows]
    assert u["published_date"].min() == pd.Timestamp(min(d for d in dates if d))
    assert u["published_date"].isna().sum() == dates.count("")


def test_arrow_and_polars_formats():
    t = cd.load("munitions", format="arrow")
    assert isinstance(t, pa.Table)
    assert t.schema.field("launched").type == pa.int64()
    assert pa.types.is_dictionary(t.schema.field("certainty").type)
    assert t.schema.field("window_start").type == pa.timestamp("s", tz="Europe/Kyiv")
    p = cd.load("casualty_reports", format="polars")
    assert isinstance(p, pl.DataFrame)
    assert p.schema["killed"] == pl.Int64
    assert p.schema["event_start"] == pl.Date
    assert isinstance(p.schema["victim_group"], pl.Enum)
    assert cd.load("munitions", format="polars").schema["window_start"] == pl.Datetime("us", "Europe/Kyiv")


def test_all_formats_hold_the_same_rows():
    a = cd.load("casualty_reports", format="arrow")
    p = cd.load("casualty_reports", format="polars")
    d = cd.load("casualty_reports")
    assert a.num_rows == p.height == len(d)
    assert a.column("killed").to_pylist() == p["killed"].to_list() == [
        None if pd.isna(v) else int(v) for v in d["killed"]]


def test_load_from_a_path(pkg):
    set_cell(pkg, "munitions", 2, "notes", "edited in the copy")
    assert "edited in the copy" in set(cd.load("munitions", path=pkg)["notes"])
    assert "edited in the copy" not in set(cd.load("munitions")["notes"].dropna())


def test_unknown_table_lists_the_known_ones():
    with pytest.raises(cd.UnknownTableError, match="the tables are: sources, updates"):
        cd.load("munition")


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="pandas, polars, arrow"):
        cd.load("munitions", format="excel")


def test_broken_table_is_refused_with_its_line(pkg):
    set_cell(pkg, "munitions", 3, "launched", "many")
    with pytest.raises(cd.DataError, match=r"data/munitions.csv:3 \[launched\]"):
        cd.load("munitions", path=pkg)


def test_polars_format_loads_without_pyarrow():
    # From CSV, format="polars" is the validator's typed frame itself: pyarrow is not imported,
    # which is a third of a fresh process's time for a 20,000-row table.
    import subprocess
    import sys

    code = ("import sys, conflictdata as cd; df = cd.load('equipment_losses', format='polars'); "
            "print(df.height, 'pyarrow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    height, arrow = out.stdout.split()
    assert int(height) == len(cd.load("equipment_losses", format="arrow")) and arrow == "False"
