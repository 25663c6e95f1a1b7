"""Open input files without ever blocking: only regular files are read.

A FIFO, a socket or a device named where a table, a schema, a descriptor or a submission
should be would make a plain ``open()`` wait forever (a FIFO blocks until a writer comes).
:func:`open_regular` opens without blocking, asks the open file itself what it is (so a
file swapped for a FIFO between a check and the open is caught too), and refuses anything
that is not a regular file.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

from .errors import ConflictDataError
from .feedback import human_size


class NotRegularFileError(ConflictDataError, OSError):
    """A path that names a FIFO, socket, device or folder where a file is expected."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a regular file"


def open_regular(path: str | os.PathLike, shown: str | None = None) -> BinaryIO:
    """Open ``path`` for binary reading, refusing anything but a regular file.

    Raises :class:`NotRegularFileError` for a FIFO, socket, device or folder (without waiting
    for a writer), and ``OSError`` (``FileNotFoundError`` ...) when it cannot be opened.
    ``shown`` is the name the message uses (default: ``path``).

    Examples
    --------
    >>> import os, tempfile
    >>> fifo = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> os.mkfifo(fifo)
    >>> try:
    ...     open_regular(fifo, "data/t.csv")
    ... except NotRegularFileError as exc:
    ...     print(exc)
    data/t.csv is a FIFO (named pipe), not a regular file; replace it with the file itself
    >>> import socket
    >>> sock = socket.socket(socket.AF_UNIX)
    >>> sock.bind(os.path.join(os.path.dirname(fifo), "s.csv"))
    >>> try:
    ...     open_regular(os.path.join(os.path.dirname(fifo), "s.csv"), "data/s.csv")
    ... except NotRegularFileError as exc:
    ...     print(exc)
    data/s.csv is a socket, not a regular file; replace it with the file itself
    >>> sock.close()
    """
    shown = os.fspath(path) if shown is None else shown
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:
        raise NotRegularFileError(f"{shown} is a folder, not a regular file; replace it with the file itself") from None
    except OSError as exc:
        # A socket cannot be opened at all (ENXIO): say what it is rather than the OS's words.
        try:
            mode = os.stat(path).st_mode
        except OSError:
            raise exc from None
        if not stat.S_ISREG(mode):
            raise NotRegularFileError(f"{shown} is {_kind(mode)}, not a regular file; replace it with the file "
                                      "itself") from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFileError(f"{shown} is {_kind(mode)}, not a regular file; replace it with the file itself")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: str | os.PathLike, shown: str | None = None, limit: int | None = None) -> bytes:
    """The bytes of the regular file ``path`` (see :func:`open_regular`).

    With ``limit``, a file larger than ``limit`` bytes raises :class:`ValueError` before it
    is read whole.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> p = Path(tempfile.mkdtemp()) / "a.json"
    >>> _ = p.write_bytes(b"{}")
    >>> read_regular(p)
    b'{}'
    """
    with open_regular(path, shown) as f:
        if limit is not None and os.fstat(f.fileno()).st_size > limit:
            raise ValueError(f"{shown or os.fspath(path)} is larger than {human_size(limit)}")
        return f.read()
