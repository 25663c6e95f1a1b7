"""The one atomic-write helper: a failed or killed write leaves the old file, permissions, odd targets."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conflictdata import atomic
from conflictdata.atomic import atomic_file, file_mode, staged_folder, write_bytes, write_new, write_text
from conflictdata.docs import write as write_docs
from conflictdata.files import NotRegularFileError

posix_only = pytest.mark.skipif(os.name != "posix", reason="modes, FIFOs and signals are POSIX")


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


def test_write_replaces_the_file_and_leaves_nothing_beside_it(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old\n")
    assert write_text(target, "new\nКиїв\n") == target
    assert target.read_bytes() == "new\nКиїв\n".encode()
    assert names(tmp_path) == ["a.txt"]


def test_a_folder_that_is_missing_is_created(tmp_path):
    write_bytes(tmp_path / "x" / "y" / "b.bin", b"\x00")
    assert (tmp_path / "x" / "y" / "b.bin").read_bytes() == b"\x00"


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failing_rename_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch, error):
    target = tmp_path / "a.txt"
    target.write_text("old\n")

    def fail(*args):
        raise error

    monkeypatch.setattr(atomic.os, "replace", fail)
    with pytest.raises(type(error)):
        write_text(target, "new\n")
    assert target.read_text() == "old\n"
    assert names(tmp_path) == ["a.txt"]


def test_a_library_failing_inside_atomic_file_leaves_the_old_file(tmp_path):
    target = tmp_path / "db.sqlite"
    target.write_bytes(b"old")
    with pytest.raises(sqlite3.OperationalError):
        with atomic_file(target) as tmp:
            con = sqlite3.connect(tmp)
            try:
                con.execute("CREATE TABLE t (x)")
                con.execute("INSERT INTO nowhere VALUES (1)")
            finally:
                con.close()
    assert target.read_bytes() == b"old"
    assert names(tmp_path) == ["db.sqlite"]


def test_atomic_file_gives_a_path_that_does_not_exist_yet(tmp_path):
    # DuckDB refuses an existing empty file, so the path must be free for the library to create
    with atomic_file(tmp_path / "out.duckdb") as tmp:
        assert not tmp.exists() and tmp.parent.parent == tmp_path
        tmp.write_bytes(b"db")
    assert names(tmp_path) == ["out.duckdb"]


@posix_only
def test_a_killed_write_leaves_the_old_file(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old\n")
    ready = tmp_path / "ready"
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from conflictdata.atomic import atomic_file\n"
        "with atomic_file(sys.argv[1]) as tmp:\n"
        "    tmp.write_text('half')\n"
        "    Path(sys.argv[2]).touch()\n"
        "    time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(target), str(ready)])
    try:
        deadline = time.monotonic() + 30
        while not ready.exists():
            assert proc.poll() is None and time.monotonic() < deadline, "the writer did not start"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert target.read_text() == "old\n"
    # what a SIGKILL leaves can only be hidden, beside the target, never in its place
    assert all(n.startswith(".a.txt.") for n in names(tmp_path) if n not in ("a.txt", "ready"))


@posix_only
def test_a_new_file_gets_the_mode_an_ordinary_file_gets_under_the_umask(tmp_path, umask_027):
    write_text(tmp_path / "new.md", "x")
    with atomic_file(tmp_path / "new.sqlite") as tmp:
        sqlite3.connect(tmp).close()  # sqlite creates its files 0o644 whatever the umask says
        tmp.touch()
    assert (tmp_path / "new.md").stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "new.sqlite").stat().st_mode & 0o777 == 0o640


@posix_only
def test_rewriting_a_file_keeps_its_mode_and_an_explicit_mode_wins(tmp_path, umask_027):
    target = tmp_path / "a.txt"
    target.write_text("old")
    target.chmod(0o604)
    write_text(target, "new")
    assert target.stat().st_mode & 0o777 == 0o604
    write_text(target, "newer", mode=0o664)  # the umask does not cut an explicit mode
    assert target.stat().st_mode & 0o777 == 0o664
    assert file_mode(target) == 0o664


@posix_only
@pytest.mark.parametrize("writer", [lambda p: write_text(p, "x"), lambda p: write_docs("x", p),
                                    lambda p: atomic_file(p).__enter__()])
def test_a_fifo_at_the_target_is_refused_in_one_line(tmp_path, writer):
    fifo = tmp_path / "t.csv"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFileError) as caught:
        writer(fifo)
    message = str(caught.value)
    assert "\n" not in message and "FIFO" in message and str(fifo) in message
    assert fifo.is_fifo()  # never replaced
    assert names(tmp_path) == ["t.csv"]


def test_a_folder_at_the_target_is_refused_in_one_line(tmp_path):
    (tmp_path / "t.csv").mkdir()
    (tmp_path / "t.csv" / "keep").write_text("k")
    with pytest.raises(NotRegularFileError, match=r"is a folder, not a regular file; nothing was written$"):
        write_text(tmp_path / "t.csv", "x")
    assert (tmp_path / "t.csv" / "keep").read_text() == "k"
    assert names(tmp_path) == ["t.csv"]


def test_write_new_never_writes_through_an_existing_name(tmp_path):
    target = tmp_path / "t"
    target.write_text("theirs")
    with pytest.raises(FileExistsError):
        write_new(target, b"mine")
    assert target.read_text() == "theirs"


def old_package(tmp_path: Path) -> Path:
    out = tmp_path / "pkg"
    out.mkdir()
    (out / "old.csv").write_text("old")
    return out


def assert_untouched(out: Path) -> None:
    assert names(out) == ["old.csv"] and (out / "old.csv").read_text() == "old"
    assert names(out.parent) == ["pkg"]  # nothing staged or moved aside is left


def test_a_staged_folder_replaces_the_old_one_whole(tmp_path):
    out = old_package(tmp_path)
    with staged_folder(out) as stage:
        (stage / "new.csv").write_text("new")
        assert names(out) == ["old.csv"]  # nothing changes before the block ends
    assert names(out) == ["new.csv"]
    assert names(tmp_path) == ["pkg"]


def test_a_failing_staged_folder_leaves_the_old_one_and_nothing_beside_it(tmp_path):
    out = old_package(tmp_path)
    with pytest.raises(RuntimeError):
        with staged_folder(out) as stage:
            (stage / "new.csv").write_text("new")
            raise RuntimeError("half way")
    assert_untouched(out)


def test_a_failing_swap_puts_the_old_folder_back(tmp_path, monkeypatch):
    out = old_package(tmp_path)
    real = os.replace

    def replace(src, dst):
        if Path(src).name.endswith(".tmp"):  # the staged folder going in
            raise OSError(5, "Input/output error")
        real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(OSError):
        with staged_folder(out) as stage:
            (stage / "new.csv").write_text("new")
    assert_untouched(out)


def test_a_merged_staged_folder_leaves_other_files_alone(tmp_path):
    out = tmp_path / "release"
    out.mkdir()
    (out / "a.csv").write_text("old")
    (out / "notes.txt").write_text("mine")
    with staged_folder(out, merge=True) as stage:
        (stage / "a.csv").write_text("new")
    assert (out / "a.csv").read_text() == "new" and (out / "notes.txt").read_text() == "mine"
    assert names(tmp_path) == ["release"]


@posix_only
def test_a_staged_folder_gets_the_mode_asked_for_or_the_umask_s(tmp_path, umask_027):
    with staged_folder(tmp_path / "shared", 0o755):
        pass
    with staged_folder(tmp_path / "ordinary"):
        pass
    assert (tmp_path / "shared").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "ordinary").stat().st_mode & 0o777 == 0o750
