"""The release dates a ``CHANGELOG.md`` gives: ``## [1.2.0] - 2026-12-01`` (Keep a Changelog 1.1.0).

The CHANGELOG is where a version gets its date: ``conflictdata build`` writes it into the
release's ``created`` (unless ``SOURCE_DATE_EPOCH`` says otherwise), ``conflictdata publish``
refuses a version the CHANGELOG does not date, and a citation takes its year from it.

Examples
--------
>>> released("## [Unreleased]\\n\\n## [1.2.0] - 2026-12-01\\n", "1.2.0")
datetime.date(2026, 12, 1)
>>> released("## [1.2.0] - 2026-12-01\\n", "1.2") is None
True
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

from .errors import ReleaseError

FILE = "CHANGELOG.md"


def released(text: str, version: str, *, where: str = FILE) -> date | None:
    """The date of ``## [<version>] - YYYY-MM-DD`` in the CHANGELOG ``text``, or None when it has none.

    Raises
    ------
    ReleaseError
        The heading is there but its date is not a date (``2026-13-01``); ``where`` names the file.

    Examples
    --------
    >>> released("## [0.1.0] - 2026-02-30\\n", "0.1.0", where="CHANGELOG.md")
    Traceback (most recent call last):
    conflictdata.errors.ReleaseError: CHANGELOG.md:1: the date of version 0.1.0 is not a date: 2026-02-30
    """
    pattern = rf"^## \[{re.escape(version)}\] - (\d{{4}}-\d{{2}}-\d{{2}})[ \t]*$"
    match = re.search(pattern, text, re.MULTILINE)
    if match is None:
        return None
    try:
        return date.fromisoformat(match[1])
    except ValueError:
        line = text.count("\n", 0, match.start()) + 1
        raise ReleaseError(f"{where}:{line}: the date of version {version} is not a date: {match[1]}") from None


def released_in(path: str | os.PathLike, version: str) -> date | None:
    """:func:`released` of the file ``path``; None when there is no such file.

    Examples
    --------
    >>> released_in("no/such/CHANGELOG.md", "1.0.0") is None
    True
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReleaseError(f"{path}: cannot read the changelog: {exc}") from None
    return released(text, version, where=str(path))
