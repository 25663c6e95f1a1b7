"""SQL over the package with a real DuckDB: tables, claim views, read-only queries, the CLI, pinned versions."""

import csv
import functools
import hashlib
import io
import json
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

import conflictdata as cd
from conflictdata import sql
from conflictdata.cli import cli
from conflictdata.errors import MissingExtraError, QueryError
from conflictdata.package import locate, open_package
from conflictdata.release import build
from conflictdata.schema import TableSchema

from .conftest import copy_package, line_of, set_cell

duckdb = pytest.importorskip("duckdb", reason="duckdb is in the test extra: pip install '.[test]'")

def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def con():
    return sql.connect()


def test_every_table_is_registered_under_its_name_with_every_row(con):
    for name in cd.tables():
        assert con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == len(cd.load(name))


def test_column_types_come_from_the_table_schemas(con):
    # DuckDB reads the Arrow types of conflictdata.load, which come from the Table Schemas
    types = {r[0]: r[1] for r in con.execute("DESCRIBE munitions").fetchall()}
    assert types["launched"] == "BIGINT" and types["window_start"].startswith("TIMESTAMP")
    assert dict((r[0], r[1]) for r in con.execute("DESCRIBE updates").fetchall())["published_date"] == "DATE"
    schema = TableSchema.from_dict(locate().resource("munitions").schema)
    assert list(types) == schema.names


def test_munitions_claims_joins_update_source_claimant_type_and_places(con):
    assert con.execute("SELECT count(*) FROM munitions_claims").fetchone()[0] == len(cd.load("munitions"))
    row = con.execute("""SELECT claimant_name, attacker_name, munition_type_category, source_publisher,
                            update_published_date, launched
                     FROM munitions_claims WHERE claim_id = 'dw-2024-10-08-overnight-drones-launched'""").fetchone()
    assert row[:4] == ("Armed Forces of Ukraine", "Russia", "drone", "DW")
    assert str(row[4]) == "2024-10-08" and row[5] == 19
    target = con.execute("""SELECT target_place_name FROM munitions_claims
                        WHERE claim_id = 'dw-2024-10-08-missile-hit-ship-odesa-port'""").fetchone()[0]
    assert target == "Odesa port"


def test_casualty_claims_joins_place_perpetrator_and_victims(con):
    assert con.execute("SELECT count(*) FROM casualty_claims").fetchone()[0] == len(cd.load("casualty_reports"))
    row = con.execute("""SELECT claimant_name, place_name, perpetrator_name, victim_actor_name, killed
                     FROM casualty_claims WHERE report_id = 'dw-2024-10-08-north-korean-officers-near-donetsk'""")
    name, place, perpetrator, victims, killed = row.fetchone()
    assert place == "Donetsk" and perpetrator == "Ukraine" and killed == 6 and "North Korea" in victims


def test_views_keep_every_claim_field_and_name_their_added_columns():
    package = locate()
    for view in sql.views(package):
        fields = TableSchema.from_dict(package.resource(view.table).schema).names
        names = [c for c, _ in view.columns]
        assert names[:len(fields)] == fields
        assert len(names) == len(set(names))
        assert all(text for _, text in view.columns[len(fields):])
    munitions = dict(sql.views(package)[0].columns)
    for column in ("update_headline", "source_title", "claimant_name", "attacker_name", "munition_type_name",
                   "launch_place_name", "target_place_name"):
        assert column in munitions


def test_a_package_without_a_claim_table_gets_no_view_for_it(pkg):
    descriptor = json.loads((pkg / "datapackage.json").read_text())
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "casualty_reports"]
    (pkg / "datapackage.json").write_text(json.dumps(descriptor))
    assert [v.name for v in sql.views(open_package(pkg))] == [v.name for v in sql.views(locate())
                                                              if v.table != "casualty_reports"]
    assert "casualty_claims" not in {v.name for v in sql.views(open_package(pkg))}
    n = len(cd.load("munitions", path=pkg))
    assert sql.query("SELECT count(*) AS n FROM munitions_claims", pkg).column("n")[0].as_py() == n
    # the event relations still come, from the claims tables that are left
    tables = sql.query("SELECT DISTINCT claim_table FROM event_figures", pkg).column("claim_table").to_pylist()
    assert tables == ["munitions"]


