"""The benchmark generator stays honest: its packages validate, its faults are all found,
and the validator finds the same faults whether a table arrives in one batch or many."""

import json
import sys

import pytest

import conflictdata as cd
from conflictdata import read

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import FAULT_KINDS, generate  # noqa: E402


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean")
    generate(3000, out)
    return out


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    out = tmp_path_factory.mktemp("faulty")
    generate(3000, out, faults=40)
    return out


def test_generated_package_is_valid_and_strict(clean):
    report = cd.validate(clean, strict=True)
    assert report.valid, report.render(max_errors=10)
    assert len(cd.load("munitions", path=clean)) == 3000
    # every table of the descriptor gets rows, so a new table's checks are exercised too
    resources = json.loads((ROOT / "datapackage.json").read_text())["resources"]
    assert [r["name"] for r in resources if len(cd.load(r["name"], path=clean)) == 0] == []


def test_every_injected_fault_is_found(faulty):
    listed = json.loads((faulty / "faults.json").read_text())
    assert len(listed) == 40 and {f["code"] for f in listed} == {k[0] for k in FAULT_KINDS}
    found = {(f.resource, f.row, f.field, f.code) for f in cd.validate(faulty).faults}
    for f in listed:
        assert (f["table"], f["line"], f["field"], f["code"]) in found, f


def test_batches_change_nothing(faulty, monkeypatch):
    whole = sorted((f.resource, f.row, f.field, f.code, f.message) for f in cd.validate(faulty).faults)
    monkeypatch.setattr(read, "BLOCK_BYTES", 100_000)
    batched = sorted((f.resource, f.row, f.field, f.code, f.message) for f in cd.validate(faulty).faults)
    assert batched == whole


def test_duplicates_across_batches_are_found(clean, tmp_path, monkeypatch):
    import shutil

    pkg = tmp_path / "pkg"
    shutil.copytree(clean, pkg)
    path = pkg / "data" / "munitions.csv"
    lines = path.read_text().splitlines(keepends=True)
    twin = lines[1].split(",", 1)
    lines.append("claim-twin," + twin[1])  # same claim as line 2, 3000 lines later
    lines.append(lines[5])  # the primary key of line 6 again
    path.write_text("".join(lines))
    monkeypatch.setattr(read, "BLOCK_BYTES", 50_000)
    codes = {(f.code, f.row) for f in cd.validate(pkg).faults}
    assert ("duplicate-claim", 3002) in codes
    assert ("primary-key", 3003) in codes and ("constraint-unique", 3003) in codes
