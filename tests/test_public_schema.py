"""cd.pandera_schema: the package's own rules for frames people derive from a table, Polars and pandas."""

import datetime as dt
import subprocess
import sys
import warnings
from zoneinfo import ZoneInfo

import pandas as pd
import polars as pl
import pytest

import conflictdata as cd
from conflictdata.package import locate
from conflictdata.schema import TableSchema
from conflictdata.validation.context import REFERRERS
from conflictdata.validation.rules import WARNING, targets_for

pandera_errors = pytest.importorskip("pandera.errors")

BACKENDS = ("polars", "pandas")
CLAIM = "dw-2024-10-08-overnight-drones-air-force"  # a claim giving launched and intercepted


def frame(table, backend):
    return cd.load(table, format=backend)


def only(df, claim_id, backend):
    return df.filter(pl.col("claim_id") == claim_id) if backend == "polars" else df[df.claim_id == claim_id].copy()


def set_column(df, column, value, backend):
    """Every row's ``column`` set to ``value``, the column keeping its type."""
    if backend == "polars":
        return df.with_columns(pl.lit(value).cast(df.schema[column]).alias(column))
    df[column] = pd.Series([value] * len(df), index=df.index).astype(df[column].dtype)
    return df


def failed_checks(schema, df):
    """The names of the checks a frame fails (every failure: lazy validation); a check that breaks is a bug."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # warning-severity rules warn; the errors are what is asked
        with pytest.raises(pandera_errors.SchemaErrors) as err:
            schema.validate(df, lazy=True)
    broken = [e for e in err.value.schema_errors if e.reason_code == pandera_errors.SchemaErrorReason.CHECK_ERROR]
    assert not broken, broken[0]  # e.g. a column the rule reads that nobody supplied
    return {getattr(e.check, "name", str(e.check)) for e in err.value.schema_errors}


def test_it_is_exported_and_import_stays_cheap():
    assert "pandera_schema" in cd.__all__ and cd.pandera_schema.__doc__
    code = ("import sys, conflictdata as cd; cd.pandera_schema; "
            "print(sorted(m for m in ('pandera', 'pandas', 'polars', 'pyarrow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("table", cd.tables())
def test_every_table_as_loaded_passes(table, backend):
    df = frame(table, backend)
    with warnings.catch_warnings():
        warnings.simplefilter("error", category=Warning)  # not even a warning-severity rule fires
        warnings.filterwarnings("ignore", category=FutureWarning)  # other libraries' notices about pandas
        assert len(cd.pandera_schema(table, backend=backend).validate(df)) == len(df)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_checks_are_the_validators_rules(backend):
    schema = TableSchema.from_dict(locate().resource("munitions").schema)
    expected = {f"{r.code}:{t.field}" for r, t in targets_for("munitions", schema, {})
                if REFERRERS not in (t.across_rows or ())}
    built = cd.pandera_schema("munitions", backend=backend)
    assert {c.name for c in built.checks} == expected
    assert list(built.columns) == schema.names
    assert {n for n, c in built.columns.items() if not c.nullable} == {f.name for f in schema.fields if f.required}


@pytest.mark.parametrize("backend", BACKENDS)
def test_more_intercepted_than_launched_fails_naming_the_rule(backend):
    df = only(frame("munitions", backend), CLAIM, backend)
    intercepted = int(df["intercepted"][0] if backend == "polars" else df["intercepted"].iloc[0])
    df = set_column(df, "launched", intercepted - 1, backend)
    schema = cd.pandera_schema("munitions", backend=backend)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(pandera_errors.SchemaError) as err:
            schema.validate(df)
    assert "outcome-exceeds-launched:intercepted" in str(err.value.check)
    assert "outcome-exceeds-launched:intercepted" in failed_checks(schema, df)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_value_outside_an_enum_fails(backend):
    df = frame("munitions", backend)
    if backend == "pandas":
        df["certainty"] = df["certainty"].cat.add_categories(["sure"]).where(df.index != df.index[0], "sure")
    else:
        df = df.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("sure"))
                             .otherwise(pl.col("certainty").cast(pl.String)).alias("certainty"))
    failed = failed_checks(cd.pandera_schema("munitions", backend=backend), df)
    assert "isin" in failed


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_rule_across_tables_reads_the_package(backend):
    # a claim about an attack ten days after the update that states it: the update's date is
    # looked up in the package, as the validator does, though the frame has no such column
    df = only(frame("munitions", backend), CLAIM, backend)
    kyiv = ZoneInfo("Europe/Kyiv")
    start, end = dt.datetime(2024, 10, 20, tzinfo=kyiv), dt.datetime(2024, 10, 21, tzinfo=kyiv)
    df = set_column(set_column(df, "window_start", start, backend), "window_end", end, backend)
    assert "event-after-update:window_start" in failed_checks(cd.pandera_schema("munitions", backend=backend), df)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_derived_frame_passes(backend):
    df = frame("equipment_losses", backend)
    df = df.head(500) if backend == "polars" else df.head(500).copy()
    assert len(cd.pandera_schema("equipment_losses", backend=backend).validate(df)) == 500


def test_warnings_warn_or_fail():
    df = only(frame("munitions", "polars"), CLAIM, "polars").with_columns(quote=pl.lit(None, pl.String))
    warned = {r.code for r, t in targets_for("munitions", TableSchema.from_dict(locate().resource("munitions").schema),
                                             {}) if r.severity == WARNING}
    assert "quote-missing" in warned
    with pytest.warns(UserWarning, match="quote-missing"):
        cd.pandera_schema("munitions").validate(df)
    assert "quote-missing:quote" in failed_checks(cd.pandera_schema("munitions", warn=False), df)


def test_a_package_folder_and_a_bad_backend(pkg):
    assert len(cd.pandera_schema("munitions", pkg, backend="pandas").validate(cd.load("munitions", path=pkg))) > 0
    with pytest.raises(ValueError, match="backend must be one of polars, pandas"):
        cd.pandera_schema("munitions", backend="spark")
