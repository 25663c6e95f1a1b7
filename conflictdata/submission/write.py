"""Write several tables as one change: all of them or none, even if the process is killed.

A rename is atomic for one file, not for seven. So a merge

1. writes each new table to a temporary file next to it and fsyncs it;
2. writes a *journal* naming every (temporary file, table) pair, fsyncs it and renames it
   into place: from this moment the merge is decided;
3. renames the temporary files over the tables, parents before the tables that refer to them
   (so a reader in between sees a valid package), fsyncs the folders;
4. deletes the journal.

Killed before step 2, the package is the old one (the next merge deletes the leftovers);
killed after it, :func:`recover` (run by the next merge, under the lock) finishes the renames
and the package is the new one. A lock file keeps two merges from interleaving; the second
waits up to a timeout, then fails with a clear message.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
from pathlib import Path

from ..errors import MergeError
from ..package import safe_join

LOCK = ".conflictdata.lock"
JOURNAL = ".conflictdata-merge.json"
TMP_SUFFIX = ".conflictdata-tmp"
# Test hook: seconds to sleep after each step of a commit, to widen the window a test kills in.
PAUSE_ENV = "CONFLICTDATA_TEST_MERGE_PAUSE"


@contextlib.contextmanager
def locked(root: Path, timeout: float, *, required: bool = True):
    """Hold the package's merge lock; :class:`MergeError` when another merge keeps it past ``timeout``.

    With ``required=False`` (a dry run) a folder where the lock file cannot be created
    (read-only) is read without the lock.

    Examples
    --------
    >>> with locked(Path("."), timeout=10):  # doctest: +SKIP
    ...     pass
    """
    from filelock import FileLock, Timeout

    lock = FileLock(os.fspath(root / LOCK), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise MergeError(f"another merge into {root} holds {LOCK} and did not finish within {timeout:g} s; "
                         "try again when it is done") from None
    except OSError as exc:
        if required:
            raise MergeError(f"cannot create the lock file {root / LOCK}: {exc.strerror or exc}") from None
        yield
        return
    try:
        yield
    finally:
        lock.release()


def commit(root: Path, texts: dict[str, str]) -> None:
    """Replace the files ``texts`` names (paths relative to ``root``, in this order) all at once.

    Call it holding :func:`locked`. Raises :class:`MergeError` when a file cannot be written; the
    package is then unchanged.
    """
    pause = _pause()
    staged: list[tuple[str, str]] = []
    try:
        for rel, text in texts.items():
            target = safe_join(root, rel, where="table")
            tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}{TMP_SUFFIX}")
            _write(tmp, text.encode("utf-8"), mode=_mode(target))
            staged.append((tmp.relative_to(root).as_posix(), rel))
            pause()
        journal = root / JOURNAL
        _write(journal.with_name(journal.name + TMP_SUFFIX),
               json.dumps({"renames": staged}, indent=1).encode("utf-8"))
        os.replace(journal.with_name(journal.name + TMP_SUFFIX), journal)
        _fsync_dir(root)
    except OSError as exc:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                (root / tmp).unlink()
        raise MergeError(f"cannot write into {root}: {exc.strerror or exc}; nothing was changed") from None
    pause()
    _finish(root, staged, pause)


def recover(root: Path, tables: list[str]) -> list[str]:
    """Finish a merge that was interrupted after it was decided; delete leftovers of one that was not.

    ``tables`` are the package's table paths (relative to ``root``): leftovers are looked for
    next to them. Returns the tables it completed (empty when there was nothing to do). Call
    it holding :func:`locked`.
    """
    journal = root / JOURNAL
    done: list[str] = []
    if journal.exists():
        try:
            staged = [(str(tmp), str(rel)) for tmp, rel in json.loads(journal.read_text("utf-8"))["renames"]]
            for tmp, rel in staged:  # refuse a journal that points outside the package
                safe_join(root, tmp, where=JOURNAL)
                safe_join(root, rel, where=JOURNAL)
        except (ValueError, KeyError, TypeError, OSError) as exc:
            raise MergeError(f"{journal} is damaged ({exc}); restore the tables from git and delete it") from None
        done = [rel for tmp, rel in staged if (root / tmp).exists()]
        _finish(root, staged, lambda: None)
    for leftover in _leftovers(root, tables):
        with contextlib.suppress(OSError):
            leftover.unlink()
    return done


def pending(root: Path) -> bool:
    """True when an interrupted merge waits for :func:`recover`."""
    return (root / JOURNAL).exists()


def _finish(root: Path, staged: list[tuple[str, str]], pause) -> None:
    folders = set()
    for tmp, rel in staged:
        source = root / tmp
        if source.exists():  # renamed already, before an interruption
            os.replace(source, root / rel)
            folders.add((root / rel).parent)
            pause()
    for folder in folders:
        _fsync_dir(folder)
    (root / JOURNAL).unlink(missing_ok=True)
    _fsync_dir(root)


def _leftovers(root: Path, tables: list[str]) -> list[Path]:
    found = []
    for folder in {root, *(safe_join(root, rel, where="table").parent for rel in tables)}:
        found += [p for p in folder.glob(f".*{TMP_SUFFIX}") if p.is_file()]
    return found


def _write(path: Path, data: bytes, mode: int | None = None) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644 if mode is None else mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    if mode is not None:
        os.chmod(path, mode)  # the umask must not change a table's mode (git would see it)


def _mode(path: Path) -> int | None:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return None


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":  # folders cannot be opened for fsync on Windows; renames are durable there
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _pause():
    seconds = float(os.environ.get(PAUSE_ENV) or 0)
    return (lambda: time.sleep(seconds)) if seconds > 0 else (lambda: None)
