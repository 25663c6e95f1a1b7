"""Hostile tables (issue 12): every byte is read or refused, never skipped, by every caller.

Each fixture under ``tests/data/hostile/tables/<table>/`` replaces that table in a copy of the
shipped package. For each, the test holds the validator to the faults it must name (code,
line, field), ``load()`` to refusing it with the validator's own one-line message, the Pandera
engine to the very same faults, and the reference validator (frictionless-py) to its verdict.
"""

from __future__ import annotations

import os
import shutil
import threading
import warnings

import pytest
from click.testing import CliRunner

import conflictdata as cd
from conflictdata import catalogue
from conflictdata.cli import cli
from conflictdata.package import open_package
from conflictdata.validation import validate_package

from .conftest import FIXTURES, copy_package, seed_only

TABLES = FIXTURES / "hostile" / "tables"

# fixture: (faults that must be among the table's own, the reference validator's verdict).
# Where frictionless says "valid" we refuse on purpose, and the note says why.
CASES = {
    "updates/blank-before-header-lf.csv": ({("blank-row", 1, None), ("type-error", 3, "published_date")}, False),
    "updates/blank-before-header-crlf.csv": ({("blank-row", 1, None), ("type-error", 3, "published_date")}, False),
    "updates/bom-blank-before-header.csv": ({("blank-row", 1, None), ("type-error", 3, "published_date")}, False),
    "updates/blank-lines-before-header.csv": ({("blank-row", 1, None), ("type-error", 5, "published_date")}, False),
    "munitions/blank-before-header.csv": ({("blank-row", 1, None), ("constraint-minimum", 4, "launched")}, False),
    # frictionless skips the blank-looking first line; a header of white space is no header.
    "updates/whitespace-line-before-header.csv": ({("blank-header", 1, None)}, True),
    # frictionless reads CR-only files; we refuse them with what to do, since the spreadsheets
    # that write them also write a legacy encoding (see the Mac Roman case).
    "updates/cr-only.csv": ({("line-ending", 1, None)}, True),
    "updates/cr-only-blank-first.csv": ({("line-ending", 1, None)}, True),
    "updates/cr-only-mac-roman.csv": ({("line-ending", 1, None)}, False),
    "updates/utf16-le-bom.csv": ({("encoding-error", 1, None)}, False),
    "updates/utf16-be-bom.csv": ({("encoding-error", 1, None)}, False),
    "updates/utf16-le-no-bom.csv": ({("encoding-error", 1, None)}, False),
    "updates/utf32-bom.csv": ({("encoding-error", 1, None)}, False),
    "updates/latin1-header.csv": ({("encoding-error", 1, None)}, False),
    "updates/cp1252-cell.csv": ({("encoding-error", 3, None)}, False),
    "updates/semicolon.csv": ({("wrong-delimiter", 1, None)}, False),
    # frictionless sniffs the delimiter; the package's files are comma-separated by contract.
    "updates/tab.csv": ({("wrong-delimiter", 1, None)}, True),
    "updates/crlf-blank-row-middle.csv": ({("blank-row", 4, None)}, False),
    "updates/trailing-blank-lines.csv": ({("blank-row", 7, None), ("blank-row", 8, None)}, False),
    "updates/year-zero-date.csv": ({("type-error", 2, "published_date")}, False),
    "updates/negative-year-date.csv": ({("type-error", 2, "published_date")}, False),
    "updates/signed-year-date.csv": ({("type-error", 2, "published_date")}, False),
    "updates/space-in-year-date.csv": ({("type-error", 2, "published_date")}, False),
    "updates/leap-second-time.csv": ({("type-error", 2, "published_time")}, False),
    # frictionless takes 24:00:00; Python's datetime.time (what load() gives) cannot hold it.
    "updates/hour-24-time.csv": ({("type-error", 2, "published_time")}, True),
    # Polars drops a CR at the end of an unquoted cell; Python's csv ends a record there (so
    # frictionless reads a row ended by a lone CR as a row): the line numbers would differ.
    "updates/lone-cr-in-cell.csv": ({("line-ending", 2, None)}, False),
    "updates/cr-ends-one-row.csv": ({("line-ending", 2, None)}, True),
    # Inside quotes a CR is the cell's own: read as it is, then refused by the text rules
    # (frictionless has no rule about control characters).
    "updates/quoted-cr-in-cell.csv": ({("text-control-character", 2, "headline")}, True),
    # A second BOM is a character of the first header name.
    "updates/double-bom.csv": ({("missing-header", 1, "update_id"), ("extra-header", 1, "\ufeffupdate_id")}, False),
    "munitions/year-zero-datetime.csv": ({("type-error", 2, "window_start")}, False),
    "munitions/negative-year-datetime.csv": ({("type-error", 2, "window_end")}, False),
}
VALID = ["updates/mixed-lf-crlf.csv"]


