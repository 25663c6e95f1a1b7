"""Exports opened with the real tools: sqlite3, DuckDB and openpyxl; Datasette metadata; hostile cells."""

import json
import os
import sqlite3
import sys

import pytest
from click.testing import CliRunner

import conflictdata as cd
from conflictdata import export as ex
from conflictdata.cli import cli
from conflictdata.errors import DataError, MissingExtraError, OutputExistsError
from conflictdata.package import locate, open_package
from conflictdata.schema import TableSchema
from conflictdata.sql import views

from .conftest import line_of, read_rows, set_cell, write_rows

duckdb = pytest.importorskip("duckdb", reason="duckdb is in the test extra: pip install '.[test]'")
openpyxl = pytest.importorskip("openpyxl", reason="openpyxl is in the test extra: pip install '.[test]'")


def run(*args):
    return CliRunner().invoke(cli, list(args))


def schemas(package=None):
    package = package or locate()
    return {name: TableSchema.from_dict(r.schema) for name, r in package.resources.items()}


def claim_view_names():
    """One view per table whose schema names a claimKey, named without '_reports' (munitions_claims, ...)."""
    names = {f"{name.removesuffix('_reports')}_claims" for name, s in schemas().items() if s.claim_key}
    assert {"munitions_claims", "casualty_claims", "damage_claims"} <= names
    return names


@pytest.fixture(scope="module")
def sqlite_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("sqlite") / "conflictdata.sqlite"
    r = run("export", str(out))
    assert r.exit_code == 0, r.output
    assert "datasette" in r.output and "conflictdata.metadata.json" in r.output
    return out


def test_sqlite_has_every_table_with_its_rows_and_keys(sqlite_file):
    con = sqlite3.connect(sqlite_file)
    for name, schema in schemas().items():
        assert con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == len(cd.load(name))
        info = con.execute(f'PRAGMA table_info("{name}")').fetchall()
        assert [c[1] for c in info] == schema.names
        assert [c[1] for c in sorted(info, key=lambda c: c[5]) if c[5]] == list(schema.primary_key)
        assert {c[1] for c in info if c[3]} == {f.name for f in schema.fields if f.required}
        declared = {(row[3], row[2], row[4]) for row in con.execute(f'PRAGMA foreign_key_list("{name}")')}
        expected = {(fk.fields[0], fk.resource or name, fk.reference_fields[0]) for fk in schema.foreign_keys}
        assert declared == expected, name
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_sqlite_types_follow_the_table_schema_types(sqlite_file):
    con = sqlite3.connect(sqlite_file)
    for name, schema in schemas().items():
        declared = {c[1]: c[2] for c in con.execute(f'PRAGMA table_info("{name}")')}
        assert declared == {f.name: f.sqlite_type() for f in schema.fields}
    # dates stay ISO 8601 text, as in the CSV, and SQLite's date functions read them
    assert con.execute("SELECT date(window_start, '+1 day') FROM munitions WHERE window_start IS NOT NULL "
                       "LIMIT 1").fetchone() == ("2024-10-08",)
    assert con.execute("SELECT typeof(launched) FROM munitions WHERE launched = 19").fetchone() == ("integer",)


def test_sqlite_views_are_the_claim_views(sqlite_file):
    con = sqlite3.connect(sqlite_file)
    found = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert found == {v.name for v in views(locate())} == claim_view_names()
    row = con.execute("SELECT claimant_name, munition_type_category, source_publisher, launched FROM munitions_claims "
                      "WHERE claim_id = 'dw-2024-10-08-overnight-iskander-m-launched'").fetchone()
    assert row == ("Armed Forces of Ukraine", "ballistic_missile", "DW", 2)
    for view in views(locate()):
        columns = [r[1] for r in con.execute(f'PRAGMA table_info("{view.name}")')]
        assert columns == [c for c, _ in view.columns]


