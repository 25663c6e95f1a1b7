"""A release's Parquet files open in Spark with its default settings (local mode, a real JVM)."""

import shutil
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import conflictdata as cd
from conflictdata.package import open_package
from conflictdata.release import build
from conflictdata.schema import TableSchema

from .conftest import copy_package, read_rows, set_cell

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (it is in the test extra)")
if not shutil.which("java"):
    pytest.skip("no Java runtime for Spark on this machine", allow_module_level=True)

# What Spark makes of each Table Schema type, as far as it can type it: it has no time of
# day (Parquet TIME only behind spark.sql.timeType.enabled), so the release writes one as text.
SPARK_TYPES = {"string": "StringType", "integer": "LongType", "number": "DoubleType", "boolean": "BooleanType",
               "date": "DateType", "datetime": "TimestampType", "time": "StringType"}


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    # Nothing but a name, local mode and no web UI: every other setting is Spark's default.
    session = (SparkSession.builder.master("local[1]").appName("conflictdata-tests")
               .config("spark.ui.enabled", "false").getOrCreate())
    yield session
    session.stop()


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    # the shipped package, with one update given a time of publication (none of the shipped has one)
    source = copy_package(tmp_path_factory.mktemp("src") / "pkg")
    header, rows = read_rows(source / "data/updates.csv")
    line = next(i for i, r in enumerate(rows) if r[header.index("published_date")]) + 2
    set_cell(source, "updates", line, "published_time", "07:45:00")
    result = build(open_package(source), tmp_path_factory.mktemp("rel") / "release")
    assert result.ok, result.report.render()
    return result.out


def _naive_local(value):
    # PySpark hands a timestamp over as a naive datetime in this machine's zone
    return value.astimezone().replace(tzinfo=None) if isinstance(value, datetime) else value


def _rows(rows):
    return sorted((tuple(r) for r in rows), key=repr)


@pytest.mark.parametrize("table", cd.tables())
def test_every_table_opens_in_spark_with_default_settings_typed_and_with_its_values(spark, release, table):
    schema = TableSchema.from_dict(open_package(release).resource(table).schema)
    frame = spark.read.parquet(str(release / f"{table}.parquet"))
    assert frame.columns == schema.names
    types = {f.name: type(f.dataType).__name__ for f in frame.schema.fields}
    assert types == {f.name: SPARK_TYPES[f.type] for f in schema.fields}
    # every value as pyarrow reads the file (dictionaries as their text, times of day as text)
    arrow = pq.read_table(release / f"{table}.parquet")
    arrow = arrow.cast(pa.schema([f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f
                                  for f in arrow.schema]))
    expected = [tuple(_naive_local(v) for v in row.values()) for row in arrow.to_pylist()]
    assert _rows(frame.collect()) == _rows(expected)


def test_spark_reads_the_instant_and_the_time_of_day(spark, release):
    row = (spark.read.parquet(str(release / "munitions.parquet"))
           .where("claim_id = 'dw-2024-10-08-overnight-drones-launched'").collect()[0])
    assert row["launched"] == 19 and row["intercepted"] is None
    # Parquet keeps the instant (Kyiv midnight is 21:00 UTC the day before); Spark shows it in
    # the session's zone and PySpark hands it over as a naive datetime in this machine's zone.
    kyiv = ZoneInfo("Europe/Kyiv")
    assert row["window_start"].astimezone(kyiv) == datetime(2024, 10, 7, tzinfo=kyiv)
    assert row["window_start"].astimezone(timezone.utc) == datetime(2024, 10, 6, 21, tzinfo=timezone.utc)
    times = spark.read.parquet(str(release / "updates.parquet")).where("published_time IS NOT NULL").collect()
    assert [r["published_time"] for r in times] == ["07:45:00"]
