"""Semantic versions of the data, and whether a version bump covers a change.

The data's contract with code is its schema: a major version when a schema changes
incompatibly (a field or table removed, renamed or retyped, a key changed), a minor version
when rows, fields or tables are added, a patch for corrections (changed or withdrawn rows).
Before 1.0.0 everything shifts down one level, as Cargo and npm read ``0.y.z``: an
incompatible change needs a minor bump, an addition a patch.
"""

from __future__ import annotations

import re
from typing import TypeGuard

from .errors import ReleaseError

BUMPS = ("none", "patch", "minor", "major")
_SEMVER = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)"
    r"(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
)


def is_version(text: object) -> TypeGuard[str]:
    """True for a semantic version such as ``"1.2.0"`` or ``"2.0.0-rc.1"`` (no ``v``, no build part).

    Examples
    --------
    >>> is_version("1.2.0"), is_version("v1.2"), is_version("../1.2.0")
    (True, False, False)
    """
    return isinstance(text, str) and _SEMVER.fullmatch(text) is not None


def parse(version: str) -> tuple[int, int, int]:
    """``(major, minor, patch)`` of a semantic version; :class:`ReleaseError` when it is not one.

    Examples
    --------
    >>> parse("1.2.3")
    (1, 2, 3)
    """
    match = _SEMVER.fullmatch(version) if isinstance(version, str) else None
    if match is None:
        raise ReleaseError(f"{version!r} is not a semantic version such as 1.2.0")
    return int(match[1]), int(match[2]), int(match[3])


def declared_bump(old: str, new: str) -> str:
    """The bump from ``old`` to ``new``: ``"major"``, ``"minor"``, ``"patch"`` or ``"none"``.

    ``"none"`` also when ``new`` is not above ``old`` (a pre-release of the same numbers too).

    Examples
    --------
    >>> declared_bump("1.2.0", "2.0.0"), declared_bump("1.2.0", "1.2.1"), declared_bump("1.2.0", "1.1.9")
    ('major', 'patch', 'none')
    """
    a, b = parse(old), parse(new)
    if b <= a:
        return "none"
    if b[0] > a[0]:
        return "major"
    if b[1] > a[1]:
        return "minor"
    return "patch"


def effective(required: str, old: str) -> str:
    """The bump ``required`` asks of a package at version ``old`` (before 1.0.0, one level less).

    Examples
    --------
    >>> effective("major", "0.3.1"), effective("major", "1.0.0"), effective("patch", "0.3.1")
    ('minor', 'major', 'patch')
    """
    if parse(old)[0] == 0 and required in ("major", "minor"):
        return BUMPS[BUMPS.index(required) - 1]
    return required


def covers(old: str, new: str, required: str) -> bool:
    """Whether going from ``old`` to ``new`` is a large enough bump for a ``required`` change.

    Examples
    --------
    >>> covers("1.2.0", "1.3.0", "minor"), covers("1.2.0", "1.3.0", "major"), covers("0.2.0", "0.3.0", "major")
    (True, False, True)
    """
    need = effective(required, old)
    return BUMPS.index(declared_bump(old, new)) >= BUMPS.index(need)