def test_datasette_metadata_describes_every_table_view_and_column(sqlite_file):
    meta = json.loads(ex.metadata_path(sqlite_file).read_text(encoding="utf-8"))
    assert meta["license"] == "CC-BY-4.0" and meta["title"].startswith("conflictdata")
    tables = meta["databases"]["conflictdata"]["tables"]
    con = sqlite3.connect(sqlite_file)
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"):
        assert tables[name]["description"], name
        for column in (r[1] for r in con.execute(f'PRAGMA table_info("{name}")')):
            assert tables[name]["columns"].get(column), (name, column)


@pytest.fixture(scope="module")
def duckdb_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("duckdb") / "conflictdata.duckdb"
    assert ex.export(out) == [out]
    return out


def test_duckdb_file_has_tables_keys_views_and_comments(duckdb_file):
    con = duckdb.connect(str(duckdb_file), read_only=True)
    for name, schema in schemas().items():
        assert con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == len(cd.load(name))
        constraints = con.execute("SELECT constraint_type, constraint_column_names, referenced_table "
                                  "FROM duckdb_constraints() WHERE table_name = ?", [name]).fetchall()
        assert ("PRIMARY KEY", list(schema.primary_key), None) in constraints
        fks = {(c[1][0], c[2]) for c in constraints if c[0] == "FOREIGN KEY"}
        assert fks == {(fk.fields[0], fk.resource or name) for fk in schema.foreign_keys}
        assert con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()[0] == \
            schema.description
    types = dict(con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'munitions'")
                 .fetchall())
    assert types["launched"] == "BIGINT" and types["window_start"].startswith("TIMESTAMP")
    assert con.execute("SELECT sum(intercepted) FROM munitions_claims WHERE claimant_name = 'Ukrainian Air Force'"
                       ).fetchone()[0] == 18
    views_found = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert views_found == {v.name for v in views(locate())} == claim_view_names()


def _size_bound(package):
    """What a DuckDB file of ``package`` may take: its CSV bytes, and 32 KiB per table and per key.

    Every table and every index (DuckDB makes one per primary and foreign key) costs whole
    blocks: with DuckDB's default 256 KiB blocks the shipped package took 18 MB (7 MB of CSV),
    its seed rows alone 12 MB (18 KB of CSV).
    """
    csv_bytes = sum(r.file.stat().st_size for r in package.resources.values())
    tables = len(package.resources) + len(ex._event_tables(package))
    keys = sum(bool(s.primary_key) + len(s.foreign_keys) for s in schemas(package).values())
    return csv_bytes + 32 * 1024 * (tables + keys)


def test_the_duckdb_file_is_small_for_its_data(duckdb_file, pkg, tmp_path):
    assert duckdb_file.stat().st_size <= _size_bound(locate())
    assert not duckdb_file.with_name(duckdb_file.name + ".wal").exists()  # checkpointed, nothing left aside
    con = duckdb.connect(str(duckdb_file), read_only=True)
    tags = con.execute("SELECT tags FROM duckdb_databases() WHERE NOT internal AND path IS NOT NULL").fetchone()[0]
    assert tags["storage_version"] == f"{ex.DUCKDB_STORAGE_VERSION}+"  # DuckDB 1.2 and later open it
    seed = ex.export(tmp_path / "seed.duckdb", path=pkg)[0]
    assert seed.stat().st_size <= _size_bound(open_package(pkg))
    con = duckdb.connect(str(seed), read_only=True)  # small, and still every table, key, view and comment
    assert {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()} >= set(schemas())
    assert con.execute("SELECT count(*) FROM duckdb_constraints() WHERE constraint_type IN "
                       "('PRIMARY KEY', 'FOREIGN KEY')").fetchone()[0] == \
        sum(bool(s.primary_key) + len(s.foreign_keys) for s in schemas(open_package(pkg)).values())


def _figures_rows(frame):
    """cd.event_figures() rows as tuples of plain values (dates as ISO text, nulls None)."""
    return [tuple(None if v is None else v.isoformat() if hasattr(v, "isoformat") else v for v in row)
            for row in frame.rows()]


