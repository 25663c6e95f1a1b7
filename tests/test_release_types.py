"""A release's Parquet files as other tools read them: pandas, pyarrow, Polars and DuckDB; and its progress."""

import datetime as dt
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import conflictdata as cd
from conflictdata import feedback
from conflictdata.package import open_package
from conflictdata.release import build
from conflictdata.schema import TIME_FORMAT, TableSchema

from .conftest import ROOT, copy_package, read_rows, set_cell

TABLES = cd.tables()
TIMES = ("07:45:00", "23:05:30")  # the shipped updates give no time of day; two of them do here


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """The shipped package, two updates with a time of publication."""
    pkg = copy_package(tmp_path_factory.mktemp("src") / "pkg")
    header, rows = read_rows(pkg / "data/updates.csv")
    dated = [i for i, r in enumerate(rows) if r[header.index("published_date")]][:len(TIMES)]
    for i, time in zip(dated, TIMES, strict=True):
        set_cell(pkg, "updates", i + 2, "published_time", time)
    return pkg


@pytest.fixture(scope="module")
def release(source, tmp_path_factory) -> Path:
    """The release of ``source``, built once for the read-only tests of this module."""
    result = build(open_package(source), tmp_path_factory.mktemp("rel") / "release")
    assert result.ok, result.report.render()
    return result.out


def schema_of(table: str) -> TableSchema:
    return TableSchema.from_dict(open_package(ROOT).resource(table).schema)


def by_key(frame: pd.DataFrame, schema: TableSchema) -> pd.DataFrame:
    # the release is in primary-key order, the package's CSV in its own
    keys = [frame[k].astype("string") for k in schema.primary_key]
    order = sorted(range(len(frame)), key=lambda i: tuple("" if pd.isna(k.iloc[i]) else k.iloc[i] for k in keys))
    return frame.iloc[order].reset_index(drop=True)


@pytest.mark.parametrize("table", TABLES)
def test_pandas_read_parquet_gives_the_dtypes_and_values_of_load(source, release, table):
    """pd.read_parquet with no options: load's dtypes, but for the three differences the README states."""
    schema = schema_of(table)
    theirs = pd.read_parquet(release / f"{table}.parquet")
    ours = by_key(cd.load(table, path=source), schema)
    assert list(theirs.columns) == list(ours.columns)
    for f in schema.fields:
        got, want = theirs[f.name], ours[f.name]
        if f.type == "date":
            # pyarrow turns a Parquet DATE into datetime.date objects unless told otherwise
            assert got.dtype == object, f.name
            got = pd.to_datetime(got).astype(want.dtype)
        elif f.type == "datetime":
            # Parquet has no seconds: milliseconds, in the field's zone
            assert got.dtype == pd.DatetimeTZDtype("ms", f.time_zone), f.name
            got = got.astype(want.dtype)
        elif f.type == "time":
            # text hh:mm:ss, the pandas string dtype
            assert got.dtype == pd.StringDtype(), f.name
            want = want.map(lambda t: t.strftime(TIME_FORMAT), na_action="ignore").astype(pd.StringDtype())
        else:  # nullable Int64, string, boolean, float64 and categories: as load gives them
            assert got.dtype == want.dtype, f"{f.name}: {got.dtype} != {want.dtype}"
        pd.testing.assert_series_equal(got, want, check_names=True)


def test_dates_as_load_gives_them_with_one_pandas_option(release):
    # what the README can tell pandas users (pandas 3: to_pandas_kwargs)
    frame = pd.read_parquet(release / "sources.parquet", to_pandas_kwargs={"date_as_object": False})
    loaded = cd.load("sources")
    dates = [f.name for f in schema_of("sources").fields if f.type == "date"]
    assert dates and all(frame[n].dtype == loaded[n].dtype for n in dates)


@pytest.mark.parametrize("table", [t for t in TABLES if any(f.type == "datetime" for f in schema_of(t).fields)])
def test_datetimes_read_back_in_milliseconds_in_their_zone_in_every_tool(source, release, table):
    """The sentence for the README: Parquet has no seconds; every reader gets milliseconds, the zone kept."""
    duckdb = pytest.importorskip("duckdb")
    path = release / f"{table}.parquet"
    schema = schema_of(table)
    arrow = pq.read_table(path)
    polars = pl.read_parquet(path)
    loaded = cd.load(table, format="arrow", path=source).sort_by([(k, "ascending") for k in schema.primary_key])
    with duckdb.connect() as con:
        types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM '{path}'").fetchall()}
    for f in (f for f in schema.fields if f.type == "datetime"):
        assert loaded.schema.field(f.name).type == pa.timestamp("s", tz=f.time_zone)
        assert arrow.schema.field(f.name).type == pa.timestamp("ms", tz=f.time_zone)
        assert polars.schema[f.name] == pl.Datetime("ms", f.time_zone)
        assert types[f.name] == ("TIMESTAMP WITH TIME ZONE" if f.time_zone else "TIMESTAMP")
        # the same instants, whole seconds
        assert arrow.column(f.name).to_pylist() == loaded.column(f.name).to_pylist()


def test_a_time_of_day_is_text_in_parquet_and_the_descriptor_says_so(release):
    import json

    descriptor = json.loads((release / "datapackage.json").read_text())
    times = [(r["name"], f) for r in descriptor["resources"] for f in r["schema"]["fields"] if f["type"] == "time"]
    assert times, "the package has a time field (updates.published_time)"
    for table, f in times:
        column = pq.read_table(release / f"{table}.parquet").column(f["name"])
        assert column.type == pa.string()
        assert sorted(v for v in column.to_pylist() if v is not None) == sorted(TIMES)
        assert "text hh:mm:ss" in f["description"]
        # the source package's description is kept in front
        source = next(s for s in open_package(ROOT).resource(table).schema["fields"] if s["name"] == f["name"])
        assert f["description"].startswith(source["description"])


@pytest.mark.parametrize("table", TABLES)
def test_from_parquet_gives_back_load_s_arrow_table(source, release, table):
    from conflictdata.release import from_parquet

    schema = schema_of(table)
    ours = from_parquet(pq.read_table(release / f"{table}.parquet"), schema)
    theirs = cd.load(table, format="arrow", path=source).sort_by([(k, "ascending") for k in schema.primary_key])
    assert ours.schema == theirs.schema
    assert ours.to_pylist() == theirs.to_pylist()
    if table == "updates":
        assert sorted(t for t in ours.column("published_time").to_pylist() if t) == [
            dt.time.fromisoformat(t) for t in sorted(TIMES)]


# --- progress ------------------------------------------------------------------------------

def test_build_is_silent_without_a_display(pkg, tmp_path, capsys):
    assert build(open_package(pkg), tmp_path / "out").ok
    assert capsys.readouterr() == ("", "")


def test_build_shows_each_table_and_the_zip_on_a_display(pkg, tmp_path, capsys, monkeypatch):
    # rich draws as on a terminal (its own switches; stderr here is pytest's capture): every
    # task is drawn when it is added, so each shows however fast it ends
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("TTY_INTERACTIVE", "1")
    monkeypatch.setenv("TERM", "xterm")
    with feedback.shown(True):
        assert build(open_package(pkg), tmp_path / "out").ok
    out, err = capsys.readouterr()
    assert out == ""
    for table in cd.tables(pkg):
        assert f"write {table}" in err, table
    assert "zip conflictdata-0.1.0.zip" in err