def test_every_fixture_has_a_case():
    assert {f"{p.parent.name}/{p.name}" for p in TABLES.glob("*/*.csv")} == set(CASES) | set(VALID)


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """The same package, untouched: what a fixture's table loads like without its fault."""
    return seed_only(copy_package(tmp_path_factory.mktemp("clean") / "pkg"))


def plant(pkg, fixture: str) -> str:
    table = fixture.split("/")[0]
    shutil.copy(TABLES / fixture, pkg / "data" / f"{table}.csv")
    return table


def frictionless_valid(pkg) -> bool:
    from frictionless import Package

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Package(str(pkg / "datapackage.json")).validate().valid


def key(report):
    return sorted((f.resource, f.code, f.row, f.field, f.message) for f in report.faults)


@pytest.mark.parametrize("fixture", sorted(CASES))
def test_hostile_table_is_refused_at_its_line(pkg, clean, fixture):
    table = plant(pkg, fixture)
    expected, reference_valid = CASES[fixture]
    package = open_package(pkg)
    report = validate_package(package)
    found = {(f.code, f.row, f.field) for f in report.faults if f.resource == table}
    assert not report.valid and expected <= found, report.render()
    # The Pandera engine runs the same pipeline with Pandera deciding: the very same faults.
    assert key(validate_package(package, engine="pandera")) == key(report)
    # load() refuses what validate refuses, with the validator's own line for the first fault.
    # load() refuses what validate refuses in the table's structure, with the same line.
    structural = [f for f in report.sorted() if f.resource == table and catalogue.get(f.code).kind != "semantic"]
    if structural:
        with pytest.raises(cd.DataError) as caught:
            cd.load(table, path=pkg)
        assert str(caught.value).startswith(structural[0].one_line())
    else:  # a semantic fault only: the table loads, every cell as written
        assert len(cd.load(table, path=pkg)) == len(cd.load(table, path=clean))
    first = next(f for f in report.sorted() if f.resource == table)
    assert frictionless_valid(pkg) is reference_valid
    r = CliRunner().invoke(cli, ["validate", str(pkg)])
    assert r.exit_code == 1 and "Traceback" not in r.output and first.message in r.output


@pytest.mark.parametrize("fixture", VALID)
def test_line_ends_that_are_fine(pkg, clean, fixture):
    table = plant(pkg, fixture)
    assert cd.validate(pkg).valid and frictionless_valid(pkg)
    assert cd.load(table, path=pkg).equals(cd.load(table, path=clean))


def test_dates_load_back_into_python(pkg):
    """No value load() returns is one Python cannot hold (year 0 and below are refused)."""
    plant(pkg, "updates/year-zero-date.csv")
    with pytest.raises(cd.DataError, match="published_date"):
        cd.load("updates", path=pkg, format="polars")


def _never_hangs(call, seconds: float = 30):
    """Run ``call`` in a thread; fail (instead of hanging the suite) when it does not return."""
    box: dict = {}

    def target():
        try:
            box["value"] = call()
        except BaseException as exc:  # handed back to the test
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "blocked on a FIFO"
    if "error" in box:
        raise box["error"]
    return box["value"]


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_table_that_is_not_a_regular_file(pkg, kind):
    target = pkg / "data" / "actors.csv"
    target.unlink()
    os.mkfifo(target) if kind == "fifo" else target.mkdir()
    report = _never_hangs(lambda: cd.validate(pkg))
    faults = [(f.code, f.path) for f in report.faults if f.resource == "actors"]
    assert faults == [("file-unreadable", "data/actors.csv")]
    assert "not a regular file" in report.faults[0].message
    with pytest.raises(cd.DataError, match="data/actors.csv.*not a regular file"):
        _never_hangs(lambda: cd.load("actors", path=pkg))
    r = _never_hangs(lambda: CliRunner().invoke(cli, ["tables", str(pkg)]))
    assert r.exit_code == 0 and "actors" in r.output and "unreadable" in r.output


def test_a_header_alone_after_blank_lines_is_not_an_empty_table(pkg):
    """The blank line before a header used to hide the whole table (0 rows, "valid")."""
    plant(pkg, "updates/blank-before-header-lf.csv")
    report = cd.validate(pkg)
    # every row is still read, at its own line: the claims' keys into updates resolve
    assert not [f for f in report.faults if f.code == "foreign-key"]
    assert {f.row for f in report.faults if f.resource == "updates"} == {1, 3}