def test_damage_claims_joins_the_event_and_place(con):
    assert con.execute("SELECT count(*) FROM damage_claims").fetchone()[0] == len(cd.load("damage_reports"))
    row = con.execute("""SELECT event_name, place_name, effect FROM damage_claims
                     WHERE report_id = 'dw-2024-10-08-palau-flagged-ship-hit-odesa-port'""").fetchone()
    assert row == ("Missile strike on a Palau-flagged ship in Odesa port", "Odesa port", "hit")


def test_event_relations_are_the_rows_of_the_python_functions():
    figures = cd.event_figures(format="arrow")
    assert figures.num_rows > 0
    assert sql.query("SELECT * FROM event_figures").equals(figures)
    assert sql.query("SELECT * FROM event_disputes").equals(cd.disputes(format="arrow"))


def test_a_path_folder_is_queried(pkg):
    line = line_of(pkg, "munitions", "claim_id", "dw-2024-10-08-overnight-drones-launched")
    set_cell(pkg, "munitions", line, "launched", "21")
    result = sql.query("SELECT sum(launched) AS n FROM munitions", pkg)
    assert result.column("n")[0].as_py() == 21 + 2


@pytest.mark.parametrize("statement", [
    "COPY munitions TO '{out}'",
    "COPY (SELECT 1) TO '{out}' (FORMAT parquet)",
    "SELECT * FROM read_csv('{secret}')",
    "SELECT * FROM read_text('{secret}')",
    "ATTACH '{out}' AS other",
    "INSTALL httpfs",
    "SET enable_external_access = true",
])
def test_queries_cannot_read_or_write_files(con, tmp_path, statement):
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    out = tmp_path / "out.file"
    with pytest.raises(QueryError) as err:
        sql.query(statement.format(out=out, secret=secret), con=con)
    assert "\n" not in str(err.value)
    assert not out.exists()


def test_python_variables_are_not_reachable(con):
    munitions_secret = cd.load("munitions", format="arrow")  # noqa: F841 - what a replacement scan would find
    with pytest.raises(duckdb.CatalogException, match="munitions_secret"):
        con.execute("SELECT * FROM munitions_secret")  # from this frame, where the variable is
    unlocked = duckdb.connect()
    # what the lock prevents
    assert unlocked.execute("SELECT count(*) FROM munitions_secret").fetchone()[0] == len(munitions_secret)


def test_sql_errors_are_one_line():
    for bad in ("SELEC 1", "SELECT * FROM nope", "SELECT nope FROM munitions"):
        with pytest.raises(QueryError) as err:
            sql.query(bad)
        assert "\n" not in str(err.value) and str(err.value)


def test_cli_table_csv_and_json():
    query = "SELECT claim_id, launched FROM munitions ORDER BY claim_id"
    r = run("sql", query)
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    n = len(cd.load("munitions"))
    assert lines[0].split() == ["claim_id", "launched"] and lines[-1] == f"({n} rows)"
    assert any(line.endswith(" 19") for line in lines)  # numbers align right
    r = run("sql", query, "--format", "csv")
    rows = list(csv.reader(io.StringIO(r.output)))
    assert rows[0] == ["claim_id", "launched"] and len(rows) == n + 1 and ["dw-2024-10-08-overnight-drones-launched",
                                                                          "19"] in rows
    r = run("sql", "SELECT update_id, published_date, sequence FROM updates ORDER BY update_id", "--format", "json")
    data = json.loads(r.output)
    with open(locate().root / "data" / "updates.csv", newline="", encoding="utf-8") as f:
        csv_rows = sorted(csv.DictReader(f), key=lambda row: row["update_id"])
    # dates as ISO text, integers as numbers, empty cells as null
    assert data == [{"update_id": row["update_id"], "published_date": row["published_date"] or None,
                     "sequence": int(row["sequence"]) if row["sequence"] else None} for row in csv_rows]
    assert any(d["published_date"] is None for d in data)


