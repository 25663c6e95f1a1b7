"""Building a release: reproducible bytes, checksums, a valid descriptor, Parquet that other tools read."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import conflictdata as cd
from conflictdata.cli import cli
from conflictdata.errors import ReleaseError
from conflictdata.package import open_package
from conflictdata.release import build

from .conftest import ROOT, copy_package, read_rows, set_cell, write_rows

TABLES = cd.tables()
MIT_NOTICE = "MIT-PetroIvaniuk-2022-Ukraine-Russia-War-Dataset.txt"
LICENCES = {"LICENSE-DATA", "LICENSE", MIT_NOTICE}


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    """The shipped package, built once for the read-only tests of this module."""
    source = copy_package(tmp_path_factory.mktemp("src") / "pkg")
    result = build(open_package(source), tmp_path_factory.mktemp("rel") / "release")
    assert result.ok, result.report.render()
    return result.out


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_the_release_holds_every_table_twice_plus_descriptors_readme_citation_sums_and_zip(release):
    expected = {"datapackage.json", "datapackage-csv.json", "README.md", "CITATION.cff", "SHA256SUMS",
                "conflictdata-0.1.0.zip"} | LICENCES
    expected |= {f"{t}.parquet" for t in TABLES} | {f"{t}.csv" for t in TABLES}
    assert {p.name for p in release.iterdir()} == expected


def test_two_builds_at_different_times_in_different_folders_are_byte_identical(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = copy_package(tmp_path / "a" / "pkg")
    one = build(open_package(first), tmp_path / "one")
    # Later (zip times have a 2 s resolution, so the clock must move on by more), from a
    # second checkout whose files have other modification times, run from another working
    # folder into another output folder.
    time.sleep(2.1)
    second = copy_package(tmp_path / "b" / "elsewhere")
    for p in second.rglob("*"):
        os.utime(p, (1_900_000_000, 1_900_000_000))
    monkeypatch.chdir(tmp_path / "b")
    two = build(open_package(second), tmp_path / "b" / "two")
    assert one.ok and two.ok
    a, b = files_of(one.out), files_of(two.out)
    assert a.keys() == b.keys()
    different = [name for name in a if a[name] != b[name]]
    assert not different, f"not reproducible: {different}"


def test_source_date_epoch_dates_the_descriptor_and_every_zip_entry(pkg, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1728432000")  # 2024-10-09T00:00:00Z
    result = build(open_package(pkg), tmp_path / "out")
    descriptor = json.loads((result.out / "datapackage.json").read_text())
    assert descriptor["created"] == "2024-10-09T00:00:00Z"
    with zipfile.ZipFile(result.out / "conflictdata-0.1.0.zip") as z:
        infos = z.infolist()
    assert {i.date_time for i in infos} == {(2024, 10, 9, 0, 0, 0)}
    assert {(i.external_attr >> 16) & 0o777 for i in infos} == {0o644}
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert all(i.filename.startswith("conflictdata-0.1.0/") for i in infos)


def test_the_changelog_date_of_the_version_is_the_release_date(pkg, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    (pkg / "CHANGELOG.md").write_text("# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2024-10-10\n\n- first\n")
    result = build(open_package(pkg), tmp_path / "out")
    assert json.loads((result.out / "datapackage.json").read_text())["created"] == "2024-10-10T00:00:00Z"


def test_without_any_date_nothing_is_dated(pkg, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    result = build(open_package(pkg), tmp_path / "out")
    assert "created" not in json.loads((result.out / "datapackage.json").read_text())
    with zipfile.ZipFile(result.out / "conflictdata-0.1.0.zip") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_the_zip_holds_exactly_the_release_files(release):
    with zipfile.ZipFile(release / "conflictdata-0.1.0.zip") as z:
        inside = {Path(n).name: z.read(n) for n in z.namelist()}
    outside = {n: b for n, b in files_of(release).items() if not n.endswith(".zip")}
    assert inside == outside


def test_the_zip_deflates_all_but_the_parquet_files_and_unzip_and_pandas_read_it(release, tmp_path):
    archive = release / "conflictdata-0.1.0.zip"
    with zipfile.ZipFile(archive) as z:
        infos = {Path(i.filename).name: i for i in z.infolist()}
        assert z.testzip() is None
        with z.open("conflictdata-0.1.0/munitions.csv") as f:
            assert pd.read_csv(f).shape[0] == len(read_rows(ROOT / "data/munitions.csv")[1])
    for name, info in infos.items():
        # Parquet is zstd inside already: stored; every other file deflated, and smaller for it
        expected = zipfile.ZIP_STORED if name.endswith(".parquet") else zipfile.ZIP_DEFLATED
        assert info.compress_type == expected, name
    csvs = [i for n, i in infos.items() if n.endswith(".csv")]
    assert sum(i.compress_size for i in csvs) < sum(i.file_size for i in csvs) / 2
    assert archive.stat().st_size < sum(i.file_size for i in infos.values())
    unzip = shutil.which("unzip")
    if unzip is not None:  # Info-ZIP reads it too, and unpacks the same bytes
        r = subprocess.run([unzip, "-q", str(archive), "-d", str(tmp_path)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert files_of(tmp_path / "conflictdata-0.1.0") == {
            n: b for n, b in files_of(release).items() if not n.endswith(".zip")}


def test_the_readme_says_what_the_release_is_and_how_to_verify_load_and_cite_it(release):
    text = (release / "README.md").read_text(encoding="utf-8")
    descriptor = json.loads((release / "datapackage.json").read_text())
    assert text.startswith(f"# {descriptor['title']}, version {descriptor['version']}\n")
    assert "sha256sum -c SHA256SUMS" in text and "datapackage-csv.json" in text
    assert 'cd.load("' in text and "pd.read_parquet(" in text
    for table in TABLES:  # every table with its row count, counted from the CSV
        assert f"| {table} | {len(read_rows(ROOT / f'data/{table}.csv')[1])} |" in text
    for name in LICENCES:
        assert f"`{name}`" in text
    assert "CITATION.cff" in text
    assert (release / "CITATION.cff").read_bytes() == (ROOT / "CITATION.cff").read_bytes()


def test_the_readme_is_dated_by_the_release_date(pkg, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1728432000")
    result = build(open_package(pkg), tmp_path / "out")
    assert "built 2024-10-09T00:00:00Z" in (result.out / "README.md").read_text()


def test_the_csv_copies_have_their_own_descriptor(release):
    parquet = json.loads((release / "datapackage.json").read_text())
    csv = json.loads((release / "datapackage-csv.json").read_text())
    assert {k: v for k, v in csv.items() if k != "resources"} == {
        k: v for k, v in parquet.items() if k != "resources"}
    assert [r["name"] for r in csv["resources"]] == TABLES
    for r in csv["resources"]:
        data = (release / r["path"]).read_bytes()
        assert r["path"] == f"{r['name']}.csv" and r["format"] == "csv" and r["encoding"] == "utf-8"
        assert r["bytes"] == len(data) and r["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert r["schema"] == json.loads((ROOT / f"schemas/{r['name']}.json").read_text())
    # conflictdata reads it as a package: valid, the same rows as the Parquet files
    assert cd.validate(release / "datapackage-csv.json").valid
    for table in TABLES:
        assert cd.load(table, format="polars", path=release / "datapackage-csv.json").equals(
            cd.load(table, format="polars"))


def test_sha256sum_checks_the_release_and_catches_a_changed_file(release, tmp_path):
    sha256sum = shutil.which("sha256sum")
    if sha256sum is None:
        pytest.skip("sha256sum (GNU coreutils) is not installed")
    ok = subprocess.run([sha256sum, "-c", "SHA256SUMS"], cwd=release, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    listed = {line.split("  ", 1)[1] for line in (release / "SHA256SUMS").read_text().splitlines()}
    assert listed == {n for n in files_of(release) if n not in ("SHA256SUMS", "conflictdata-0.1.0.zip")}
    copy = shutil.copytree(release, tmp_path / "copy")
    with open(copy / "munitions.csv", "a") as f:
        f.write("tampered\n")
    bad = subprocess.run([sha256sum, "-c", "SHA256SUMS"], cwd=copy, capture_output=True, text=True)
    assert bad.returncode != 0 and "munitions.csv: FAILED" in bad.stdout


def test_the_release_descriptor_stands_alone(release):
    d = json.loads((release / "datapackage.json").read_text())
    source = json.loads((ROOT / "datapackage.json").read_text())
    assert d["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert d["version"] == source["version"]
    # the folder is flat: a licence file of the package is beside the descriptor
    assert d["licenses"] == [dict(e, path=Path(e["path"]).name) if "://" not in e["path"] else e
                             for e in source["licenses"]]
    assert d["sources"] == source["sources"]
    assert d["contributors"] and all("roles" in c for c in d["contributors"])
    assert [r["name"] for r in d["resources"]] == TABLES
    for r in d["resources"]:
        assert r["path"] == f"{r['name']}.parquet" and r["format"] == "parquet"
        assert r["hash"] == "sha256:" + hashlib.sha256((release / r["path"]).read_bytes()).hexdigest()
        assert isinstance(r["schema"], dict)
        original = json.loads((ROOT / f"schemas/{r['name']}.json").read_text())
        assert [f["name"] for f in r["schema"]["fields"]] == [f["name"] for f in original["fields"]]
        assert r["schema"].get("primaryKey") == original.get("primaryKey")


def test_frictionless_validates_the_release(release):
    r = subprocess.run([sys.executable, "-m", "frictionless", "validate", "datapackage.json"],
                       cwd=release, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_frictionless_still_catches_a_bad_value_in_a_release_parquet(pkg, tmp_path):
    # The numeric missing-value fix must not hide real faults from the reference validator.
    # (A release of the seed rows: the reference validator reads 23,000 imported rows slowly.)
    from frictionless import Package

    result = build(open_package(pkg), tmp_path / "release")
    assert result.ok, result.report.render()
    copy = shutil.copytree(tmp_path / "release", tmp_path / "copy")
    table = pq.read_table(copy / "munitions.parquet")
    i = table.schema.get_field_index("launched")
    values = table.column(i).to_pylist()
    values[0] = -5
    table = table.set_column(i, table.schema.field(i), pa.array(values, pa.int64()))
    pq.write_table(table, copy / "munitions.parquet")
    report = Package(str(copy / "datapackage.json")).validate()
    assert not report.valid
    assert [e.type for t in report.tasks for e in t.errors] == ["constraint-error"]


@pytest.mark.parametrize("table", TABLES)
def test_parquet_types_and_rows_follow_the_schema_sorted_by_key(release, table):
    parquet = pq.read_table(release / f"{table}.parquet")
    from conflictdata.schema import TableSchema

    schema = TableSchema.from_dict(open_package(ROOT).resource(table).schema)
    assert parquet.column_names == schema.names
    for f in schema.fields:
        t = parquet.schema.field(f.name).type
        if f.enum is not None:
            assert pa.types.is_dictionary(t), f.name
        elif f.type == "integer":
            assert t == pa.int64()
        elif f.type == "date":
            assert t == pa.date32()
        elif f.type == "datetime":
            # zone-aware where the schema gives a timeZone (Parquet: isAdjustedToUTC, the zone kept)
            assert pa.types.is_timestamp(t) and t.tz == f.time_zone, f.name
        elif f.type == "time":
            # text hh:mm:ss, which Spark reads with its default settings (it refuses Parquet TIME)
            assert t == pa.string(), f.name
    keys = [tuple(r[k] for k in schema.primary_key) for r in parquet.select(list(schema.primary_key)).to_pylist()]
    assert keys == sorted(keys)
    assert parquet.num_rows == len(read_rows(ROOT / f"data/{table}.csv")[1])


def test_pandas_polars_and_duckdb_read_the_parquet(release):
    duckdb = pytest.importorskip("duckdb", reason="duckdb is in the test extra: pip install '.[test]'")
    path = release / "munitions.parquet"
    expected = len(read_rows(ROOT / "data/munitions.csv")[1])
    df = pd.read_parquet(path)
    assert len(df) == expected and str(df["launched"].dtype) == "Int64"  # the pandas metadata
    pf = pl.read_parquet(path)
    assert pf.height == expected and pf.schema["launched"] == pl.Int64
    with duckdb.connect() as con:
        rows = con.execute(f"SELECT count(*), sum(launched) FROM '{path}'").fetchone()
        types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM '{path}'").fetchall()}
        published = con.execute(f"SELECT min(published_date) FROM '{release / 'updates.parquet'}'").fetchone()[0]
    assert rows == (expected, int(pf["launched"].sum()))
    assert types["launched"] == "BIGINT" and types["window_start"].startswith("TIMESTAMP")
    header, updates = read_rows(ROOT / "data/updates.csv")
    dates = [u[header.index("published_date")] for u in updates]
    assert str(published) == min(d for d in dates if d)


@pytest.mark.parametrize("table", TABLES)
def test_load_reads_a_release_folder_like_the_package(release, table):
    from conflictdata.schema import TableSchema

    key = list(TableSchema.from_dict(open_package(ROOT).resource(table).schema).primary_key)
    ours = cd.load(table, format="arrow", path=release)
    theirs = cd.load(table, format="arrow").sort_by([(k, "ascending") for k in key])
    assert ours.schema == theirs.schema
    assert ours.to_pylist() == theirs.to_pylist()
    assert cd.load(table, path=release).dtypes.to_dict() == cd.load(table).dtypes.to_dict()
    assert cd.load(table, format="polars", path=release).schema == cd.load(table, format="polars").schema


def test_the_csv_copies_write_datetimes_as_the_source_wall_clock_text(release):
    # Kyiv wall-clock time, no offset, as the cells of data/ write it (not UTC)
    for table in TABLES:
        schema = open_package(ROOT).resource(table).schema
        names = [f["name"] for f in schema["fields"] if f.get("type") == "datetime"]
        if not names:
            continue
        key = schema["primaryKey"]
        header, rows = read_rows(ROOT / f"data/{table}.csv")
        rel_header, rel_rows = read_rows(release / f"{table}.csv")

        def cells(h, rs, columns=(*key, *names)):
            return sorted(tuple(r[h.index(n)] for n in columns) for r in rs)

        assert cells(rel_header, rel_rows) == cells(header, rows), table
    header, rows = read_rows(release / "munitions.csv")
    assert "2024-10-07T00:00:00" in {r[header.index("window_start")] for r in rows}


def test_the_csv_copies_are_a_valid_package_with_the_same_rows(release, pkg):
    for table in TABLES:
        shutil.copy(release / f"{table}.csv", pkg / "data" / f"{table}.csv")
    assert cd.validate(pkg).valid
    from conflictdata.load import to_pandas
    from conflictdata.release import from_parquet
    from conflictdata.schema import TableSchema

    for table in TABLES:
        schema = TableSchema.from_dict(open_package(ROOT).resource(table).schema)
        parquet = from_parquet(pq.read_table(release / f"{table}.parquet"), schema)
        assert cd.load(table, path=pkg).equals(to_pandas(parquet))


def test_invalid_data_is_refused_with_the_report_and_nothing_is_written(pkg, tmp_path):
    set_cell(pkg, "munitions", 3, "launched", "-4")
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["build", str(pkg), "--out", str(out)])
    assert r.exit_code == 1, r.output
    assert "data/munitions.csv" in r.output and "INVALID" in r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]  # no release, no staging folder left


def test_cli_build_lists_every_file_with_its_hash(pkg, tmp_path):
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["build", str(pkg), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"built conflictdata 0.1.0 into {out}")
    for name in ("munitions.parquet", "SHA256SUMS", "conflictdata-0.1.0.zip"):
        assert name in r.output
    assert r.output.count("sha256:") == len(list(out.iterdir()))


def test_a_non_empty_folder_is_refused_unless_overwrite(pkg, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    r = CliRunner().invoke(cli, ["build", str(pkg), "--out", str(out)])
    assert r.exit_code == 2 and "not empty" in r.output and "Traceback" not in r.output
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    r = CliRunner().invoke(cli, ["build", str(pkg), "--out", str(out), "--overwrite"])
    assert r.exit_code == 0, r.output
    assert (out / "keep.txt").read_text() == "mine" and (out / "munitions.parquet").is_file()


def test_a_package_without_a_version_cannot_be_released(pkg, tmp_path):
    descriptor = json.loads((pkg / "datapackage.json").read_text())
    del descriptor["version"]
    (pkg / "datapackage.json").write_text(json.dumps(descriptor))
    with pytest.raises(ReleaseError, match="no 'version'"):
        build(open_package(pkg), tmp_path / "out")
    r = CliRunner().invoke(cli, ["build", str(pkg), "--out", str(tmp_path / "out")])
    assert r.exit_code == 2 and "no 'version'" in r.output


def test_a_bad_source_date_epoch_is_one_clear_line(pkg, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    r = CliRunner().invoke(cli, ["build", str(pkg), "--out", str(tmp_path / "out")])
    assert r.exit_code == 2 and "SOURCE_DATE_EPOCH" in r.output


def test_rows_are_sorted_whatever_order_the_csv_has(pkg, tmp_path):
    header, rows = read_rows(pkg / "data/munitions.csv")
    write_rows(pkg / "data/munitions.csv", header, list(reversed(rows)))
    shuffled = build(open_package(pkg), tmp_path / "shuffled")
    straight = build(open_package(copy_package(tmp_path / "straight-src")), tmp_path / "straight")
    assert (shuffled.out / "munitions.parquet").read_bytes() == (straight.out / "munitions.parquet").read_bytes()
    assert (shuffled.out / "munitions.csv").read_bytes() == (straight.out / "munitions.csv").read_bytes()


# --- licences: the MIT notice of the imported rows beside CC BY 4.0 ---------------------------

def test_the_package_lists_the_mit_notice_after_cc_by():
    licences = json.loads((ROOT / "datapackage.json").read_text())["licenses"]
    assert licences[0]["name"] == "CC-BY-4.0"
    (mit,) = [e for e in licences if e["name"] == "MIT"]
    assert mit["path"] == f"LICENSES/{MIT_NOTICE}" and (ROOT / mit["path"]).is_file()
    assert "PetroIvaniuk/2022-Ukraine-Russia-War-Dataset" in mit["title"] and "General Staff" in mit["title"]
    text = (ROOT / mit["path"]).read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2022 Petro Ivaniuk\n")
    # the standard MIT text: the same permission notice as the code's own licence
    assert text.split("\n", 3)[3] == (ROOT / "LICENSE").read_text(encoding="utf-8").split("\n", 3)[3]


def test_the_release_folder_and_zip_carry_the_licences_byte_for_byte(release):
    sources = {"LICENSE-DATA": ROOT / "LICENSE-DATA", "LICENSE": ROOT / "LICENSE",
               MIT_NOTICE: ROOT / "LICENSES" / MIT_NOTICE}
    with zipfile.ZipFile(release / "conflictdata-0.1.0.zip") as z:
        for name, source in sources.items():
            assert (release / name).read_bytes() == source.read_bytes()
            assert z.read(f"conflictdata-0.1.0/{name}") == source.read_bytes()
    listed = {line.split("  ", 1)[1] for line in (release / "SHA256SUMS").read_text().splitlines()}
    assert LICENCES <= listed
    d = json.loads((release / "datapackage.json").read_text())
    assert [e["name"] for e in d["licenses"]] == ["CC-BY-4.0", "MIT"]
    assert (release / d["licenses"][1]["path"]).is_file()


def test_a_package_s_own_licence_files_are_the_ones_released(pkg, tmp_path):
    (pkg / "LICENSES").mkdir()
    (pkg / "LICENSES" / MIT_NOTICE).write_text("MIT License\n\nCopyright (c) 2022 Petro Ivaniuk\n(this copy)\n")
    (pkg / "LICENSE-DATA").write_text("CC BY 4.0 (this copy)\n")
    result = build(open_package(pkg), tmp_path / "out")
    assert result.ok
    assert (result.out / MIT_NOTICE).read_text().endswith("(this copy)\n")
    assert (result.out / "LICENSE-DATA").read_text() == "CC BY 4.0 (this copy)\n"
    assert (result.out / "LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes()  # the installed copy


def test_another_package_without_the_licence_file_it_lists_is_not_released(pkg, tmp_path):
    descriptor = json.loads((pkg / "datapackage.json").read_text())
    descriptor["name"] = "someone-elses-data"
    (pkg / "datapackage.json").write_text(json.dumps(descriptor))
    out = tmp_path / "out"
    with pytest.raises(ReleaseError, match=f"licence file 'LICENSES/{MIT_NOTICE}'.*missing"):
        build(open_package(pkg), out)
    assert not out.exists() or not any(out.iterdir())
    # without the listed notice, another package's release holds no licence of this one
    descriptor["licenses"] = descriptor["licenses"][:1]
    (pkg / "datapackage.json").write_text(json.dumps(descriptor))
    result = build(open_package(pkg), out)
    assert result.ok and not LICENCES & {p.name for p in out.iterdir()}


def test_the_wheel_is_under_5_mb_and_carries_the_notices(tmp_path):
    # pip builds it with hatchling in an isolated environment (about 4 s with a warm cache)
    start = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot build a wheel here (no build backend offline?): {r.stderr.strip()[-300:]}")
    (wheel,) = tmp_path.glob("conflictdata-*.whl")
    assert wheel.stat().st_size < 5 * 1024 * 1024, f"{wheel.stat().st_size} bytes"
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    assert {f"conflictdata/package_data/{n}" for n in ("LICENSE", "LICENSE-DATA", f"LICENSES/{MIT_NOTICE}",
                                                        "datapackage.json", "data/equipment_losses.csv")} <= names
    assert time.monotonic() - start < 60
