"""Hostile and broken input: a clear fault or error, the right exit code, never a traceback."""

import json
import shutil
import time

import pytest
from click.testing import CliRunner

import conflictdata as cd
from conflictdata.cli import cli

from .conftest import FIXTURES, read_rows, write_rows

HOSTILE = FIXTURES / "hostile"


def use(pkg, fixture, table="sources"):
    shutil.copy(HOSTILE / fixture, pkg / "data" / f"{table}.csv")


def cli_run(*args):
    r = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    return r


@pytest.mark.parametrize("fixture, code, line, field", [
    ("unbalanced-quote.csv", "malformed-csv", 3, None),
    ("extra-cell.csv", "extra-cell", 2, None),
    ("missing-cell.csv", "missing-cell", 2, "url"),
    ("renamed-header.csv", "missing-header", 1, "publisher"),
    ("renamed-header.csv", "extra-header", 1, "publisher_name"),
    ("missing-header.csv", "missing-header", 1, "language"),
    ("duplicate-header.csv", "duplicate-header", 1, "publisher"),
    ("blank-header.csv", "blank-header", 1, None),
    ("empty.csv", "empty-file", 1, None),
    ("latin1.csv", "encoding-error", 2, None),
    ("nul-byte.csv", "nul-byte", 2, None),
    ("blank-row.csv", "blank-row", 2, None),
    ("formula-cell.csv", "text-formula", 2, "publisher"),
])
def test_broken_csv_is_a_fault_at_its_line(pkg, fixture, code, line, field):
    use(pkg, fixture)
    report = cd.validate(pkg)
    assert not report.valid
    assert (code, "sources", "data/sources.csv", line, field) in {
        (f.code, f.resource, f.path, f.row, f.field) for f in report.faults}, report.render()
    r = cli_run("validate", str(pkg))
    assert r.exit_code == 1 and f"line {line}" in r.output


@pytest.mark.parametrize("spelling", ["bom", "crlf"])
def test_bom_and_crlf_are_fine(pkg, spelling):
    clean = cd.load("sources", path=pkg)["source_id"].tolist()
    path = pkg / "data" / "sources.csv"
    data = path.read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + data if spelling == "bom" else data.replace(b"\n", b"\r\n"))
    assert cd.validate(pkg).valid, cd.validate(pkg).render()
    assert cd.load("sources", path=pkg)["source_id"].tolist() == clean


def test_header_only_file_breaks_references_not_the_validator(pkg):
    path = pkg / "data" / "sources.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines(keepends=True)[0], encoding="utf-8")
    report = cd.validate(pkg)
    assert {f.code for f in report.faults} == {"foreign-key"}
    assert {f.resource for f in report.faults} == {"updates"}


def test_very_long_cell(pkg):
    header, rows = read_rows(pkg / "data" / "actors.csv")
    rows[0][header.index("notes")] = "x" * 5_000_000
    write_rows(pkg / "data" / "actors.csv", header, rows)
    faults = [(f.code, f.row, f.field) for f in cd.validate(pkg).faults]
    assert faults == [("constraint-max-length", 2, "notes")]


def test_very_many_rows_are_checked_and_capped(pkg):
    header, rows = read_rows(pkg / "data" / "actors.csv")
    template = dict(zip(header, rows[0], strict=True))
    extra = []
    for i in range(200_000):
        template.update(actor_id=f"bulk-{i}", kind="alien" if i % 2 else "group")
        extra.append([template[h] for h in header])
    write_rows(pkg / "data" / "actors.csv", header, rows + extra)
    started = time.monotonic()
    report = cd.validate(pkg)
    assert time.monotonic() - started < 120  # a guard against a hang, not a benchmark
    enum_faults = [f for f in report.faults if f.code == "constraint-enum"]
    assert len(enum_faults) == 1000 and report.omitted["error"] == 99_000
    assert enum_faults[0].row == len(rows) + 3  # the first 'alien' row
    text = report.render("text", max_errors=5)
    assert "... and 99995 more" in text


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["resources"][0].update(path="/etc/passwd"), "refused"),
    (lambda d: d["resources"][0].update(path="../../outside.csv"), "refused"),
    (lambda d: d["resources"][0].update(path="~/secrets.csv"), "refused"),
    (lambda d: d["resources"][0].update(path="http://127.0.0.1:9/x.csv"), "refused"),
    (lambda d: d["resources"][0].update(schema="../schemas/sources.json"), "refused"),
    (lambda d: d["resources"][0].update(path=["data/a.csv", "data/b.csv"]), "one relative file path"),
    (lambda d: d["resources"][0].update(schema="schemas/nope.json"), "does not exist"),
    (lambda d: d.update(resources=[]), "non-empty list"),
    (lambda d: d["resources"].append(dict(d["resources"][0])), "used twice"),
])
def test_hostile_descriptor_exits_2_without_opening_anything(pkg, mutate, message):
    desc = json.loads((pkg / "datapackage.json").read_text())
    mutate(desc)
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    r = cli_run("validate", str(pkg))
    assert r.exit_code == 2 and message in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_descriptor_not_json_or_not_utf8(pkg):
    (pkg / "datapackage.json").write_bytes(b"\xff\xfe{}")
    r = cli_run("validate", str(pkg))
    assert r.exit_code == 2 and "not UTF-8" in r.output
    (pkg / "datapackage.json").write_text("[1, 2]")
    r = cli_run("validate", str(pkg))
    assert r.exit_code == 2 and "JSON object" in r.output


def test_bad_schema_json_exits_2(pkg):
    (pkg / "schemas" / "places.json").write_text('{"fields": [')
    r = cli_run("validate", str(pkg))
    assert r.exit_code == 2 and "places.json" in r.output and "not valid JSON" in r.output


def test_unsupported_field_type_exits_2(pkg):
    schema = json.loads((pkg / "schemas" / "places.json").read_text())
    schema["fields"][1]["type"] = "geojson"
    (pkg / "schemas" / "places.json").write_text(json.dumps(schema))
    r = cli_run("validate", str(pkg))
    assert r.exit_code == 2 and "geojson" in r.output and "places" in r.output
