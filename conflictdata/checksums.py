"""SHA-256 of files, and the ``SHA256SUMS`` format that ``sha256sum -c`` reads."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import IO

SUMS = "SHA256SUMS"
_HEX = re.compile(r"[0-9a-f]{64}")
# what sha256sum writes: the hex digest, a space, ' ' (text) or '*' (binary), a file name of this folder
_SUMS_LINE = re.compile(r"([0-9a-f]{64}) [ *]([^/\\]+)")


def sha256_file(path: str | os.PathLike) -> str:
    """The hex SHA-256 of a file, read in 1 MiB blocks.

    Examples
    --------
    >>> from pathlib import Path
    >>> p = Path(__import__("tempfile").mkdtemp()) / "x"
    >>> _ = p.write_bytes(b"")
    >>> sha256_file(p)[:12]
    'e3b0c44298fc'
    """
    with open(path, "rb") as f:
        return sha256_stream(f)


def sha256_stream(f: IO[bytes], on_block: Callable[[int], None] | None = None) -> str:
    """The hex SHA-256 of what an open binary file (a zip member, say) holds, in 1 MiB blocks.

    ``on_block`` is called with each block's size (to advance a progress step).

    Examples
    --------
    >>> import io
    >>> sha256_stream(io.BytesIO(b""))[:12]
    'e3b0c44298fc'
    """
    digest = hashlib.sha256()
    for block in iter(lambda: f.read(1 << 20), b""):
        digest.update(block)
        if on_block is not None:
            on_block(len(block))
    return digest.hexdigest()


def split_hash(value: str) -> str | None:
    """The hex digest of a ``"sha256:<hex>"`` string (Data Package ``hash``), else None.

    Examples
    --------
    >>> split_hash("sha256:" + "0" * 64) == "0" * 64
    True
    >>> split_hash("md5:abc") is None
    True
    """
    if not isinstance(value, str) or not value.startswith("sha256:"):
        return None
    hex_ = value.split(":", 1)[1].lower()
    return hex_ if _HEX.fullmatch(hex_) else None


def sums_text(folder: Path, names: list[str]) -> str:
    """``SHA256SUMS`` for ``names`` in ``folder``: one ``<hex>  <name>`` line each, sorted by name.

    Two spaces (text mode) is what ``sha256sum`` itself writes; ``sha256sum -c SHA256SUMS`` checks it.
    """
    return "".join(f"{sha256_file(folder / name)}  {name}\n" for name in sorted(names))


def parse_sums(text: str) -> tuple[dict[str, str], int | None]:
    """The ``{file name: hex sha256}`` a ``SHA256SUMS`` text lists, and the first bad line's number.

    A bad line is one ``sha256sum -c`` would not check as a file of this folder, or a name listed
    twice; the names before it are returned with its number, None when every line is good.

    Examples
    --------
    >>> parse_sums("0" * 64 + "  a.csv\\n")
    ({'a.csv': '0000000000000000000000000000000000000000000000000000000000000000'}, None)
    >>> parse_sums("0" * 64 + "  ../a.csv\\n")[1]
    1
    """
    listed: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _SUMS_LINE.fullmatch(line)
        if match is None or match[2] in listed or match[2] in (".", ".."):
            return listed, number
        listed[match[2]] = match[1]
    return listed, None