def test_a_package_that_carries_a_merge_journal_is_invalid(pkg):
    """A journal committed, copied or planted with the data is refused, never replayed."""
    from conflictdata.package import MERGE_JOURNAL

    (pkg / MERGE_JOURNAL).write_text('{"renames": [["data/evil.csv", "data/sources.csv"]]}')
    report = cd.validate(pkg)
    assert [(f.code, f.path) for f in report.faults] == [("merge-journal", MERGE_JOURNAL)]
    r = CliRunner().invoke(cli, ["validate", str(pkg), "--format", "github"])
    assert r.exit_code == 1 and "title=merge-journal" in r.output


def test_load_keeps_a_claim_the_rules_refuse_exactly_as_written(pkg):
    """The rules flag claims that are typed exactly: validate refuses them, load() gives them."""
    from .conftest import line_of, set_cell

    line = line_of(pkg, "munitions", "claim_id", "dw-2024-10-08-overnight-drones-launched")
    set_cell(pkg, "munitions", line, "notes", "=HYPERLINK(1)")  # text-formula: an error
    assert [f.code for f in cd.validate(pkg).errors] == ["text-formula"]
    notes = cd.load("munitions", path=pkg, format="polars").get_column("notes").to_list()
    assert notes[line - 2] == "=HYPERLINK(1)"


def test_messages_quote_dates_as_the_cell_writes_them(pkg):
    """Not as the typed value prints ("2024-10-09 06:00:00.000000")."""
    from .conftest import line_of, set_cell

    line = line_of(pkg, "munitions", "claim_id", "dw-2024-10-08-overnight-drones-launched")
    set_cell(pkg, "munitions", line, "window_start", "2024-10-09T06:00:00")
    for engine in ("polars", "pandera"):
        (fault,) = [f for f in validate_package(open_package(pkg), engine=engine).faults
                    if f.code == "start-after-end"]
        assert fault.value == "2024-10-09T06:00:00" and "(2024-10-09T06:00:00)" in fault.message
        assert "(2024-10-09T00:00:00)" in fault.message and ".000000" not in fault.message


def test_min_length_from_the_schema(pkg):
    """No shipped schema sets minLength today; a package that does gets it checked, like frictionless."""
    import json

    from .conftest import line_of, set_cell

    path = pkg / "schemas" / "actors.json"
    schema = json.loads(path.read_text())
    next(f for f in schema["fields"] if f["name"] == "name")["constraints"]["minLength"] = 3
    path.write_text(json.dumps(schema))
    line = line_of(pkg, "actors", "actor_id", "dw")
    set_cell(pkg, "actors", line, "name", "DW")
    package = open_package(pkg)
    report = validate_package(package)
    assert [(f.code, f.row, f.field) for f in report.faults] == [("constraint-min-length", line, "name")]
    assert key(validate_package(package, engine="pandera")) == key(report)
    assert frictionless_valid(pkg) is False


def test_checks_of_non_ascii_text_skip_only_ascii_blocks(pkg, monkeypatch):
    """The reader marks a block of ASCII only; a later block with a bidi control is still checked."""
    from conflictdata import read
    from conflictdata.read import ASCII, TableReader

    from .conftest import read_rows, write_rows

    header, rows = read_rows(pkg / "data" / "actors.csv")
    rows[-1][header.index("notes")] = "safe \u202e txet"
    write_rows(pkg / "data" / "actors.csv", header, rows)
    monkeypatch.setattr(read, "BLOCK_BYTES", 300)
    frames = list(TableReader(open_package(pkg).resource("actors")).batches())
    marks = [f.get_column(ASCII)[0] for f in frames]
    assert len(frames) > 2 and marks[0] and not marks[-1]
    faults = [(f.code, f.row) for f in cd.validate(pkg).faults]
    assert faults == [("text-bidi-control", len(rows) + 1)]


def test_a_schema_without_the_foreign_key_of_a_lookup_leaves_its_context_empty(pkg):
    """Context columns follow the schemas' foreign keys: drop one and the rules on it find nothing."""
    import json

    from .conftest import line_of, set_cell

    line = line_of(pkg, "munitions", "claim_id", "dw-2024-10-08-overnight-drones-launched")
    for name in ("event_id", "event_link"):  # off its event, so that only the update dates it
        set_cell(pkg, "munitions", line, name, "")
    set_cell(pkg, "munitions", line, "window_start", "2024-10-09T00:00:00")  # after its update (2024-10-08)
    set_cell(pkg, "munitions", line, "window_end", "2024-10-10T00:00:00")
    assert "event-after-update" in {f.code for f in validate_package(open_package(pkg)).faults}
    path = pkg / "schemas" / "munitions.json"
    schema = json.loads(path.read_text())
    schema["foreignKeys"] = [k for k in schema["foreignKeys"] if k["fields"] != ["update_id"]]
    path.write_text(json.dumps(schema))  # now not seen
    package = open_package(pkg)
    assert validate_package(package).valid and validate_package(package, engine="pandera").valid
