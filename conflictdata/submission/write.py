"""Write several tables as one change: all of them or none, even if the process is killed.

A rename is atomic for one file, not for seven. So a merge

1. writes each new table to a temporary file next to it and fsyncs it;
2. writes a *record* of the merge into this machine's state folder (:func:`state_dir`, outside
   the package): a random token, the package's folder, and every (temporary file, table,
   sha256 of the temporary file), fsynced;
3. writes a *journal* holding the token and the (temporary file, table) pairs into the package,
   fsyncs it and renames it into place: from this moment the merge is decided;
4. renames the temporary files over the tables, parents before the tables that refer to them
   (so a reader in between sees a valid package), fsyncs the folders;
5. deletes the journal, then the record.

Killed before step 3, the package is the old one (the next merge deletes the leftovers and
the record); killed after it, :func:`recover` (run by the next merge, under the lock)
finishes the renames and the package is the new one.

The journal is in the package, so it can also arrive *with* the data: committed in a pull
request, copied with the folder, planted. Such a journal is never replayed. :func:`recover`
trusts a journal only when this machine holds the record its token names, for this very
folder, and only after checking every file it would move: each temporary file is a regular
file (not a symlink, FIFO or folder) next to its table, holds the bytes whose sha256 the record
keeps, and its target is one of the package's tables. Anything else is a one-line
:class:`MergeError` that says what to do; nothing is moved or deleted.

A lock file keeps two merges from interleaving; the second waits up to a timeout, then fails
with a clear message.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import stat
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..atomic import file_mode, fsync_folder, write_new
from ..errors import MergeError, UnsafePathError
from ..files import NotRegularFileError, read_regular
from ..package import MERGE_JOURNAL, safe_join

LOCK = ".conflictdata.lock"
JOURNAL = MERGE_JOURNAL
TMP_SUFFIX = ".conflictdata-tmp"
# Where this machine keeps the records of merges in progress; tests point it at a tmp folder.
STATE_ENV = "CONFLICTDATA_STATE_DIR"
RECORDS = "merges"  # the sub-folder of the state folder that holds one record per merge
# Test hook: seconds to sleep after each step of a commit, to widen the window a test kills in.
PAUSE_ENV = "CONFLICTDATA_TEST_MERGE_PAUSE"
_TOKEN = re.compile(r"[0-9a-f]{32}")
_MAX_JOURNAL_BYTES = 1024 * 1024  # a journal names a few tables; anything larger is not one
_NOT_REPLAYED = ("it was not replayed (a journal that came with the data, committed, copied or planted, never is): "
                 "delete it, and restore the tables from git if `git status` shows them changed")


@dataclass(frozen=True)
class Staged:
    """A decided merge: its token, its record on this machine and every (temporary file, table, sha256)."""

    token: str
    record: Path
    renames: list[tuple[str, str, str]]

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return [(tmp, rel) for tmp, rel, _ in self.renames]


def state_dir() -> Path:
    """This machine's folder for the records of merges in progress.

    ``$CONFLICTDATA_STATE_DIR`` when set, else ``$XDG_STATE_HOME/conflictdata``, else
    ``~/.local/state/conflictdata`` (``%LOCALAPPDATA%\\conflictdata\\state`` on Windows).

    Examples
    --------
    >>> state_dir()  # doctest: +SKIP
    PosixPath('/home/me/.local/state/conflictdata')
    """
    override = os.environ.get(STATE_ENV)
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_STATE_HOME")
    if xdg and os.path.isabs(xdg):  # the XDG spec says to ignore a relative path
        return Path(xdg) / "conflictdata"
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "conflictdata" / "state"
    return Path.home() / ".local" / "state" / "conflictdata"


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
    root = Path(root).resolve()
    pause = _pause()
    staged = prepare(root, texts, pause)
    _finish(root, staged.pairs, pause)
    _forget(staged.record)


def prepare(root: Path, texts: dict[str, str], pause=lambda: None) -> Staged:
    """Steps 1 to 3 of a commit: stage every table, record the merge, decide it; rename nothing.

    :func:`commit` goes on to the renames. Alone, this leaves the package as a merge killed
    right after it decided would, for :func:`recover` to finish. Raises :class:`MergeError`
    (and leaves nothing behind) when a file cannot be written.
    """
    root = Path(root).resolve()
    token = secrets.token_hex(16)
    renames: list[tuple[str, str, str]] = []
    record = state_dir() / RECORDS / f"{token}.json"
    journal = root / JOURNAL
    journal_tmp = journal.with_name(journal.name + TMP_SUFFIX)
    placed = written = False
    try:
        for rel, text in texts.items():
            target = safe_join(root, rel, where="table")
            tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}{TMP_SUFFIX}")
            data = text.encode("utf-8")
            write_new(tmp, data, mode=file_mode(target))
            renames.append((tmp.relative_to(root).as_posix(), rel, hashlib.sha256(data).hexdigest()))
            pause()
        try:
            record.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_new(record, json.dumps({"token": token, "root": str(root), "created": time.time(), "renames": [
                {"tmp": tmp, "table": rel, "sha256": sha} for tmp, rel, sha in renames]}, indent=1).encode("utf-8"))
            written = True
            fsync_folder(record.parent)
        except OSError as exc:
            raise MergeError(f"cannot write the record of the merge into {record.parent}: {exc.strerror or exc}; "
                             f"set {STATE_ENV} to a folder you can write to; nothing was changed") from None
        write_new(journal_tmp, json.dumps({"token": token, "renames": [[tmp, rel] for tmp, rel, _ in renames]},
                                          indent=1).encode("utf-8"))
        os.replace(journal_tmp, journal)
        placed = True
        fsync_folder(root)
    except (OSError, MergeError) as exc:
        # Undo in the reverse order: without the journal the merge is undecided, whatever is left.
        for path, done in ((journal, placed), (journal_tmp, True), (record, written)):
            if done:
                with contextlib.suppress(OSError):
                    path.unlink()
        for tmp_name, _, _ in renames:
            with contextlib.suppress(OSError):
                (root / tmp_name).unlink()
        if isinstance(exc, MergeError):
            raise
        raise MergeError(f"cannot write into {root}: {exc.strerror or exc}; nothing was changed") from None
    pause()
    return Staged(token, record, renames)


def recover(root: Path, tables: list[str]) -> list[str]:
    """Finish a merge this machine left unfinished after it was decided; delete leftovers of one that was not.

    ``tables`` are the package's table paths (relative to ``root``): only they may be
    replaced, and leftovers are looked for next to them. Returns the tables it completed
    (empty when there was nothing to do). Raises :class:`MergeError`, moving nothing, for a
    journal this machine did not leave (see the module docstring) or whose files changed
    since. Call it holding :func:`locked`.
    """
    root = Path(root).resolve()
    done: list[str] = []
    if os.path.lexists(root / JOURNAL):
        staged = trusted(root, tables)
        done = [rel for tmp, rel, _ in staged.renames if os.path.lexists(root / tmp)]
        _finish(root, staged.pairs, lambda: None)
        _forget(staged.record)
    for leftover in _leftovers(root, tables):
        with contextlib.suppress(OSError):
            leftover.unlink()
    _forget_stale(root)
    return done


def trusted(root: Path, tables: list[str]) -> Staged:
    """The merge the journal in ``root`` describes, once every check passed; :class:`MergeError` otherwise.

    Checks, in order, and before anything moves: the journal is a small regular file of JSON
    naming a token; this machine holds the record of that token, for this folder, and it
    agrees with the journal; each table is one of ``tables``; each temporary file sits next to
    its table and is a regular file whose sha256 is the recorded one, or is gone because it was
    renamed already and the table holds the recorded bytes.
    """
    root = Path(root).resolve()
    journal = root / JOURNAL
    token, listed = _read_journal(journal)
    record = state_dir() / RECORDS / f"{token}.json"
    try:
        body = json.loads(read_regular(record, str(record), limit=_MAX_JOURNAL_BYTES).decode("utf-8"))
        renames = [(str(e["tmp"]), str(e["table"]), str(e["sha256"])) for e in body["renames"]]
        recorded_root, recorded_token = str(body["root"]), str(body["token"])
    except FileNotFoundError:
        raise MergeError(f"{journal}: no merge on this machine left it (there is no record of it in "
                         f"{record.parent}); {_NOT_REPLAYED}") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise MergeError(f"{journal}: this machine's record of it ({record}) cannot be read ({exc}); "
                         f"{_NOT_REPLAYED}") from None
    if recorded_token != token or recorded_root != str(root):
        raise MergeError(f"{journal}: it was left by a merge into another folder ({recorded_root}); {_NOT_REPLAYED}")
    if listed != [(tmp, rel) for tmp, rel, _ in renames]:
        raise MergeError(_cannot_finish(journal, "the journal does not match this machine's record of the merge"))
    known = set(tables)
    for tmp, rel, sha in renames:
        if rel not in known:
            raise MergeError(_cannot_finish(journal, f"{rel} is not one of the package's tables"))
        try:
            target = safe_join(root, rel, where=JOURNAL)
        except UnsafePathError as exc:
            raise MergeError(_cannot_finish(journal, str(exc))) from None
        # The name prepare() gives, in the table's own folder (a rename there is atomic); read
        # as written, not resolved, so a symlink in its place is seen for what it is.
        staged = PurePosixPath(tmp)
        own_name = re.fullmatch(rf"\.{re.escape(target.name)}\.[0-9a-f]{{8}}{re.escape(TMP_SUFFIX)}", staged.name)
        if staged.parent != PurePosixPath(target.relative_to(root).as_posix()).parent or not own_name:
            raise MergeError(_cannot_finish(journal, f"{tmp} is not a temporary file of {rel}"))
        if os.path.lexists(root / tmp):
            problem = _holds(root / tmp, tmp, sha)
        elif _holds(target, rel, sha) is None:
            problem = None  # renamed already, before the interruption
        else:
            problem = f"neither {tmp} nor {rel} holds what the merge wrote"
        if problem:
            raise MergeError(_cannot_finish(journal, problem))
    return Staged(token, record, renames)


def pending(root: Path) -> bool:
    """True when a journal is in ``root``: an interrupted merge for :func:`recover`, or one it refuses."""
    return os.path.lexists(Path(root) / JOURNAL)


def _read_journal(journal: Path) -> tuple[str, list[tuple[str, str]]]:
    """The token and the (temporary file, table) pairs of a journal; :class:`MergeError` when it has none."""
    try:
        body = json.loads(read_regular(journal, str(journal), limit=_MAX_JOURNAL_BYTES).decode("utf-8"))
    except NotRegularFileError:
        raise MergeError(f"{journal}: it is not a journal (not a regular file); {_NOT_REPLAYED}") from None
    except (OSError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not a journal's JSON"
        raise MergeError(f"{journal}: it cannot be read ({why}); {_NOT_REPLAYED}") from None
    token = body.get("token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise MergeError(f"{journal}: it names no merge of this machine (no token); {_NOT_REPLAYED}")
    try:
        listed = [(str(tmp), str(rel)) for tmp, rel in body["renames"]]
    except (KeyError, TypeError, ValueError):
        listed = []  # then it cannot match the record
    return token, listed


def _holds(path: Path, shown: str, sha: str) -> str | None:
    """None when ``path`` is a regular file (not a symlink) whose sha256 is ``sha``; else the problem."""
    try:
        mode = os.lstat(path).st_mode
    except OSError as exc:
        return f"{shown} cannot be read: {exc.strerror or exc}"
    if not stat.S_ISREG(mode):
        kind = "a symbolic link" if stat.S_ISLNK(mode) else "a FIFO, socket, device or folder"
        return f"{shown} is not a regular file ({kind})"
    try:
        data = read_regular(path, shown)
    except OSError as exc:
        return f"{shown} cannot be read: {exc.strerror or exc}"
    if hashlib.sha256(data).hexdigest() != sha:
        return f"{shown} does not hold what the merge wrote (its sha256 differs from the record)"
    return None


def _cannot_finish(journal: Path, problem: str) -> str:
    return (f"{journal}: the interrupted merge it describes cannot be finished: {problem}; nothing was moved: "
            "delete the journal and restore the tables from git")


def _forget(record: Path) -> None:
    with contextlib.suppress(OSError):
        record.unlink()


def _forget_stale(root: Path) -> None:
    """Delete this folder's records that no journal names any more (a merge killed before or after its journal)."""
    folder = state_dir() / RECORDS
    try:
        candidates = [p for p in folder.iterdir() if _TOKEN.fullmatch(p.stem) and p.suffix == ".json"]
    except OSError:
        return
    for path in candidates:
        try:
            body = json.loads(read_regular(path, str(path), limit=_MAX_JOURNAL_BYTES).decode("utf-8"))
            mine = isinstance(body, dict) and body.get("root") == str(root)
        except (OSError, ValueError):
            continue  # not ours to judge: another merge may be writing it
        if mine:  # under the lock, no merge into this folder is in progress
            _forget(path)


def _finish(root: Path, staged: list[tuple[str, str]], pause) -> None:
    folders = set()
    for tmp, rel in staged:
        source = root / tmp
        if os.path.lexists(source):  # one that is gone was renamed before an interruption
            os.replace(source, root / rel)
            folders.add((root / rel).parent)
            pause()
    for folder in folders:
        fsync_folder(folder)
    (root / JOURNAL).unlink(missing_ok=True)
    fsync_folder(root)


def _leftovers(root: Path, tables: list[str]) -> list[Path]:
    found = []
    for folder in {root, *(safe_join(root, rel, where="table").parent for rel in tables)}:
        found += [p for p in folder.glob(f".*{TMP_SUFFIX}") if p.is_file()]
    return found


def _pause():
    seconds = float(os.environ.get(PAUSE_ENV) or 0)
    return (lambda: time.sleep(seconds)) if seconds > 0 else (lambda: None)
