"""Write a file or a folder all at once or not at all: the one atomic-write helper of the package.

Every writer (the data dictionary, exports, releases, imports, merges) goes through here, so a
reader never sees a half-written file and a killed or failing write leaves the old file as
it was. The recipe is always the same: write beside the target (the same folder, so the same
file system, so the final rename is atomic), flush the bytes to disk, give the new file the
permissions an ordinary file would get, then :func:`os.replace` it over the target. Anything
temporary is removed on any failure, ``KeyboardInterrupt`` included.

:func:`write_bytes`, :func:`write_text`
    One file from bytes or text.
:func:`atomic_file`
    A path for a library that wants to create the file itself (SQLite, DuckDB, openpyxl).
:func:`staged_folder`
    A folder built beside its target, then swapped in whole or merged in file by file.
:func:`write_new`, :func:`fsync_folder`
    The primitives, for a writer that sequences its own renames (:mod:`conflictdata.submission.write`).

Examples
--------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> write_text(folder / "a.txt", "hello\\n").name
'a.txt'
>>> (folder / "a.txt").read_text()
'hello\\n'
>>> sorted(p.name for p in folder.iterdir())  # no temporary file is left behind
['a.txt']
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .files import NotRegularFileError, _kind

__all__ = ["atomic_file", "file_mode", "folder_mode", "fsync_folder", "staged_folder", "umask", "write_bytes",
           "write_new", "write_text"]


def umask() -> int:
    """The process's umask, left unchanged.

    Examples
    --------
    >>> 0 <= umask() <= 0o777
    True
    """
    # There is no call that only reads the umask: set it, then put it back at once.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode(path: str | os.PathLike) -> int:
    """The permissions a file written at ``path`` should have.

    Those of the file already there (rewriting a file keeps its mode, as ``open(path, "w")``
    does), else those a new file gets under the umask: ``0o666 & ~umask``.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "new.txt"
    >>> file_mode(p) == 0o666 & ~umask()
    True
    >>> _ = p.write_text("x"); p.chmod(0o600)
    >>> oct(file_mode(p))
    '0o600'
    """
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~umask()


def folder_mode() -> int:
    """The permissions a new folder gets under the umask: ``0o777 & ~umask``.

    Examples
    --------
    >>> folder_mode() == 0o777 & ~umask()
    True
    """
    return 0o777 & ~umask()


def _refuse_irregular(path: Path) -> None:
    """Refuse a target that exists and is not a regular file: a rename would silently replace it."""
    try:
        mode = os.stat(path).st_mode  # follows a symlink: a link to a regular file is replaced, as before
    except FileNotFoundError:
        return
    if not stat.S_ISREG(mode):
        raise NotRegularFileError(f"{path} is {_kind(mode)}, not a regular file; nothing was written")


def write_new(path: str | os.PathLike, data: bytes, mode: int | None = None) -> None:
    """Create ``path``, which must not exist, holding ``data``, flushed to disk.

    Parameters
    ----------
    path : str or path-like
        The file to create; :class:`FileExistsError` if anything is there (even a symlink).
    data : bytes
        Its content.
    mode : int, optional
        Its permissions exactly, whatever the umask; default: what a new file gets under the umask.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "t"
    >>> write_new(p, b"abc", mode=0o640)
    >>> p.read_bytes(), oct(p.stat().st_mode & 0o777)
    (b'abc', '0o640')
    """
    # O_EXCL: never write through a file (or a symlink) someone else put at this name.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
    try:
        view = memoryview(data)
        while view:  # os.write may write less than asked
            view = view[os.write(fd, view):]
        os.fsync(fd)  # the bytes are on disk before any rename makes them the file
        if mode is not None:
            os.fchmod(fd, mode)  # the umask must not change a given mode (git would see a table's change)
    finally:
        os.close(fd)


def fsync_folder(folder: str | os.PathLike) -> None:
    """Flush ``folder``'s entries (its renames) to disk; nothing on Windows.

    Examples
    --------
    >>> fsync_folder(".")
    """
    if os.name != "posix":  # folders cannot be opened for fsync on Windows; renames are durable there
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_bytes(path: str | os.PathLike, data: bytes, mode: int | None = None) -> Path:
    """Replace ``path`` with a file holding ``data``, all at once; return the path.

    The file is written beside ``path``, flushed and renamed over it. A failure at any point
    leaves ``path`` as it was and no temporary file behind.

    Parameters
    ----------
    path : str or path-like
        The file to write; its folder is created if missing.
    data : bytes
        The new content.
    mode : int, optional
        The permissions; default :func:`file_mode` (the old file's, or a new file's under the umask).

    Raises
    ------
    NotRegularFileError
        When a folder, FIFO, socket or device is at ``path``; nothing is written.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "sub" / "b.bin"
    >>> write_bytes(p, b"\\x00\\x01").read_bytes()
    b'\\x00\\x01'
    >>> write_bytes(p.parent, b"")
    Traceback (most recent call last):
    conflictdata.files.NotRegularFileError: ...sub is a folder, not a regular file; nothing was written
    """
    path = Path(path)
    with atomic_file(path, mode) as tmp:
        write_new(tmp, data)
    return path


def write_text(path: str | os.PathLike, text: str, mode: int | None = None, encoding: str = "utf-8") -> Path:
    """Replace ``path`` with a file holding ``text``, all at once (see :func:`write_bytes`).

    Line ends are written as given (``\\n`` stays ``\\n`` on Windows too).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "c.md"
    >>> write_text(p, "# Київ\\n").read_bytes()
    b'# \\xd0\\x9a\\xd0\\xb8\\xd1\\x97\\xd0\\xb2\\n'
    """
    return write_bytes(path, text.encode(encoding), mode)


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike, mode: int | None = None) -> Iterator[Path]:
    """A temporary path to create the file at; it replaces ``path`` when the block ends without error.

    For a library that writes a file itself from a path (``sqlite3.connect``, ``duckdb.connect``,
    ``Workbook.save``). The path is in a private folder beside ``path`` (so companion files such
    as a database's journal or WAL go with it) and does not exist yet. After the block the file
    is flushed, given ``mode`` (default :func:`file_mode`) and renamed over ``path``; on an
    error nothing is renamed and the folder is removed.

    Raises
    ------
    NotRegularFileError
        On entering, when a folder, FIFO, socket or device is at ``path``.

    Examples
    --------
    >>> import sqlite3, tempfile
    >>> out = Path(tempfile.mkdtemp()) / "db.sqlite"
    >>> with atomic_file(out) as tmp:
    ...     con = sqlite3.connect(tmp)
    ...     _ = con.execute("CREATE TABLE t (x)")
    ...     con.close()
    >>> sorted(p.name for p in out.parent.iterdir())
    ['db.sqlite']
    """
    path = Path(path)
    _refuse_irregular(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        tmp = stage / path.name
        yield tmp
        final = file_mode(path) if mode is None else mode
        with open(tmp, "rb+") as f:  # the library may not have flushed to disk: do it before the rename
            os.fsync(f.fileno())
            os.fchmod(f.fileno(), final)  # mkdtemp's folder is private; the file is an ordinary one
        _refuse_irregular(path)  # again: something may have been put there while the file was written
        os.replace(tmp, path)
        fsync_folder(path.parent)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


@contextlib.contextmanager
def staged_folder(out: str | os.PathLike, mode: int | None = None, *, merge: bool = False) -> Iterator[Path]:
    """A new folder beside ``out`` to build in; it goes into place when the block ends without error.

    Parameters
    ----------
    out : str or path-like
        The folder to write. When it does not exist, the staged folder is renamed to it.
    mode : int, optional
        The staged folder's permissions; default :func:`folder_mode`.
    merge : bool
        When ``out`` exists: ``False`` replaces it whole (the old folder is moved aside and
        deleted only once the new one is in, and put back if that fails); ``True`` moves each
        file of the staged folder over the one of the same name in ``out`` and leaves ``out``'s
        other files alone.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "pkg"
    >>> with staged_folder(out) as stage:
    ...     _ = (stage / "a.csv").write_text("x\\n")
    >>> sorted(p.name for p in out.parent.iterdir()), sorted(p.name for p in out.iterdir())
    (['pkg'], ['a.csv'])
    >>> with staged_folder(out, merge=True) as stage:
    ...     _ = (stage / "b.csv").write_text("y\\n")
    >>> sorted(p.name for p in out.iterdir())
    ['a.csv', 'b.csv']
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        os.chmod(stage, folder_mode() if mode is None else mode)  # mkdtemp makes it private
        yield stage
        _fsync_tree(stage)
        if merge and out.exists():
            for entry in sorted(stage.iterdir()):
                os.replace(entry, out / entry.name)
            fsync_folder(out)
        else:
            _swap(stage, out)
        fsync_folder(out.parent)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _fsync_tree(folder: Path) -> None:
    """Flush every file under ``folder``, and the folders, before a rename makes them visible."""
    for root, _, names in os.walk(folder):
        for name in names:
            with open(os.path.join(root, name), "rb") as f:
                os.fsync(f.fileno())
        fsync_folder(root)


def _swap(stage: Path, out: Path) -> None:
    """Move ``stage`` to ``out``; an old folder there goes only once the new one is in."""
    if not out.exists():
        os.replace(stage, out)
        return
    if not any(out.iterdir()):
        out.rmdir()
        os.replace(stage, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
    old.rmdir()  # only its unique name is wanted: a folder cannot be renamed over a full one
    os.replace(out, old)
    try:
        os.replace(stage, out)
    except BaseException:
        os.replace(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)