def test_duckdb_and_sqlite_hold_the_event_figures_and_disputes_of_the_python_functions(duckdb_file, sqlite_file):
    expected = cd.event_figures(format="polars")
    assert len(expected) > 0
    names = ", ".join(f'"{c}"' for c in expected.columns)
    order = "ORDER BY event_id, claim_table, claim_id, measure"
    want = _figures_rows(expected.sort("event_id", "claim_table", "claim_id", "measure"))
    ddb = duckdb.connect(str(duckdb_file), read_only=True)
    got = [tuple(v.isoformat() if hasattr(v, "isoformat") else v for v in row)
           for row in ddb.execute(f"SELECT {names} FROM event_figures {order}").fetchall()]
    assert got == want
    assert ddb.execute("SELECT count(*) FROM event_disputes").fetchone()[0] == len(cd.disputes())
    lite = sqlite3.connect(sqlite_file)
    assert lite.execute(f"SELECT {names} FROM event_figures {order}").fetchall() == want
    assert [r[1] for r in lite.execute('PRAGMA table_info("event_disputes")')] == [*expected.columns, "spread"]


def test_duckdb_enforces_the_keys_it_declares(duckdb_file, tmp_path):
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(duckdb_file.read_bytes())
    con = duckdb.connect(str(copy))
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO updates (update_id, source_id, summary) VALUES ('x', 'no-such-source', 's')")


def test_self_references_are_inserted_parents_first(pkg, tmp_path):
    # A child listed before its parent: DuckDB checks each row against the rows already in.
    header, rows = read_rows(pkg / "data" / "places.csv")
    parent = header.index("parent_id")
    rows.sort(key=lambda r: r[parent] == "")
    write_rows(pkg / "data" / "places.csv", header, rows)
    out = ex.export(tmp_path / "p.duckdb", path=pkg)[0]
    con = duckdb.connect(str(out), read_only=True)
    assert con.execute("SELECT count(*) FROM places").fetchone()[0] == len(rows)


def test_a_parent_cycle_is_reported_and_nothing_is_written(pkg, tmp_path):
    line = line_of(pkg, "places", "place_id", "ukraine")
    set_cell(pkg, "places", line, "parent_id", "odesa")  # odesa -> odesa-oblast -> ukraine -> odesa
    with pytest.raises(ex.InvalidDataError) as err:  # the validator sees it first
        ex.export(tmp_path / "c.duckdb", path=pkg)
    assert "parent-cycle" in {f.code for f in err.value.report.errors}
    # exported anyway, DuckDB's own key checks still refuse it
    with pytest.warns(ex.InvalidDataWarning), pytest.raises(DataError, match="places row .* cycle"):
        ex.export(tmp_path / "c.duckdb", path=pkg, allow_invalid=True)
    assert os.listdir(tmp_path) == ["pkg"]
    # SQLite checks keys after the inserts: every key points at a row, so the rows go in as they are
    with pytest.warns(ex.InvalidDataWarning):
        out = ex.export(tmp_path / "c.sqlite", path=pkg, allow_invalid=True)[0]
    assert sqlite3.connect(out).execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_broken_foreign_key_is_refused_in_sqlite_too(pkg, tmp_path):
    line = line_of(pkg, "munitions", "claim_id", "dw-2024-10-08-overnight-drones-launched")
    set_cell(pkg, "munitions", line, "claimant_id", "nobody")
    with pytest.warns(ex.InvalidDataWarning), pytest.raises(DataError, match="munitions row .* actors"):
        ex.export(tmp_path / "f.sqlite", path=pkg, allow_invalid=True)
    r = run("export", str(tmp_path / "f.duckdb"), "--path", str(pkg), "--allow-invalid")
    assert r.exit_code == 2 and "error: munitions" in r.output and "Traceback" not in r.output
    assert sorted(os.listdir(tmp_path)) == ["pkg"]


