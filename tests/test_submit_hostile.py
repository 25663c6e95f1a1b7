"""Hostile submission runs: planted merge journals, FIFOs and other non-files, colliding files,
odd encodings, bombs and symlinks. Each is one clear line (an error or a fault naming the file
and line), a non-zero exit, and never a traceback, a hang or a moved file."""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conflictdata.cli import cli
from conflictdata.errors import MergeError
from conflictdata.package import MERGE_JOURNAL
from conflictdata.submission import write
from conflictdata.submission.write import JOURNAL, STATE_ENV, TMP_SUFFIX, prepare, recover
from conflictdata.submit import add, check

from .conftest import ROOT, copy_package
from .test_submit import CLI, EVENT_SUBMISSION, FICTIONAL, fictional, snapshot

# A fault line of `conflictdata add`'s text output: file, optional line, severity, code.
FAULT_LINE = re.compile(r"^(?P<path>.+?)(?::(?P<line>\d+))?: (?P<severity>error|warning) (?P<code>[a-z0-9-]+)\b")
# Nothing a test runs in a subprocess may take this long; it only keeps a hang from hanging the suite.
HANG_GUARD = 120



def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def run_process(*args, cwd=None) -> subprocess.CompletedProcess:
    """The real command in its own process, so a hang is a failed test, not a stuck suite."""
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=HANG_GUARD, cwd=cwd)


def tables_of(pkg: Path) -> list[str]:
    return [f"data/{name}" for name in snapshot(pkg)]


def merged_texts(pkg: Path, tmp_path: Path) -> dict[str, str]:
    """The tables a merge of FICTIONAL into ``pkg`` writes, in the order :func:`add` writes them."""
    ref = copy_package(tmp_path / "ref")
    assert add([FICTIONAL], into=ref).written
    order = ["data/actors.csv", "data/places.csv", "data/munition_types.csv", "data/sources.csv",
             "data/updates.csv", "data/munitions.csv", "data/casualty_reports.csv"]
    return {rel: (ref / rel).read_text("utf-8") for rel in order
            if (ref / rel).read_bytes() != (pkg / rel).read_bytes()}


def records(state: Path) -> list[Path]:
    return sorted(state.rglob("*.json"))


def one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith("error: ") and "Traceback" not in output and "internal error" not in output
    return lines[0]


# --- 1. a merge journal that came with the data is never replayed ------------------------------------


def plant(pkg: Path, journal: dict | None = None) -> tuple[Path, Path]:
    """A journal and a staged file that would put a smuggled row into sources.csv."""
    tmp = pkg / "data" / f".sources.csv.0badc0de{TMP_SUFFIX}"
    tmp.write_bytes((pkg / "data" / "sources.csv").read_bytes() + b"smuggled,Planted,Never reviewed,,article,,,en,\n")
    body = journal if journal is not None else {"renames": [[tmp.relative_to(pkg).as_posix(), "data/sources.csv"]]}
    (pkg / JOURNAL).write_text(json.dumps(body))
    return pkg / JOURNAL, tmp


@pytest.mark.parametrize("kind", ["old-format", "guessed-token", "garbage", "folder", "fifo"])
def test_a_planted_journal_is_refused_and_nothing_moves(pkg, kind):
    rel = f"data/.sources.csv.0badc0de{TMP_SUFFIX}"
    if kind == "old-format":  # what every earlier version wrote and replayed
        journal, tmp = plant(pkg)
    elif kind == "guessed-token":
        journal, tmp = plant(pkg, {"token": secrets.token_hex(16), "renames": [[rel, "data/sources.csv"]]})
    else:
        journal, tmp = plant(pkg)
        journal.unlink()
        if kind == "garbage":
            journal.write_bytes(b"\xff\x00{not json")
        elif kind == "folder":
            journal.mkdir()
        else:
            os.mkfifo(journal)
    before, planted = snapshot(pkg), tmp.read_bytes()
    r = run_process("add", FICTIONAL, "--into", pkg)
    assert r.returncode == 2, r.stdout + r.stderr
    line = one_error_line(r.stderr)
    assert MERGE_JOURNAL in line and "not replayed" in line and "delete it" in line
    assert snapshot(pkg) == before and tmp.read_bytes() == planted  # nothing renamed, nothing deleted
    r = run_process("add", FICTIONAL, "--into", pkg, "--dry-run")  # what the pull-request workflow runs
    assert r.returncode == 2 and "not replayed" in one_error_line(r.stderr)
    with pytest.raises(MergeError, match="not replayed"):
        recover(pkg, tables_of(pkg))
    assert snapshot(pkg) == before


