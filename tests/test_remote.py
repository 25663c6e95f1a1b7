"""Pinned versions over real HTTP: download, verify, cache, work offline, refuse tampered files."""

import functools
import hashlib
import json
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

import conflictdata as cd
from conflictdata import remote
from conflictdata.cli import cli
from conflictdata.errors import IntegrityError, ReleaseError, UnknownVersionError
from conflictdata.package import open_package
from conflictdata.release import build

from .conftest import copy_package

pytest.importorskip("pooch", reason="pooch is in the test extra: pip install '.[test]'")

VERSION = "0.1.0"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep the test output clean
        pass


class Server:
    """A real HTTP server on 127.0.0.1 serving ``root`` from a thread."""

    def __init__(self, root: Path):
        self.root = root
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stop(self):
        if self.thread.is_alive():
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    source = copy_package(tmp_path_factory.mktemp("src") / "pkg")
    result = build(open_package(source), tmp_path_factory.mktemp("rel") / "release")
    assert result.ok
    return result.out


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def register(tmp_path: Path, versions: dict) -> Path:
    path = tmp_path / "registry.json"
    path.write_text(json.dumps({"versions": versions}))
    return path


@pytest.fixture
def site(built, tmp_path, monkeypatch):
    """A fresh copy of the release served at {url}/0.1.0/, a fresh cache, and a registry naming it."""
    root = tmp_path / "www"
    shutil.copytree(built, root / VERSION)
    server = Server(root)
    cache = tmp_path / "cache"
    registry = register(tmp_path, {VERSION: f"sha256:{sha256(root / VERSION / 'datapackage.json')}"})
    monkeypatch.setenv("CONFLICTDATA_BASE_URL", server.url)
    monkeypatch.setenv("CONFLICTDATA_CACHE", str(cache))
    monkeypatch.setenv("CONFLICTDATA_REGISTRY", str(registry))
    server.served = root / VERSION
    server.cache = cache / VERSION
    yield server
    server.stop()


def test_load_a_pinned_version_then_again_offline_from_the_cache(site, built):
    online = cd.load("munitions", version=VERSION)
    assert online.equals(cd.load("munitions", path=built))
    assert (site.cache / "munitions.parquet").read_bytes() == (built / "munitions.parquet").read_bytes()
    site.stop()
    offline = cd.load("munitions", version=VERSION, format="polars")
    assert offline.equals(cd.load("munitions", path=built, format="polars"))
    assert cd.load("casualty_reports", version=VERSION).equals(cd.load("casualty_reports", path=built))


def test_a_tampered_file_is_refused_with_both_hashes_and_never_cached(site):
    expected = sha256(site.served / "munitions.parquet")
    with open(site.served / "munitions.parquet", "ab") as f:
        f.write(b"\x00tampered")
    actual = sha256(site.served / "munitions.parquet")
    with pytest.raises(IntegrityError) as caught:
        cd.load("munitions", version=VERSION)
    message = str(caught.value)
    assert "munitions.parquet" in message and expected in message and actual in message
    assert "\n" not in message
    assert not (site.cache / "munitions.parquet").exists()
    assert not [p for p in site.cache.iterdir() if p.name.startswith("tmp")]  # pooch's partial download is gone
    with pytest.raises(IntegrityError):  # and it stays refused, whatever was cached before
        cd.load("actors", version=VERSION)


def test_a_file_corrupted_in_the_cache_is_deleted_not_served(site, built):
    cd.load("munitions", version=VERSION)
    cached = site.cache / "munitions.parquet"
    cached.write_bytes(cached.read_bytes()[:-10])
    site.stop()
    with pytest.raises(ReleaseError, match="munitions.parquet of 0.1.0 is not in the cache"):
        cd.load("munitions", version=VERSION)
    assert not cached.exists()


def test_a_file_corrupted_in_the_cache_is_downloaded_again(site, built):
    cd.load("munitions", version=VERSION)
    cached = site.cache / "munitions.parquet"
    cached.write_bytes(b"not parquet")
    assert cd.load("munitions", version=VERSION).equals(cd.load("munitions", path=built))
    assert sha256(cached) == sha256(built / "munitions.parquet")


def test_a_changed_descriptor_is_refused_against_the_registry(site):
    descriptor = json.loads((site.served / "datapackage.json").read_text())
    descriptor["resources"][5]["hash"] = "sha256:" + "0" * 64
    (site.served / "datapackage.json").write_text(json.dumps(descriptor))
    with pytest.raises(IntegrityError, match=r"datapackage.json of conflictdata 0.1.0 .* registry"):
        cd.load("munitions", version=VERSION)
    assert not (site.cache / "datapackage.json").exists()


def test_a_release_without_hashes_is_refused(site, tmp_path, monkeypatch):
    descriptor = json.loads((site.served / "datapackage.json").read_text())
    del descriptor["resources"][0]["hash"]
    (site.served / "datapackage.json").write_text(json.dumps(descriptor))
    registry = register(tmp_path, {VERSION: f"sha256:{sha256(site.served / 'datapackage.json')}"})
    with pytest.raises(IntegrityError, match="'sources' has no 'sha256:' hash"):
        remote.fetch(VERSION, registry=registry)