def _intercepted_above_launched(pkg):
    """A claim whose intercepted exceeds launched: typed exactly (it loads), but the rules fault it."""
    line = line_of(pkg, "munitions", "claim_id", "dw-2024-10-08-overnight-drones-air-force")
    header, rows = read_rows(pkg / "data" / "munitions.csv")
    intercepted = int(rows[line - 2][header.index("intercepted")])
    set_cell(pkg, "munitions", line, "launched", str(intercepted - 1))
    return line


@pytest.mark.parametrize("suffix", [".duckdb", ".sqlite", ".xlsx"])
def test_invalid_data_is_refused_with_the_report_and_exit_1(pkg, tmp_path, suffix):
    line = _intercepted_above_launched(pkg)
    assert not cd.validate(pkg).valid and len(cd.load("munitions", path=pkg)) > 0  # loads, yet invalid
    out = tmp_path / f"x{suffix}"
    r = run("export", str(out), "--path", str(pkg))
    assert r.exit_code == 1, r.output
    assert f"line {line} [intercepted] error outcome-exceeds-launched" in r.output  # the validator's report
    assert "error: the data is invalid" in r.output and "--allow-invalid" in r.output
    assert "Traceback" not in r.output
    assert os.listdir(tmp_path) == ["pkg"]
    with pytest.raises(ex.InvalidDataError) as err:
        ex.export(out, path=pkg)
    assert {f.code for f in err.value.report.errors} >= {"outcome-exceeds-launched"}


def test_allow_invalid_writes_and_warns_in_one_line(pkg, tmp_path):
    line = _intercepted_above_launched(pkg)
    out = tmp_path / "x.sqlite"
    r = CliRunner().invoke(cli, ["export", str(out), "--path", str(pkg), "--allow-invalid"])
    assert r.exit_code == 0, r.output
    warned = [w for w in r.output.splitlines() if w.startswith("warning:")]
    assert len(warned) == 1 and f"munitions.csv:{line} [intercepted] outcome-exceeds-launched" in warned[0]
    assert "wrote" in r.output and "INVALID" not in r.output  # one line, not the report
    con = sqlite3.connect(out)
    launched, intercepted = con.execute("SELECT launched, intercepted FROM munitions WHERE claim_id = "
                                        "'dw-2024-10-08-overnight-drones-air-force'").fetchone()
    assert intercepted > launched  # written as the data says
    errors = len(cd.validate(pkg).errors)
    with pytest.warns(ex.InvalidDataWarning, match=f"{errors} error"):
        ex.export(tmp_path / "y.duckdb", path=pkg, allow_invalid=True)


def test_xlsx_has_a_sheet_per_table_and_the_field_descriptions(pkg, tmp_path):
    out = tmp_path / "conflictdata.xlsx"
    r = run("export", str(out), "--path", str(pkg))  # every table, without the 23,000 imported rows
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(out)
    tables = schemas()
    assert wb.sheetnames == [*tables, "event_figures", "fields"]
    for name, schema in tables.items():
        values = list(wb[name].values)
        assert list(values[0]) == schema.names and len(values) - 1 == len(cd.load(name, path=pkg))
        assert wb[name].freeze_panes == "A2"
    munitions = list(wb["munitions"].values)
    launched = munitions[0].index("launched")
    assert 19 in [row[launched] for row in munitions[1:]]  # numbers are numbers
    fields = list(wb["fields"].values)
    assert fields[0][:3] == ("table", "sheet", "field")
    figures = cd.event_figures(format="polars", path=pkg)
    assert len(fields) - 1 == sum(len(s.fields) for s in tables.values()) + figures.width
    described = {(row[0], row[2]): row for row in fields[1:]}
    sheet = list(wb["event_figures"].values)
    assert list(sheet[0]) == figures.columns and len(sheet) - 1 == len(figures)
    # Excel has no time zones: a Kyiv datetime is written as its Kyiv wall-clock time, and said so
    start = munitions[0].index("window_start")
    kyiv = [w.replace(tzinfo=None) for w in cd.load("munitions", format="polars", path=pkg)["window_start"]
            if w is not None]
    assert sorted(row[start] for row in munitions[1:] if row[start] is not None) == sorted(kyiv)
    assert str(kyiv[0]) == "2024-10-07 00:00:00"  # as the CSV stores it, not shifted to UTC
    assert "Kyiv local wall-clock time" in described[("munitions", "window_start")][7]
    assert "one of" in described[("munitions", "certainty")][6] and described[("munitions", "claim_id")][7]
    assert described[("munitions", "claimant_id")][5] == "-> actors.actor_id"


