"""SHA-256 of files, and the ``SHA256SUMS`` format that ``sha256sum -c`` reads."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

SUMS = "SHA256SUMS"
_HEX = re.compile(r"[0-9a-f]{64}")


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
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
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
