"""A release's Parquet files open in Spark (local mode, a real JVM)."""

import shutil
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from conflictdata.package import locate
from conflictdata.release import build

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (it is in the test extra)")
if not shutil.which("java"):
    pytest.skip("no Java runtime for Spark on this machine", allow_module_level=True)


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[1]").appName("conflictdata-tests")
               .config("spark.ui.enabled", "false")
               # Parquet TIME (updates.published_time) is read from Spark 4.1 on, behind this switch.
               .config("spark.sql.timeType.enabled", "true")
               .getOrCreate())
    yield session
    session.stop()


def test_every_table_opens_in_spark(spark, tmp_path):
    import conflictdata as cd

    release = tmp_path / "release"
    build(locate(), release)
    for name in cd.tables():
        frame = spark.read.parquet(str(release / f"{name}.parquet"))
        assert frame.count() == len(cd.load(name)), name
        assert frame.columns == list(cd.load(name).columns)
    row = (spark.read.parquet(str(release / "munitions.parquet"))
           .where("claim_id = 'dw-2024-10-08-overnight-drones-launched'").collect()[0])
    assert row["launched"] == 19 and row["intercepted"] is None
    # Parquet keeps the instant (Kyiv midnight is 21:00 UTC the day before); Spark shows it in
    # the session's zone and PySpark hands it over as a naive datetime in this machine's zone.
    kyiv = ZoneInfo("Europe/Kyiv")
    assert row["window_start"].astimezone(kyiv) == datetime(2024, 10, 7, tzinfo=kyiv)
    assert row["window_start"].astimezone(timezone.utc) == datetime(2024, 10, 6, 21, tzinfo=timezone.utc)