def test_cli_sql_error_is_one_line_and_exit_2():
    r = CliRunner().invoke(cli, ["sql", "SELECT * FROM nope"])
    assert r.exit_code == 2
    assert r.output.strip().startswith("error: Catalog Error") and len(r.output.strip().splitlines()) == 1
    assert "Traceback" not in r.output


def test_cli_sql_error_keeps_duckdb_hints_on_its_one_line():
    # DuckDB says what would fix the query on the lines after the first; the caret diagram goes
    columns = TableSchema.from_dict(locate().resource("munitions").schema).names
    r = CliRunner().invoke(cli, ["sql", "SELECT lanched FROM munitions"])
    assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1
    line = r.output.strip()
    assert line.startswith('error: Binder Error: Referenced column "lanched" not found')
    hint = line[line.index("(candidate bindings: "):]
    assert hint.endswith(")") and '"launched"' in hint
    assert all(name.strip('"') in columns for name in hint.removeprefix("(candidate bindings: ")[:-1].split(", "))
    assert "LINE 1" not in line and "^" not in line
    r = CliRunner().invoke(cli, ["sql", "SELECT * FROM munitons"])
    assert r.exit_code == 2 and r.output.strip().endswith('(did you mean "munitions"?)')


def test_a_qualified_column_hint_reads_as_one_list():
    con = duckdb.connect()
    con.execute("CREATE TABLE munitions (launched INTEGER, intercepted INTEGER)")
    with pytest.raises(QueryError) as err:
        sql.query("SELECT m.launchd FROM munitions AS m", con=con)
    assert "\n" not in str(err.value) and str(err.value).endswith('(candidate bindings: "launched")')


def test_cli_path_and_version_together_is_a_usage_error(pkg):
    r = CliRunner().invoke(cli, ["sql", "SELECT 1", "--path", str(pkg), "--version", "0.1.0"])
    assert r.exit_code == 2 and "not both" in r.output


def test_without_duckdb_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "duckdb", None)  # what Python does when a module is not installed
    with pytest.raises(MissingExtraError, match=r"the .sql. extra.: pip install .duckdb>=1"):
        sql.connect()
    r = CliRunner().invoke(cli, ["sql", "SELECT 1"])
    assert r.exit_code == 2 and "pip install 'duckdb>=" in r.output and "'sql' extra" in r.output
    assert "Traceback" not in r.output


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def published(tmp_path, monkeypatch):
    """The shipped package built as release 0.1.0, served over real HTTP on 127.0.0.1 and registered."""
    release = build(open_package(copy_package(tmp_path / "src")), tmp_path / "www" / "0.1.0")
    assert release.ok
    digest = hashlib.sha256((release.out / "datapackage.json").read_bytes()).hexdigest()
    registry = tmp_path / "registry.json"
    registry.write_text(json.dumps({"versions": {"0.1.0": f"sha256:{digest}"}}))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp_path / "www")))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    monkeypatch.setenv("CONFLICTDATA_BASE_URL", f"http://127.0.0.1:{httpd.server_address[1]}")
    monkeypatch.setenv("CONFLICTDATA_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("CONFLICTDATA_REGISTRY", str(registry))
    yield release.out
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_a_pinned_version_is_queried_from_its_verified_release(published):
    pytest.importorskip("pooch", reason="pooch is in the test extra")
    r = run("sql", "SELECT count(*) AS n, sum(intercepted) AS i FROM munitions_claims", "--version", "0.1.0",
            "--format", "json")
    assert r.exit_code == 0, r.output
    munitions = cd.load("munitions", format="polars")
    assert json.loads(r.output) == [{"n": len(munitions), "i": munitions["intercepted"].sum()}]
    # the release's Parquet types are the same as the CSV's
    con = sql.connect(version="0.1.0")
    assert con.execute("DESCRIBE munitions").fetchall() == sql.connect().sql("DESCRIBE munitions").fetchall()