def test_xlsx_stores_formula_like_text_as_text(pkg, tmp_path):
    hostile = {"notes": "=1+1", "quote": '+HYPERLINK("http://example.org")', "headline": "-2+3",
               "summary": "@SUM(A1)"}
    line = line_of(pkg, "munitions", "claim_id", "dw-2024-10-08-overnight-drones-launched")
    set_cell(pkg, "munitions", line, "notes", hostile["notes"])
    set_cell(pkg, "munitions", line, "quote", hostile["quote"])
    set_cell(pkg, "updates", 2, "headline", hostile["headline"])
    set_cell(pkg, "updates", 2, "summary", hostile["summary"])
    out = tmp_path / "h.xlsx"
    with pytest.raises(ex.InvalidDataError):  # the text-formula rule faults them
        ex.export(out, path=pkg)
    with pytest.warns(ex.InvalidDataWarning):  # exported anyway, they stay text
        ex.export(out, path=pkg, allow_invalid=True)
    wb = openpyxl.load_workbook(out)
    cells = [c for ws in (wb["munitions"], wb["updates"]) for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value in hostile.values()]
    assert sorted(c.value for c in cells) == sorted(hostile.values())  # exactly as in the data
    for c in cells:
        assert c.data_type == "s" and c.quotePrefix, c.coordinate  # text, never a formula
    # the raw sheet XML holds no formula element at all
    import zipfile
    with zipfile.ZipFile(out) as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_an_existing_file_is_refused_unless_forced(tmp_path):
    out = tmp_path / "x.sqlite"
    out.write_text("mine")
    with pytest.raises(OutputExistsError):
        ex.export(out)
    assert out.read_text() == "mine" and not ex.metadata_path(out).exists()
    r = run("export", str(out))
    assert r.exit_code == 2 and "--force" in r.output
    ex.export(out, force=True)
    assert sqlite3.connect(out).execute("SELECT count(*) FROM sources").fetchone()[0] == len(cd.load("sources"))


def test_the_format_comes_from_the_suffix_or_the_option(tmp_path):
    out = tmp_path / "data.bin"
    r = run("export", str(out))
    assert r.exit_code == 2 and "say which format" in r.output
    r = run("export", str(out), "--format", "sqlite")
    assert r.exit_code == 0 and sqlite3.connect(out).execute("SELECT count(*) FROM actors").fetchone()[0] > 0
    assert (tmp_path / "data.metadata.json").exists()


def test_missing_extras_name_themselves(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(MissingExtraError, match=r"the .excel. extra.: pip install .openpyxl>="):
        ex.export(tmp_path / "x.xlsx")
    monkeypatch.setitem(sys.modules, "duckdb", None)
    r = run("export", str(tmp_path / "x.duckdb"))
    assert r.exit_code == 2 and "pip install 'duckdb>=" in r.output and "'sql' extra" in r.output
    assert os.listdir(tmp_path) == []


def test_a_release_folder_exports_too(tmp_path):
    from conflictdata.release import build

    from .conftest import copy_package

    release = build(open_package(copy_package(tmp_path / "src")), tmp_path / "rel")
    out = ex.export(tmp_path / "r.sqlite", path=release.out)[0]
    con = sqlite3.connect(out)
    assert con.execute("SELECT window_start FROM munitions WHERE window_start IS NOT NULL LIMIT 1").fetchone() == (
        "2024-10-07T00:00:00",)
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