def test_a_decided_merge_copied_to_another_folder_is_not_replayed_there(tmp_path):
    first = copy_package(tmp_path / "first")
    texts = merged_texts(first, tmp_path)
    prepare(first, texts)  # decided on this machine, for `first`, then interrupted
    second = tmp_path / "second"
    shutil.copytree(first, second)
    before = snapshot(second)
    with pytest.raises(MergeError, match="another folder"):
        recover(second, tables_of(second))
    assert snapshot(second) == before
    assert recover(first, tables_of(first)) == list(texts)  # the folder it was decided for finishes it
    assert {f"data/{n}": d.decode() for n, d in snapshot(first).items() if f"data/{n}" in texts} == texts


def test_the_journal_must_match_its_record(pkg, tmp_path, state):
    staged = prepare(pkg, merged_texts(pkg, tmp_path))
    journal = json.loads((pkg / JOURNAL).read_text())
    journal["renames"][0][1] = "datapackage.json"  # same token, another target
    (pkg / JOURNAL).write_text(json.dumps(journal))
    before = snapshot(pkg)
    with pytest.raises(MergeError, match="does not match"):
        recover(pkg, tables_of(pkg))
    assert snapshot(pkg) == before and staged.record.exists()


def _edited(pkg, tmp, outside):
    with open(pkg / tmp, "a", encoding="utf-8") as f:
        f.write("smuggled,Planted,Never reviewed,,article,,,en,\n")


def _symlink(pkg, tmp, outside):
    outside.write_bytes((pkg / tmp).read_bytes())  # the very bytes the merge wrote, but outside the package
    (pkg / tmp).unlink()
    (pkg / tmp).symlink_to(outside)


def _fifo(pkg, tmp, outside):
    (pkg / tmp).unlink()
    os.mkfifo(pkg / tmp)


def _gone(pkg, tmp, outside):
    (pkg / tmp).unlink()  # as if renamed already, but the table does not hold what the merge wrote


@pytest.mark.parametrize("tamper, message", [(_edited, "sha256"), (_symlink, "not a regular file"),
                                             (_fifo, "not a regular file"), (_gone, "neither")],
                         ids=["edited", "symlink", "fifo", "gone"])
def test_a_staged_file_changed_after_the_merge_decided_is_refused(pkg, tmp_path, tamper, message):
    staged = prepare(pkg, merged_texts(pkg, tmp_path))
    tamper(pkg, staged.renames[-1][0], tmp_path / "outside.csv")
    before = snapshot(pkg)
    with pytest.raises(MergeError, match=message) as caught:
        recover(pkg, tables_of(pkg))
    assert "\n" not in str(caught.value) and "restore the tables from git" in str(caught.value)
    assert snapshot(pkg) == before  # every file is checked before the first one moves


def test_a_record_that_names_a_file_that_is_not_a_table_is_refused(pkg, tmp_path):
    staged = prepare(pkg, merged_texts(pkg, tmp_path))
    record = json.loads(staged.record.read_text())
    record["renames"][0]["table"] = "datapackage.json"
    staged.record.write_text(json.dumps(record))
    journal = json.loads((pkg / JOURNAL).read_text())
    journal["renames"][0][1] = "datapackage.json"
    (pkg / JOURNAL).write_text(json.dumps(journal))
    before = (pkg / "datapackage.json").read_bytes()
    with pytest.raises(MergeError, match="not one of the package's tables"):
        recover(pkg, tables_of(pkg))
    assert (pkg / "datapackage.json").read_bytes() == before


