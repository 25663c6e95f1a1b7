"""The reader: batches, line numbers, and release folders (Parquet) read like their CSV copies."""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import conflictdata as cd
from conflictdata import read
from conflictdata.cli import cli
from conflictdata.package import locate, open_package
from conflictdata.read import TableReader, read_raw
from conflictdata.release import build

from .conftest import ROOT, line_of, read_rows, set_cell, write_rows


def test_batches_keep_file_lines(pkg, monkeypatch):
    monkeypatch.setattr(read, "BLOCK_BYTES", 200)
    reader = TableReader(open_package(pkg).resource("actors"))
    frames = list(reader.batches())
    assert not reader.broken and len(frames) > 2 and all(f.height <= 3 for f in frames)
    lines = [n for f in frames for n in f["__line__"].to_list()]
    assert lines == list(range(2, len(read_rows(pkg / "data" / "actors.csv")[1]) + 2))


def test_blocks_never_cut_inside_quotes(pkg, monkeypatch):
    line = line_of(pkg, "actors", "actor_id", "dw")
    set_cell(pkg, "actors", line, "notes", "\n".join(["a note, with a comma and \"quotes\""] * 5))
    set_cell(pkg, "actors", line + 1, "kind", "alien")
    whole = [(f.code, f.row) for f in cd.validate(pkg).faults]
    monkeypatch.setattr(read, "BLOCK_BYTES", 64)
    assert [(f.code, f.row) for f in cd.validate(pkg).faults] == whole == [("constraint-enum", line + 5)]


def test_missing_values_are_null(pkg):
    frame = read_raw(open_package(pkg).resource("sources")).frame
    header, rows = read_rows(pkg / "data" / "sources.csv")
    urls = [r[header.index("url")] or None for r in rows]
    assert None in urls and frame["url"].to_list() == urls


def test_a_short_row_is_not_padded_silently(pkg):
    path = pkg / "data" / "actors.csv"
    n = len(read_rows(path)[1])  # the lonely row is line n + 2
    path.write_text(path.read_text() + "lonely-actor,Lonely\n")
    reader = TableReader(open_package(pkg).resource("actors"))
    (frame,) = list(reader.batches())  # the comma count caught what Polars padded
    assert [(f.code, f.row) for f in reader.faults] == [("missing-cell", n + 2)] and frame.height == n + 1


def test_faults_in_a_late_block_keep_their_lines(pkg, monkeypatch):
    path = pkg / "data" / "actors.csv"
    blank = len(read_rows(path)[1]) + 2
    path.write_text(path.read_text() + "\nshort,row\n")
    monkeypatch.setattr(read, "BLOCK_BYTES", 100)
    reader = TableReader(open_package(pkg).resource("actors"))
    frames = list(reader.batches())
    assert [(f.code, f.row) for f in reader.faults] == [("blank-row", blank), ("missing-cell", blank + 1)]
    assert frames[-1]["__line__"].to_list()[-1] == blank + 1


def test_release_folder_validates_and_lists(tmp_path):
    release = tmp_path / "release"
    build(locate(), release)
    report = cd.validate(release)
    assert report.valid, report.render()
    r = CliRunner().invoke(cli, ["tables", str(release)])
    rows = len((ROOT / "data" / "munitions.csv").read_text(encoding="utf-8").splitlines()) - 1
    assert r.exit_code == 0 and f"munitions         {rows} rows" in r.output


def test_release_faults_are_found(tmp_path, pkg):
    release = tmp_path / "release"
    build(open_package(pkg), release)
    table = pq.read_table(release / "munitions.parquet")
    launched = table.column("launched").to_pylist()
    launched[0] = 10_000
    table = table.set_column(table.schema.get_field_index("launched"), "launched", pa.array(launched, pa.int64()))
    pq.write_table(table, release / "munitions.parquet")
    codes = {(f.code, f.row) for f in cd.validate(release).faults}
    assert ("count-unusually-large", 2) in codes
    (release / "actors.parquet").write_bytes(b"not parquet")
    assert any(f.code == "file-unreadable" for f in cd.validate(release).faults)


def test_release_from_a_broken_copy_is_refused(pkg, tmp_path):
    set_cell(pkg, "munitions", 2, "launched", "x")
    r = CliRunner().invoke(cli, ["build", str(pkg), "--out", str(tmp_path / "out")])
    assert r.exit_code == 1 and "type-error" in r.output


def test_blank_lines_in_a_block_without_quotes_keep_every_line(pkg, monkeypatch):
    # places.csv has no quotes: the fast reader's comma count alone must find the blank lines.
    path = pkg / "data" / "places.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert '"' not in "".join(lines)
    lines[3:3] = ["", ""]  # file lines 4 and 5 blank; the old line 4 is now line 6
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for block in (read.BLOCK_BYTES, 120):
        monkeypatch.setattr(read, "BLOCK_BYTES", block)
        reader = TableReader(open_package(pkg).resource("places"))
        frames = list(reader.batches())
        assert [(f.code, f.row) for f in reader.faults] == [("blank-row", 4), ("blank-row", 5)]
        got = [n for f in frames for n in f["__line__"].to_list()]
        assert got == [2, 3, *range(6, len(lines) + 1)]


@pytest.mark.parametrize("text, commas", [
    (b'a,"b,c",d\n', 1), (b'a,"b""x,""c",d\n', 1), (b'a,"",d\n', 0), (b"a,b\n", 0),
    (b'a,"b\nc",d\n', -1), (b'a,"b,c,d\n', -1), (b'"a",b\n"c,d",e\n', 1),
    (b'a,b"c,"d,e",f"g"h"\n', -1), (b'a,"b"c,d\n', -1),  # quotes inside unquoted cells
])
def test_commas_inside_quotes(text, commas):
    assert read._quoted_commas(text) == commas


def test_many_quoted_cells_are_counted_in_the_cells(pkg, monkeypatch):
    # Past 2,000 quoted cells the reader counts commas in the parsed cells instead, and the
    # block is still confirmed: the careful reader is not needed.
    path = pkg / "data" / "places.csv"
    header, rows = read_rows(path)
    name = header.index("name")
    extra = [[f"place-{i}" if c == 0 else (f"Town, {i}" if c == name else v) for c, v in enumerate(rows[0])]
             for i in range(3000)]
    extra[2500][header.index("kind")] = "galaxy"
    write_rows(path, header, rows + extra)
    assert read._quoted_commas(path.read_bytes()) is None
    monkeypatch.setattr(read, "_parse_careful", lambda *a: pytest.fail("read carefully"))
    faults = [(f.code, f.row) for f in cd.validate(pkg).faults]
    assert ("constraint-enum", len(rows) + 2 + 2500) in faults
    assert not [c for c, _ in faults if c in ("missing-cell", "extra-cell", "blank-row", "malformed-csv")]