def test_unknown_and_malformed_versions(site):
    with pytest.raises(UnknownVersionError, match="9.9.9 is not a published version.*published: 0.1.0"):
        cd.load("munitions", version="9.9.9")
    with pytest.raises(ReleaseError, match="not a semantic version"):
        cd.load("munitions", version="../../etc")
    with pytest.raises(ValueError, match="path or version"):
        cd.load("munitions", version=VERSION, path=".")


def test_a_registered_version_missing_on_the_server_is_a_clear_404(site, tmp_path):
    registry = {"0.2.0": "sha256:" + "1" * 64}
    url = r"http://127\.0\.0\.1:\d+/0\.2\.0/datapackage\.json"
    with pytest.raises(ReleaseError, match=rf"cannot download {url}: HTTP 404"):
        remote.fetch("0.2.0", registry=registry)


def test_parameters_override_the_environment(site, built, tmp_path, monkeypatch):
    monkeypatch.setenv("CONFLICTDATA_BASE_URL", "http://127.0.0.1:9/nowhere")
    monkeypatch.delenv("CONFLICTDATA_REGISTRY")
    digest = f"sha256:{sha256(built / 'datapackage.json')}"
    folder = remote.fetch(VERSION, base_url=site.url, cache=tmp_path / "other", registry={VERSION: digest},
                          progressbar=False)
    assert folder == tmp_path / "other" / VERSION
    assert cd.load("places", path=folder).equals(cd.load("places", path=built))


def test_cli_download_verifies_and_copies_the_release(site, built, tmp_path):
    out = tmp_path / "mine"
    r = CliRunner().invoke(cli, ["download", VERSION, "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert f"conflictdata {VERSION}: verified, in {out}" in r.output
    names = {p.name for p in out.iterdir()}
    assert names == {"datapackage.json", *(f"{t}.parquet" for t in cd.tables())}
    assert all((out / n).read_bytes() == (built / n).read_bytes() for n in names)


def test_cli_download_of_a_tampered_release_is_one_line_and_exit_2(site, tmp_path):
    (site.served / "places.parquet").write_bytes(b"PAR1 not really")
    r = CliRunner().invoke(cli, ["download", VERSION, "--out", str(tmp_path / "mine")])
    assert r.exit_code == 2
    assert r.output.count("\n") == 1 and r.output.startswith("error: places.parquet of conflictdata 0.1.0")
    assert "Traceback" not in r.output
    r = CliRunner().invoke(cli, ["download", "7.0.0"])
    assert r.exit_code == 2 and "7.0.0 is not a published version" in r.output


def test_defaults_and_the_bundled_registry(monkeypatch, tmp_path):
    monkeypatch.delenv("CONFLICTDATA_BASE_URL", raising=False)
    monkeypatch.delenv("CONFLICTDATA_REGISTRY", raising=False)
    assert remote.configured_base_url() == remote.DEFAULT_BASE_URL
    monkeypatch.setenv("CONFLICTDATA_BASE_URL", "https://mirror.example/releases/")
    assert remote.configured_base_url() == "https://mirror.example/releases"
    bundled = remote.load_registry()
    assert all(v.startswith("sha256:") for v in bundled.values())
    monkeypatch.delenv("CONFLICTDATA_CACHE", raising=False)
    assert remote.cache_dir().name == "conflictdata"


@pytest.mark.parametrize("content, message", [
    ("not json", "cannot read the registry"),
    ('{"1.0.0": "sha256:00"}', "must be an object with a 'versions' object"),
    ('{"versions": {"1.0.0": "md5:abc"}}', "must be a version and 'sha256:<64 hex>'"),
    ('{"versions": {"latest": "sha256:' + "0" * 64 + '"}}', "must be a version"),
])
def test_a_broken_registry_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "registry.json"
    path.write_text(content)
    with pytest.raises(ReleaseError, match=message):
        remote.load_registry(path)


def test_pooch_reports_a_download_to_the_project_display(site, tmp_path):
    # pooch's own downloader drives a feedback Task through the adapter, shown by a real rich display
    import io

    import pooch
    from rich.console import Console
    from rich.progress import Progress

    from conflictdata.feedback import Task

    progress = Progress(console=Console(file=io.StringIO()))
    step = Task(progress, progress.add_task("download munitions.parquet", total=None))
    downloader = pooch.HTTPDownloader(progressbar=remote._Bar(step), chunk_size=1000)
    downloader(f"{site.url}/{VERSION}/munitions.parquet", str(tmp_path / "m.parquet"), None)
    size = (site.served / "munitions.parquet").stat().st_size
    assert (progress.tasks[0].total, progress.tasks[0].completed) == (size, size)
    assert sha256(tmp_path / "m.parquet") == sha256(site.served / "munitions.parquet")


def test_a_library_call_asking_for_progress_gets_it_and_the_same_files(site, built, capfd):
    folder = remote.fetch(VERSION, progressbar=True)
    assert sha256(folder / "munitions.parquet") == sha256(built / "munitions.parquet")
    assert capfd.readouterr().out == ""  # the display is on stderr, never in the output