def test_a_merge_interrupted_on_this_machine_is_finished_and_reported(pkg, tmp_path, state):
    texts = merged_texts(pkg, tmp_path)
    staged = prepare(pkg, texts)
    assert staged.record.parent.is_relative_to(state) and staged.record.exists()
    body = json.loads(staged.record.read_text())
    assert body["root"] == str(pkg.resolve()) and body["token"] == json.loads((pkg / JOURNAL).read_text())["token"]
    for entry in body["renames"]:
        assert entry["sha256"] == hashlib.sha256((pkg / entry["tmp"]).read_bytes()).hexdigest()
    first_tmp, first_table, _ = staged.renames[0]
    os.replace(pkg / first_tmp, pkg / first_table)  # killed after the first rename
    other = tmp_path / "other.yaml"
    other.write_text(fictional("after"))
    r = run("add", other, "--into", pkg)
    assert r.exit_code == 0, r.output
    assert f"finished an interrupted merge first: {', '.join(list(texts)[1:])}" in r.output
    sources = (pkg / "data" / "sources.csv").read_text()
    assert "fictional-example" in sources and "test-gazette-after" in sources
    assert not (pkg / JOURNAL).exists() and records(state) == []
    assert not list(pkg.rglob(f"*{TMP_SUFFIX}"))


def test_a_merge_interrupted_before_it_decided_leaves_nothing_behind(pkg, tmp_path, state):
    prepare(pkg, merged_texts(pkg, tmp_path))
    (pkg / JOURNAL).unlink()  # as if killed before the journal was renamed into place
    before = snapshot(pkg)
    assert recover(pkg, tables_of(pkg)) == []
    assert snapshot(pkg) == before and records(state) == [] and not list(pkg.rglob(f"*{TMP_SUFFIX}"))


def test_a_pending_merge_stops_a_dry_run_with_what_to_do(pkg, tmp_path):
    prepare(pkg, merged_texts(pkg, tmp_path))
    r = run_process("add", FICTIONAL, "--into", pkg, "--dry-run")
    assert r.returncode == 2 and "without --dry-run to finish it first" in one_error_line(r.stderr)


def test_a_finished_merge_leaves_no_record(pkg, state):
    assert run("add", FICTIONAL, "--into", pkg).exit_code == 0
    assert records(state) == [] and not (pkg / JOURNAL).exists()


def test_an_unwritable_state_folder_is_one_line_and_nothing_changes(pkg, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the state folder would go")
    monkeypatch.setenv(STATE_ENV, str(blocker / "state"))
    before = snapshot(pkg)
    r = run_process("add", FICTIONAL, "--into", pkg)
    assert r.returncode == 2 and STATE_ENV in one_error_line(r.stderr)
    assert snapshot(pkg) == before and not (pkg / JOURNAL).exists() and not list(pkg.rglob(f"*{TMP_SUFFIX}"))


def test_the_state_folder_follows_xdg_and_the_override(monkeypatch, tmp_path):
    monkeypatch.delenv(STATE_ENV)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert write.state_dir() == tmp_path / "xdg" / "conflictdata"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert write.state_dir() == tmp_path / "home" / ".local" / "state" / "conflictdata"
    monkeypatch.setenv(STATE_ENV, str(tmp_path / "mine"))
    assert write.state_dir() == tmp_path / "mine"


def test_the_journal_and_its_temporary_file_are_ignored_by_git():
    assert write.JOURNAL == MERGE_JOURNAL  # one name, one place
    names = [MERGE_JOURNAL, MERGE_JOURNAL + TMP_SUFFIX, f"data/.sources.csv.0badc0de{TMP_SUFFIX}", write.LOCK]
    r = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "--no-index", *names], capture_output=True, text=True)
    assert r.stdout.split() == names, r.stdout + r.stderr


# --- 2. FIFOs, sockets, devices and folders never hang ----------------------------------------------


def _make(kind: str, path: Path):
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        return sock
    return None


@pytest.mark.parametrize("kind, shown", [("fifo", "a FIFO (named pipe)"), ("folder", "a folder"),
                                         ("socket", "a socket"), ("device", "a character device")])
