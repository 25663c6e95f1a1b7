"""Publishing: a built release is checked byte for byte and registered; the whole path over real HTTP.

Build two versions of a package copy, serve them from a real HTTP server on 127.0.0.1,
publish both into a registry, then load, cite, download and diff them as a user would.
"""

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import conflictdata as cd
from conflictdata.cli import cli
from conflictdata.errors import IntegrityError, ReleaseError
from conflictdata.package import open_package
from conflictdata.publish import check, publish, register
from conflictdata.release import build

from .conftest import copy_package, seed_only, set_cell
from .test_remote import Server

A, B = "1.0.0", "1.1.0"
CHANGELOG = f"# Changelog\n\n## [Unreleased]\n\n## [{B}] - 2026-11-30\n\n- a changed note\n\n" \
            f"## [{A}] - 2025-06-01\n\n- first\n"
CHANGED = "B's note: the claim re-read"


def run(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def prepare(pkg: Path, version: str) -> Path:
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["version"] = version
    (pkg / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    (pkg / "CHANGELOG.md").write_text(CHANGELOG, encoding="utf-8")  # build dates the release from it
    return pkg


def test_the_whole_path_build_serve_publish_load_cite_diff_and_refuse(pkg, tmp_path, monkeypatch):
    dist = tmp_path / "www"  # served as {base}/{version}/{file}, as GitHub serves release assets
    prepare(pkg, A)
    assert run("build", pkg, "--out", dist / A).exit_code == 0
    changed = prepare(shutil.copytree(pkg, tmp_path / "pkg-b"), B)
    set_cell(changed, "munitions", 2, "notes", CHANGED)
    assert run("build", changed, "--out", dist / B).exit_code == 0

    registry = tmp_path / "registry.json"
    for version in (A, B):
        r = run("publish", dist / version, "--registry", registry, "--changelog", pkg / "CHANGELOG.md")
        assert r.exit_code == 0, r.output
        assert f"published {version} in {registry}" in r.output
    digests = json.loads(registry.read_text())["versions"]
    assert digests == {v: f"sha256:{sha256(dist / v / 'datapackage.json')}" for v in (A, B)}

    server = Server(dist)
    try:
        env = {"CONFLICTDATA_BASE_URL": server.url, "CONFLICTDATA_CACHE": str(tmp_path / "cache"),
               "CONFLICTDATA_REGISTRY": str(registry)}
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        loaded = cd.load("munitions", version=A)
        assert loaded.equals(cd.load("munitions", path=dist / A))
        assert CHANGED not in set(loaded["notes"].dropna())

        r = run("cite", "--version", A)
        assert r.exit_code == 0 and r.stderr == ""
        assert f"datapackage.json sha256:{sha256(dist / A / 'datapackage.json')}" in r.stdout
        assert r.stdout.startswith("conflictdata contributors (2025). ")  # A's date, from its release

        for version in (A, B):
            r = run("download", version, "--out", tmp_path / "got" / version, "--quiet")
            assert r.exit_code == 0, r.output
        # a file changed on the server after publication is refused, never cached
        served = dist / B / "places.parquet"
        served.write_bytes(served.read_bytes() + b"\x00")
        r = run("download", B, env={"CONFLICTDATA_CACHE": str(tmp_path / "fresh")})
        assert r.exit_code == 2 and r.output.startswith(f"error: places.parquet of conflictdata {B} is corrupt")
        assert not (tmp_path / "fresh" / B / "places.parquet").exists()

        r = run("diff", tmp_path / "got" / A, tmp_path / "got" / B, "--format", "json")
        assert r.exit_code == 0, r.output
        report = json.loads(r.stdout)
        changes = [c for t in report["tables"] for c in t["changed"] if t["table"] == "munitions"]
        assert [c["fields"]["notes"]["new"] for c in changes] == [CHANGED]
        assert report["declared_bump"] == "minor" and report["covered"] is True
    finally:
        server.stop()


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    """One built release of a package copy, version A, to copy and break."""
    source = prepare(seed_only(copy_package(tmp_path_factory.mktemp("src") / "pkg")), A)
    result = build(open_package(source), tmp_path_factory.mktemp("dist") / A)
    assert result.ok
    return result.out


@pytest.fixture
def folder(release, tmp_path, monkeypatch) -> Path:
    """A fresh copy of the release, run from a folder whose CHANGELOG.md dates it."""
    (tmp_path / "CHANGELOG.md").write_text(CHANGELOG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CONFLICTDATA_REGISTRY", raising=False)
    return shutil.copytree(release, tmp_path / "dist" / A)


def test_publishing_twice_changes_nothing_and_a_changed_release_is_refused(folder, tmp_path):
    registry = tmp_path / "registry.json"
    first = publish(folder, registry=registry)
    assert first.ok and first.added and first.version == A
    before = registry.read_bytes()
    assert not publish(folder, registry=registry).added
    assert registry.read_bytes() == before
    with pytest.raises(IntegrityError, match=f"version {A} is published with sha256:{first.sha256}"):
        register(A, "0" * 64, registry)
    assert registry.read_bytes() == before
    r = run("publish", folder, "--registry", registry, "--check")
    assert r.exit_code == 0 and "registered" in r.output


def test_check_only_refuses_an_unregistered_version(folder, tmp_path):
    registry = tmp_path / "registry.json"
    registry.write_text('{"versions": {}}\n')
    r = run("publish", folder, "--registry", registry, "--check")
    assert r.exit_code == 2 and f"version {A} is not registered" in r.output
    assert registry.read_text() == '{"versions": {}}\n'


def test_the_registry_keeps_its_versions_in_order_and_its_other_keys(tmp_path):
    registry = tmp_path / "registry.json"
    registry.write_text(json.dumps({"comment": "kept", "versions": {"1.10.0": "sha256:" + "1" * 64}}))
    for version in ("2.0.0", "2.0.0-rc.1", "1.9.0"):
        assert register(version, "2" * 64, registry)
    data = json.loads(registry.read_text())
    assert data["comment"] == "kept"
    assert list(data["versions"]) == ["1.9.0", "1.10.0", "2.0.0-rc.1", "2.0.0"]


def breakage(folder: Path, how: str) -> None:
    if how == "tampered":
        (folder / "munitions.csv").write_text("claim_id\nx\n")
    elif how == "unlisted":
        (folder / "notes.txt").write_text("not part of the release")
    elif how == "missing":
        (folder / "actors.parquet").unlink()
    elif how == "descriptor-hash":
        descriptor = json.loads((folder / "datapackage.json").read_text())
        descriptor["resources"][0]["hash"] = "sha256:" + "0" * 64
        text = json.dumps(descriptor)
        (folder / "datapackage.json").write_text(text)
        sums = (folder / "SHA256SUMS").read_text().splitlines()
        sums = [f"{sha256(folder / 'datapackage.json')}  datapackage.json" if line.endswith(" datapackage.json")
                else line for line in sums]
        (folder / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    elif how == "zip":
        zip_file = next(folder.glob("*.zip"))
        data = bytearray(zip_file.read_bytes())
        at = data.find(b"places.csv")
        data[at + 200] ^= 0xFF  # a byte of a member's content
        zip_file.write_bytes(bytes(data))


@pytest.mark.parametrize("how, message", [
    ("tampered", r"munitions\.csv: its sha256 is [0-9a-f]{64} but SHA256SUMS says"),
    ("unlisted", r"notes\.txt: not listed in SHA256SUMS"),
    ("missing", r"SHA256SUMS: lists actors\.parquet, which is not in"),
    ("descriptor-hash", r"sources\.parquet: its sha256 is [0-9a-f]{64} but datapackage\.json says 0{64}"),
    ("zip", r"conflictdata-1\.0\.0\.zip: "),
])
def test_a_release_that_does_not_match_itself_is_refused(folder, tmp_path, how, message):
    breakage(folder, how)
    registry = tmp_path / "registry.json"
    with pytest.raises(IntegrityError, match=message):
        publish(folder, registry=registry)
    assert not registry.exists()
    r = run("publish", folder, "--registry", registry)
    assert r.exit_code == 2 and r.output.count("\n") == 1 and "Traceback" not in r.output


def test_the_folder_and_the_changelog_must_name_the_version(folder, tmp_path):
    renamed = folder.rename(folder.with_name("latest"))
    with pytest.raises(ReleaseError, match=f"named 'latest' but its datapackage.json says version {A}"):
        check(renamed)
    renamed.rename(folder)
    (tmp_path / "CHANGELOG.md").write_text("# Changelog\n\n## [Unreleased]\n")
    with pytest.raises(ReleaseError, match=rf"no heading '## \[{A}\] - YYYY-MM-DD'"):
        check(folder)
    (tmp_path / "CHANGELOG.md").write_text(f"## [{A}] - 2024-01-01\n")
    with pytest.raises(ReleaseError, match="created 2025-06-01T00:00:00Z is not the changelog's date"):
        check(folder)


def test_invalid_data_in_a_release_is_not_published(folder, tmp_path):
    import pyarrow.parquet as pq

    table = pq.read_table(folder / "munitions.parquet")
    column = table.column_names.index("launched")
    launched = [(-5 if v is not None else None) for v in table.column("launched").to_pylist()]
    import pyarrow as pa

    table = table.set_column(column, table.schema.field(column), pa.array(launched, table.schema.field(column).type))
    pq.write_table(table, folder / "munitions.parquet")
    # a release rebuilt by hand: its sums and hash say the new bytes, so only validation can catch it
    descriptor = json.loads((folder / "datapackage.json").read_text())
    for item in descriptor["resources"]:
        if item["name"] == "munitions":
            item["hash"] = f"sha256:{sha256(folder / 'munitions.parquet')}"
    (folder / "datapackage.json").write_text(json.dumps(descriptor))
    (folder / next(folder.glob("*.zip")).name).unlink()
    names = sorted(p.name for p in folder.iterdir() if p.name != "SHA256SUMS")
    (folder / "SHA256SUMS").write_text("".join(f"{sha256(folder / n)}  {n}\n" for n in names))
    with pytest.raises(IntegrityError, match="holds the zip files none"):
        check(folder)
    import zipfile

    with zipfile.ZipFile(folder / "conflictdata-1.0.0.zip", "w") as z:
        for n in [*names, "SHA256SUMS"]:
            z.write(folder / n, f"conflictdata-1.0.0/{n}")
    registry = tmp_path / "registry.json"
    result = publish(folder, registry=registry)
    assert not result.ok and not result.added and not registry.exists()
    r = run("publish", folder, "--registry", registry)
    assert r.exit_code == 1 and "munitions.parquet" in r.output and "launched" in r.output
