"""Diffs between versions: rows by primary key, schema changes, the required bump, --check-version."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import conflictdata as cd
from conflictdata.cli import cli
from conflictdata.diff import diff
from conflictdata.errors import ReleaseError
from conflictdata.package import open_package
from conflictdata.release import build

from .conftest import copy_package, line_of, read_rows, set_cell, write_rows

CORRECTED = "dw-2024-10-08-overnight-drones-launched"  # launched 19 -> 20
ADDED = "dw-2024-10-08-a-claim-added-later"
REMOVED = "dw-2024-10-08-chornomorsk-no-casualties"
ELSEWHERE = {"target_place_id": "odesa-oblast"}  # so the added claim is not a duplicate of the one it copies


def set_version(pkg: Path, version: str) -> None:
    path = pkg / "datapackage.json"
    descriptor = json.loads(path.read_text())
    descriptor["version"] = version
    path.write_text(json.dumps(descriptor, indent=2))


def rename_field(pkg: Path, table: str, old: str, new: str) -> None:
    schema_path = pkg / "schemas" / f"{table}.json"
    schema = json.loads(schema_path.read_text())
    for f in schema["fields"]:
        if f["name"] == old:
            f["name"] = new
    schema_path.write_text(json.dumps(schema, indent=2))
    header, rows = read_rows(pkg / "data" / f"{table}.csv")
    write_rows(pkg / "data" / f"{table}.csv", [new if h == old else h for h in header], rows)


def add_row(pkg: Path, table: str, like: str, key: str, new_id: str, **cells) -> None:
    header, rows = read_rows(pkg / "data" / f"{table}.csv")
    row = list(rows[line_of(pkg, table, key, like) - 2])
    for name, value in {key: new_id, **cells}.items():
        row[header.index(name)] = value
    write_rows(pkg / "data" / f"{table}.csv", header, [*rows, row])


def remove_row(pkg: Path, table: str, key: str, value: str) -> None:
    header, rows = read_rows(pkg / "data" / f"{table}.csv")
    write_rows(pkg / "data" / f"{table}.csv", header, [r for r in rows if r[header.index(key)] != value])


@pytest.fixture
def versions(tmp_path):
    """1.0.0 = the shipped data; 2.0.0 = a row added, a value corrected, a row removed, a field renamed."""
    old = copy_package(tmp_path / "old")
    set_version(old, "1.0.0")
    new = copy_package(tmp_path / "new")
    set_version(new, "2.0.0")
    add_row(new, "munitions", CORRECTED, "claim_id", ADDED, **ELSEWHERE)
    assert set_cell(new, "munitions", line_of(new, "munitions", "claim_id", CORRECTED), "launched", "20") == "19"
    remove_row(new, "casualty_reports", "report_id", REMOVED)
    rename_field(new, "places", "admin_region", "region")
    assert cd.validate(old).valid and cd.validate(new).valid
    return old, new


def by_table(d):
    return {t.name: t for t in d.tables}


def test_each_change_is_found_and_the_bump_is_major(versions):
    d = diff(*versions)
    t = by_table(d)
    assert t["munitions"].added == [{"claim_id": ADDED}]
    assert [(c.key, c.fields) for c in t["munitions"].changed] == [({"claim_id": CORRECTED}, {"launched": (19, 20)})]
    assert t["casualty_reports"].removed == [{"report_id": REMOVED}]
    assert [(c.kind, c.field) for c in t["places"].schema] == [("field-renamed", "admin_region")]
    assert "renamed to 'region'" in t["places"].schema[0].detail
    assert not t["places"].changed, "a renamed field with the same values is not a change of every row"
    assert all(t[n].empty for n in ("sources", "updates", "actors", "munition_types"))
    assert d.required_bump == "major"
    assert d.declared_bump == "major" and d.covered is True
    assert dict((w, b) for b, w in d.reasons()) == {
        "munitions: 1 row added": "minor", "munitions: 1 row changed": "patch",
        "casualty_reports: 1 row removed": "patch", "places: field 'admin_region' renamed to 'region'": "major"}


@pytest.mark.parametrize("change, bump", [
    ("none", "none"), ("corrected", "patch"), ("removed", "patch"), ("added", "minor"),
    ("field-added", "minor"), ("field-removed", "major"), ("retyped", "major"), ("key", "major"),
    ("enum-extended", "minor"), ("enum-reduced", "major"),
])
def test_the_required_bump_of_each_kind_of_change(tmp_path, change, bump):
    old = copy_package(tmp_path / "old")
    new = copy_package(tmp_path / "new")
    schema_path = new / "schemas" / "munitions.json"
    schema = json.loads(schema_path.read_text())
    header, rows = read_rows(new / "data" / "munitions.csv")
    if change == "corrected":
        rows[0][header.index("notes")] = "corrected note"
    elif change == "removed":
        rows = rows[1:]
    elif change == "added":
        rows.append([{"claim_id": ADDED, **ELSEWHERE}.get(h, v) for h, v in zip(header, rows[0], strict=True)])
    elif change == "field-added":
        schema["fields"].append({"name": "reviewed", "type": "boolean"})
        header.append("reviewed")
        rows = [[*r, ""] for r in rows]
    elif change == "field-removed":
        i = header.index("notes")
        schema["fields"] = [f for f in schema["fields"] if f["name"] != "notes"]
        header, rows = header[:i] + header[i + 1:], [r[:i] + r[i + 1:] for r in rows]
    elif change == "retyped":
        for f in schema["fields"]:
            if f["name"] == "launched":
                f["type"] = "number"
    elif change == "key":
        schema["primaryKey"] = ["claim_id", "update_id"]
    elif change in ("enum-extended", "enum-reduced"):
        for f in schema["fields"]:
            if f["name"] == "certainty":
                used = {r[header.index("certainty")] for r in rows}
                values = f["constraints"]["enum"]
                f["constraints"]["enum"] = ([*values, "rumoured"] if change == "enum-extended"
                                            else [v for v in values if v in used])
                assert f["constraints"]["enum"] != values
    schema_path.write_text(json.dumps(schema, indent=2))
    write_rows(new / "data" / "munitions.csv", header, rows)
    assert cd.validate(new).valid
    assert diff(old, new).required_bump == bump


@pytest.mark.parametrize("old_version, new_version, covered", [
    ("1.0.0", "2.0.0", True), ("1.0.0", "1.1.0", False), ("1.0.0", "1.0.0", False), ("1.4.2", "3.0.0", True),
    ("2.0.0", "1.0.0", False), ("0.3.0", "0.4.0", True), ("0.3.0", "0.3.1", False),
    # a release candidate's release: the numbers announce a major (was "none", so never covered)
    ("2.0.0-rc.1", "2.0.0", True), ("1.3.0-rc.1", "1.3.0", False), ("2.0.0-rc.2", "2.0.0-rc.1", False),
])
def test_check_version_exit_code(versions, old_version, new_version, covered):
    old, new = versions
    set_version(old, old_version)
    set_version(new, new_version)
    r = CliRunner().invoke(cli, ["diff", str(old), str(new), "--check-version"])
    assert r.exit_code == (0 if covered else 1), r.output
    if not covered:
        assert "does NOT cover the change" in r.output


def test_check_version_passes_a_minor_bump_for_added_rows_only(tmp_path):
    old, new = copy_package(tmp_path / "old"), copy_package(tmp_path / "new")
    set_version(new, "0.1.1")
    add_row(new, "munitions", CORRECTED, "claim_id", ADDED, **ELSEWHERE)
    r = CliRunner().invoke(cli, ["diff", str(old), str(new), "--check-version"])
    assert r.exit_code == 0, r.output
    assert "required bump: minor (minor before 1.0.0 needs patch)" in r.output
    set_version(new, "0.1.0")
    assert CliRunner().invoke(cli, ["diff", str(old), str(new), "--check-version"]).exit_code == 1


def test_text_output(versions):
    r = CliRunner().invoke(cli, ["diff", *map(str, versions)])
    assert r.exit_code == 0, r.output
    out = r.output
    assert "munitions: 1 added, 0 removed, 1 changed (8 -> 9 rows)" in out
    assert f"  + {ADDED}" in out and f"  - {REMOVED}" in out
    assert f"  ~ {CORRECTED}: launched: 19 -> 20" in out
    assert "  schema: field 'admin_region' renamed to 'region' [major]" in out
    touched = {"munitions", "casualty_reports", "places"}
    same = [t for t in open_package(versions[0]).resources if t not in touched]
    assert f"unchanged: {', '.join(same)}" in out
    assert out.rstrip().endswith("declared 1.0.0 -> 2.0.0 is major, which covers the change")


def test_json_output(versions):
    r = CliRunner().invoke(cli, ["diff", *map(str, versions), "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["required_bump"] == "major" and data["covered"] is True
    tables = {t["table"]: t for t in data["tables"]}
    assert tables["munitions"]["changed"] == [
        {"key": {"claim_id": CORRECTED}, "fields": {"launched": {"old": 19, "new": 20}}}]
    assert tables["casualty_reports"]["removed"] == [{"report_id": REMOVED}]
    assert tables["places"]["schema"][0]["kind"] == "field-renamed"


def test_markdown_output_is_changelog_sections(versions):
    r = CliRunner().invoke(cli, ["diff", *map(str, versions), "--format", "markdown"])
    assert r.exit_code == 0, r.output
    out = r.output
    assert out.startswith("<!-- conflictdata diff 1.0.0 -> 2.0.0: required bump: major")
    assert out.index("### Added") < out.index("### Changed") < out.index("### Removed")
    assert f"- `munitions`: 1 row: `{ADDED}`" in out
    assert f"- `munitions` `{CORRECTED}`: `launched` `19` → `20`" in out
    assert "- `places`: field `admin_region` renamed to `region`" in out
    assert f"- `casualty_reports`: 1 row: `{REMOVED}`" in out


def test_dates_and_empty_values_render_readably(tmp_path):
    old, new = copy_package(tmp_path / "old"), copy_package(tmp_path / "new")
    line = line_of(new, "updates", "published_date", "2024-10-08")
    set_cell(new, "updates", line, "published_date", "2024-10-09")
    set_cell(new, "updates", line, "headline", "")
    d = diff(old, new)
    change = by_table(d)["updates"].changed[0]
    text = d.render("text")
    assert "published_date: 2024-10-08 -> 2024-10-09" in text
    assert "headline:" in text and "-> (empty)" in text
    assert json.loads(d.render("json"))["tables"][1]["changed"][0]["fields"]["published_date"] == {
        "old": "2024-10-08", "new": "2024-10-09"}
    assert set(change.fields) == {"published_date", "headline"}


def test_packages_releases_and_zips_compare_alike(versions, tmp_path):
    old, new = versions
    old_release = build(open_package(old), tmp_path / "old-release").out
    new_release = build(open_package(new), tmp_path / "new-release").out
    expected = diff(old, new).to_dict()["tables"]
    for a, b in [(old_release, new_release), (old_release / "conflictdata-1.0.0.zip", new),
                 (old, new_release / "conflictdata-2.0.0.zip")]:
        assert diff(a, b).to_dict()["tables"] == expected, (a, b)
    assert diff(old, old_release).required_bump == "none"


def test_a_table_added_or_removed(tmp_path):
    old, new = copy_package(tmp_path / "old"), copy_package(tmp_path / "new")
    descriptor = json.loads((new / "datapackage.json").read_text())
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "casualty_reports"]
    (new / "datapackage.json").write_text(json.dumps(descriptor))
    d = diff(old, new)
    assert by_table(d)["casualty_reports"].schema[0].kind == "table-removed" and d.required_bump == "major"
    back = diff(new, old)
    assert by_table(back)["casualty_reports"].schema[0].kind == "table-added" and back.required_bump == "minor"


def test_unreadable_sides_are_one_line_and_exit_2(tmp_path, pkg):
    bad_zip = tmp_path / "bad.zip"
    bad_zip.write_bytes(b"PK\x03\x04 not a zip at all")
    r = CliRunner().invoke(cli, ["diff", str(bad_zip), str(pkg)])
    assert r.exit_code == 2 and r.output == f"error: {bad_zip}: not a readable zip archive\n"
    r = CliRunner().invoke(cli, ["diff", str(tmp_path / "missing"), str(pkg)])
    assert r.exit_code == 2
    set_cell(pkg, "munitions", 2, "launched", "lots")
    r = CliRunner().invoke(cli, ["diff", str(copy_package(tmp_path / "ok")), str(pkg)])
    assert r.exit_code == 2 and "data/munitions.csv:2 [launched]" in r.output


def test_a_zip_that_escapes_its_folder_is_refused(tmp_path, pkg):
    import zipfile

    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("../outside.txt", "x")
        z.writestr("datapackage.json", "{}")
    with pytest.raises(ReleaseError, match="would land outside"):
        diff(evil, pkg)
    assert not (tmp_path / "outside.txt").exists()