def test_a_submission_that_is_not_a_regular_file_is_one_fault(pkg, tmp_path, kind, shown):
    path = Path("/dev/null") if kind == "device" else tmp_path / f"{kind}.yaml"
    sock = _make(kind, path)
    try:
        for extra in ([], ["--dry-run"]):
            r = run_process("add", path, "--into", pkg, *extra)
            assert r.returncode == 2, r.stdout + r.stderr
            assert r.stdout.splitlines()[0] == (f"{path}: error file-unreadable: {path} is {shown}, not a regular "
                                                "file; replace it with the file itself")
            assert "Traceback" not in r.stderr and r.stderr == ""
    finally:
        if sock is not None:
            sock.close()


def test_a_table_that_is_a_fifo_never_hangs_add_or_new_submission(pkg):
    (pkg / "data" / "sources.csv").unlink()
    os.mkfifo(pkg / "data" / "sources.csv")
    r = run_process("add", FICTIONAL, "--into", pkg, "--dry-run")
    assert r.returncode == 2
    assert one_error_line(r.stderr) == ("error: data/sources.csv is a FIFO (named pipe), not a regular file; "
                                        "replace it with the file itself")
    r = run_process("new-submission", "--url", "https://example.org/new", cwd=pkg)
    assert r.returncode == 2 and "data/sources.csv is a FIFO" in one_error_line(r.stderr)


# --- 3. colliding files: the fault is on the file that brought the second row -------------------------


def test_a_url_two_files_share_is_reported_on_the_later_file(pkg, tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(fictional("zz"))  # its source_id sorts after b's, so b's row lands first in sources.csv
    b.write_text(fictional("bb").replace("example.org/test/bb", "example.org/test/zz"))
    result = check([a, b], into=pkg)
    assert result.files[0].valid and result.files[0].report.faults == []
    faults = result.files[1].report.faults
    assert faults and {f.path for f in faults} == {str(b)}, [(f.path, f.row, f.code) for f in faults]
    url = next(f for f in faults if f.code == "duplicate-source")
    assert url.row == 4 and f"an earlier file of this run ({a} line 2" in url.message


def test_a_claim_repeated_by_a_later_file_is_reported_on_that_file(pkg, tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(fictional("zz"))
    # b files its claim under a's update (a taken id) and repeats a's claim with an id that sorts
    # first, so the validator meets b's row before a's and flags a's row as the repeat.
    text = """\
source:
  publisher: Another
  title: Another report
  url: https://example.org/test/another
  kind: article
  published_date: 2024-02-01
updates:
  - update_id: test-gazette-zz-2024-02-01-test-headline-zz
    headline: Test headline zz
    summary: Synthetic test data, never merged into data/.
    munitions:
      - claimant_id: testland-zz
        munition_type_id: drone-type-not-stated
        target_place_id: testville-zz
        target_place_precision: within
        scope: whole
        launched: 3
        certainty: asserted
        claim_id: aaa-first-in-key-order
        quote: three test drones zz
"""
    b.write_text(text)
    result = check([a, b], into=pkg)
    assert result.files[0].valid and result.files[0].report.faults == []
    faults = result.files[1].report.faults
    shown = [(f.path, f.row, f.code) for f in faults]
    assert faults and {f.path for f in faults} == {str(b)}, shown
    assert ("duplicate-id", 8) in {(f.code, f.row) for f in faults}, shown
    assert {f.code for f in faults} <= {"duplicate-id", "claim-in-package", "duplicate-claim"}, shown
    for f in faults:
        assert f"{a} line" in f.message, f.message  # and each names the row of a it collides with


# --- 4. hostile content: encodings, bombs, escapes, symlinks --------------------------------------


def _faults(output: str) -> list[re.Match]:
    found = [FAULT_LINE.match(line) for line in output.splitlines()]
    return [m for m in found if m]


@pytest.mark.parametrize("encode", [lambda t: t.replace("\n", "\r\n"), lambda t: t.replace("\n", "\r"),
                                    lambda t: "\ufeff" + t], ids=["crlf", "cr-only", "utf-8-bom"])
def test_crlf_cr_only_and_bom_files_merge_like_plain_ones(tmp_path, encode):
    plain, odd = copy_package(tmp_path / "plain"), copy_package(tmp_path / "odd")
    good, bad = fictional("le"), fictional("le", launched=-1)
    (tmp_path / "plain.yaml").write_text(good, newline="")
    (tmp_path / "odd.yaml").write_text(encode(good), newline="")
    (tmp_path / "bad.yaml").write_text(encode(bad), newline="")
    r = run("add", tmp_path / "bad.yaml", "--into", odd)
    assert r.exit_code == 1
    assert r.output.startswith(f"{tmp_path / 'bad.yaml'}:20: error constraint-minimum "
                               "[updates[0].munitions[0].launched]"), r.output
    assert run("add", tmp_path / "plain.yaml", "--into", plain).exit_code == 0
    assert run("add", tmp_path / "odd.yaml", "--into", odd).exit_code == 0
    assert snapshot(odd) == snapshot(plain)  # no \r, no BOM in the data


@pytest.mark.parametrize("data, line, code, text", [
    ("utf-16", 1, "encoding-error", "UTF-16"),
    ("utf-16-le", 1, "encoding-error", "NUL byte"),
    ("utf-32", 1, "encoding-error", "UTF-16 or UTF-32"),
], ids=["utf-16-bom", "utf-16-without-bom", "utf-32"])
def test_wide_encodings_are_named(tmp_path, pkg, data, line, code, text):
    path = tmp_path / "wide.yaml"
    path.write_bytes(fictional("w").encode(data))
    r = run("add", path, "--into", pkg, "--dry-run")
    assert r.exit_code == 2
    first = r.output.splitlines()[0]
    assert first.startswith(f"{path}:{line}: error {code}: ") and text in first and "save it as UTF-8" in first


def test_deep_nesting_is_refused_at_its_line(tmp_path, pkg):
    path = tmp_path / "deep.yaml"
    path.write_text("source:\n  publisher: x\nupdates:\n  - summary: " + "[" * 100_000 + "]" * 100_000 + "\n")
    r = run("add", path, "--into", pkg, "--dry-run")
    assert r.exit_code == 2
    assert r.output.splitlines()[0].startswith(f"{path}:4: error yaml-syntax: the YAML is nested more than"), r.output


def test_a_huge_number_is_one_short_line(tmp_path, pkg):
    path = tmp_path / "big.yaml"
    path.write_text(fictional("n").replace("launched: 3", "launched: " + "9" * 50_000))
    r = run("add", path, "--into", pkg, "--dry-run")
    assert r.exit_code == 1
    found = [line for line in r.output.splitlines() if FAULT_LINE.match(line)]
    assert [m.group("code") for m in map(FAULT_LINE.match, found)] == ["type-error"]
    assert found[0].startswith(f"{path}:20: ") and len(found[0]) < 300, found[0][:400]


def test_lone_surrogate_escapes_are_faults_not_crashes(tmp_path, pkg):
    path = tmp_path / "surrogate.yaml"
    path.write_text(fictional("s").replace("summary: Synthetic test data, never merged into data/.",
                                           'summary: "half a character: \\ud83d"\n    "\\udc00key": 1'))
    r = run_process("add", path, "--into", pkg)
    assert r.returncode == 1 and "internal error" not in r.stderr, r.stdout + r.stderr  # read, but two bad values
    codes = [(int(m.group("line")), m.group("code")) for m in _faults(r.stdout)]
    assert codes == [(15, "encoding-error"), (16, "encoding-error")], r.stdout


@pytest.mark.parametrize("text", ["null\n", "---\n...\n", "~\n", "# only a comment\n"])
def test_a_document_without_a_submission_is_a_fault(tmp_path, pkg, text):
    path = tmp_path / "nothing.yaml"
    path.write_text(text)
    r = run("add", path, "--into", pkg, "--dry-run")
    assert r.exit_code == 1 and "valid" not in r.output.replace("INVALID", "")
    assert re.match(rf"{re.escape(str(path))}:\d+: error empty-file: ", r.output), r.output


def test_each_missing_key_is_said_once(tmp_path, pkg):
    path = tmp_path / "keys.yaml"
    path.write_text("? [a, b]\n: 1\n")
    r = run("add", path, "--into", pkg, "--dry-run")
    lines = [line for line in r.output.splitlines() if FAULT_LINE.match(line)]
    assert len(lines) == len(set(lines)) == 3, r.output  # the key, then source and updates once each


def test_a_duplicate_key_deep_in_the_file_names_both_lines(tmp_path, pkg):
    path = tmp_path / "dup.yaml"
    path.write_text(fictional("d").replace("        launched: 3\n", "        launched: 3\n        launched: 4\n"))
    r = run("add", path, "--into", pkg, "--dry-run")
    assert r.exit_code == 1
    assert r.output.startswith(f"{path}:21: error duplicate-key: the key 'launched' appears twice in this mapping "
                               "(first on line 20)"), r.output


@pytest.fixture
def checkout(tmp_path, monkeypatch) -> Path:
    """A contributor's checkout (the current folder) next to a secret that is not in it."""
    repo = tmp_path / "repo"
    (repo / "submissions").mkdir(parents=True)
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "token.yaml").write_text("password: hunter2-do-not-print\n")
    monkeypatch.chdir(repo)
    return repo


def test_a_submission_that_is_a_symlink_out_of_the_checkout_is_refused_unread(checkout, pkg, tmp_path):
    link = Path("submissions") / "x.yaml"
    link.symlink_to(tmp_path / "secret" / "token.yaml")
    Path("submissions-dir").symlink_to(tmp_path / "secret")
    for path in (link, Path("submissions-dir") / "token.yaml"):
        r = run("add", path, "--into", pkg, "--dry-run")
        assert r.exit_code == 2, r.output
        assert r.output.splitlines()[0].startswith(f"{path}: error file-unreadable: {path} leads outside"), r.output
        assert "hunter2" not in r.output and "password" not in r.output
        assert "hunter2" not in json.dumps(check([path], into=pkg).to_dict())


def test_a_symlink_that_stays_in_the_checkout_is_read(checkout, pkg):
    Path("examples").mkdir()
    Path("examples/good.yaml").write_text(fictional("in"))
    Path("submissions/good.yaml").symlink_to(Path("../examples/good.yaml"))
    r = run("add", "submissions/good.yaml", "--into", pkg, "--dry-run")
    assert r.exit_code == 0, r.output


def test_every_hostile_file_in_one_run_gives_faults_never_an_internal_error(tmp_path, pkg):
    """All of the above at once, through the real entry point (which would print 'internal error')."""
    base = fictional("all")
    files = {
        "surrogate.yaml": base.replace("summary: Synthetic", 'summary: "\\ud800 Synthetic').replace(
            "data/.", 'data/."').encode(),
        "nul-escape.yaml": base.replace("summary: Synthetic", 'summary: "\\0 Synthetic').replace(
            "data/.", 'data/."').encode(),
        "cr.yaml": base.replace("\n", "\r").encode(),
        "utf16.yaml": base.encode("utf-16"),
        "deep.yaml": b"source: " + b"[" * 5000 + b"]" * 5000 + b"\n",
        "null.yaml": b"null\n",
        "huge.yaml": b"a: 1\n" * (300 * 1024),
        "tags.yaml": base.replace("launched: 3", "launched: !!python/object:os.system 3").encode(),
        "control.yaml": b"source:\n  publisher: \x1b[31mred\n",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    os.mkfifo(tmp_path / "fifo.yaml")
    paths = [tmp_path / name for name in (*files, "fifo.yaml")]
    r = run_process("add", *paths, "--into", pkg)
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr == "" and "Traceback" not in r.stdout
    named = {Path(m.group("path")).name for m in _faults(r.stdout)}
    assert named == {p.name for p in paths} - {"cr.yaml"}, r.stdout  # the CR-only file is valid
    assert f"nothing written: {len(paths) - 1} of {len(paths)} file(s) have faults" in r.stdout


def test_a_flood_of_faults_is_a_short_report(tmp_path, pkg):
    path = tmp_path / "flood.yaml"
    path.write_text("source:\n  publisher: P\n  title: T\n  kind: article\nupdates:\n  - summary: s\n"
                    + "".join(f"key{i}: 1\n" for i in range(5000)))
    r = run("add", path, "--into", pkg, "--dry-run")
    assert r.exit_code == 1
    faults = [line for line in r.output.splitlines() if FAULT_LINE.match(line)]
    assert len(faults) == 100 and faults[0].startswith(f"{path}:7: error unknown-key [key0]: unknown key 'key0'")
    assert f"{path}: ... and 4900 more" in r.output
    assert check([path], into=pkg).to_dict()["files"][0]["omitted"] == 4900


# --- every submission code fires somewhere (the catalogue fails a run on one that never does) ---------


def test_a_tag_is_a_fault_at_its_line(tmp_path, pkg):
    path = tmp_path / "tag.yaml"
    path.write_text(fictional("t").replace("summary: Synthetic", "summary: !!binary U3ludGhldGlj"))
    r = run("add", path, "--into", pkg, "--dry-run")
    assert r.exit_code == 1
    assert r.output.startswith(f"{path}:15: error yaml-tag [updates[0].summary]: the tag tag:yaml.org,2002:binary "
                               "is not supported"), r.output


def test_a_name_without_latin_letters_needs_its_id_written(tmp_path, pkg):
    path = tmp_path / "cyrillic.yaml"
    path.write_text(fictional("c").replace("  - name: Testville c\n", "  - name: Київ\n"))
    r = run("add", path, "--into", pkg, "--dry-run")
    assert r.exit_code == 1
    assert r.output.startswith(f"{path}:11: error id-not-derivable [places[0]]: no place_id can be derived from the "
                               "name 'Київ' (no Latin letters or digits); write place_id"), r.output


def test_a_key_of_several_fields_is_never_derived(tmp_path, pkg):
    schema = pkg / "schemas" / "places.json"
    body = json.loads(schema.read_text())
    body["primaryKey"] = ["place_id", "kind"]  # a package whose places are keyed by two fields
    schema.write_text(json.dumps(body))
    path = tmp_path / "two.yaml"
    path.write_text(fictional("k"))
    r = run("add", path, "--into", pkg, "--dry-run")
    assert r.exit_code == 1
    assert r.output.startswith(f"{path}:11: error id-required [places[0]]: write place_id: ids made of several "
                               "fields are not derived"), r.output


def test_any_other_json_schema_fault_is_still_one_line():
    """The fallback for a JSON Schema keyword the generated schema does not use today (``const``)."""
    from jsonschema import Draft202012Validator

    from conflictdata.package import locate
    from conflictdata.submission.layout import build_layout
    from conflictdata.submission.parse import parse_text
    from conflictdata.submission.rows import _describe

    parsed = parse_text("source:\n  kind: blog\n")
    error = next(Draft202012Validator({"properties": {"source": {"properties": {"kind": {"const": "article"}}}}})
                 .iter_errors(parsed.value))
    _describe(error, parsed, build_layout(locate()), set())
    [fault] = parsed.faults
    assert (fault.code, fault.row, fault.field) == ("schema", 2, "source.kind")
    assert fault.message == "kind: 'article' was expected"


def test_an_event_already_in_the_package_is_referred_to_not_declared_again(pkg, tmp_path):
    """An event's id or name the package holds: the id is refused, the name warned about, both at the line."""
    taken = tmp_path / "taken-id.yaml"
    existing = "2024-10-08-drone-attack-on-chornomorsk"
    taken.write_text(EVENT_SUBMISSION.replace("  - name: Drone attack on Testville ev\n",
                                              f"  - event_id: {existing}\n    name: Drone attack on Testville ev\n")
                     .replace("event_id: drone-attack-on-testville-ev", f"event_id: {existing}"))
    r = run("add", taken, "--into", pkg, "--dry-run")
    assert r.exit_code == 1
    assert r.output.startswith(f"{taken}:14: error duplicate-id [events[0].event_id]: event_id "
                               "'2024-10-08-drone-attack-on-chornomorsk' is already in the package (data/events.csv "
                               "line 3); refer to it by id"), r.output
    named = tmp_path / "taken-name.yaml"
    named.write_text(EVENT_SUBMISSION.replace("Drone attack on Testville ev", "Drone attack on Chornomorsk")
                     .replace("drone-attack-on-testville-ev", "drone-attack-on-chornomorsk"))
    r = run("add", named, "--into", pkg, "--dry-run")
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"{named}:14: warning duplicate-name [events[0].name]: 'Drone attack on Chornomorsk' "
                               "is already in events as '2024-10-08-drone-attack-on-chornomorsk'"), r.output
