"""Versions of the data, and whether a version bump covers a change.

The data's contract with code is its schema: a major version when a schema changes
incompatibly (a field or table removed, renamed or retyped, a key changed), a minor version
when rows, fields or tables are added, a patch for corrections (changed or withdrawn rows).
Before 1.0.0 everything shifts down one level, as Cargo and npm read ``0.y.z``: an
incompatible change needs a minor bump, an addition a patch.

A data version is strict `SemVer <https://semver.org>`_ ``MAJOR.MINOR.PATCH``, optionally
with a pre-release ``-alpha.N``, ``-beta.N`` or ``-rc.N`` (no ``v``, no build part). Ordering
is :class:`packaging.version.Version`'s (PEP 440), which reads ``2.0.0-rc.1`` as ``2.0.0rc1``.
Only those three pre-release forms are accepted because they are the ones where SemVer and
PEP 440 order alike: SemVer compares ``rc1`` and ``rc10`` as text and PEP 440 as numbers, and
SemVer's ``2.0.0-x.7`` has no PEP 440 reading at all; such a version is refused, not guessed.
A version is also a folder name and part of a URL, so nothing else gets through.

Examples
--------
>>> sorted(["2.0.0", "2.0.0-rc.2", "1.9.0", "2.0.0-alpha.1", "2.0.0-rc.10"], key=key)
['1.9.0', '2.0.0-alpha.1', '2.0.0-rc.2', '2.0.0-rc.10', '2.0.0']
"""

from __future__ import annotations

import re
from typing import TypeGuard

from packaging.version import Version

from .errors import ReleaseError

BUMPS = ("none", "patch", "minor", "major")
# The one syntax gate: packaging also reads "v1.2", "1.2", "1.2.0.post1" and "1!2.0", none of
# which is a data version.
_SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-(alpha|beta|rc)\.(0|[1-9]\d*))?")
_ANY_PRERELEASE = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)-.+")


def is_version(text: object) -> TypeGuard[str]:
    """True for a data version such as ``"1.2.0"`` or ``"2.0.0-rc.1"`` (see the module's rules).

    Examples
    --------
    >>> is_version("1.2.0"), is_version("2.0.0-rc.1"), is_version("v1.2"), is_version("../1.2.0")
    (True, True, False, False)
    >>> is_version("2.0.0-x.7"), is_version("2.0.0-rc1")
    (False, False)
    """
    return isinstance(text, str) and _SEMVER.fullmatch(text) is not None


def key(version: str) -> Version:
    """The sort key of a data version (:class:`packaging.version.Version`); :class:`ReleaseError` if not one.

    Examples
    --------
    >>> key("2.0.0-rc.1") < key("2.0.0") < key("2.0.1")
    True
    >>> str(key("2.0.0-rc.1"))
    '2.0.0rc1'
    """
    if not is_version(version):
        if isinstance(version, str) and _ANY_PRERELEASE.fullmatch(version):
            raise ReleaseError(f"{version!r}: a pre-release must be -alpha.N, -beta.N or -rc.N "
                               "(e.g. 2.0.0-rc.1), the forms SemVer and PEP 440 order alike")
        raise ReleaseError(f"{version!r} is not a semantic version such as 1.2.0")
    return Version(version)


def parse(version: str) -> tuple[int, int, int]:
    """``(major, minor, patch)`` of a data version; :class:`ReleaseError` when it is not one.

    Examples
    --------
    >>> parse("1.2.3"), parse("2.0.0-rc.1")
    ((1, 2, 3), (2, 0, 0))
    """
    major, minor, patch = key(version).release
    return major, minor, patch


def declared_bump(old: str, new: str) -> str:
    """The bump from ``old`` to ``new``: ``"major"``, ``"minor"``, ``"patch"`` or ``"none"``.

    ``"none"`` when ``new`` is not above ``old``. From a pre-release to a later version with
    the same numbers (``2.0.0-rc.1`` to ``2.0.0-rc.2`` or ``2.0.0``) the bump is the level
    those numbers announce, as npm's ``semver.diff`` reads it: ``X.0.0`` is major, ``X.Y.0``
    minor, else patch; a pre-release makes no promise of compatibility with the release it
    leads to (SemVer, item 9).

    Examples
    --------
    >>> declared_bump("1.2.0", "2.0.0"), declared_bump("1.2.0", "1.2.1"), declared_bump("1.2.0", "1.1.9")
    ('major', 'patch', 'none')
    >>> declared_bump("2.0.0-rc.1", "2.0.0"), declared_bump("1.3.0-rc.1", "1.3.0-rc.2")
    ('major', 'minor')
    >>> declared_bump("2.0.0", "2.0.0-rc.1"), declared_bump("1.2.0", "2.0.0-rc.1")
    ('none', 'major')
    """
    a, b = key(old), key(new)
    if b <= a:
        return "none"
    if a.release == b.release:  # a pre-release, then a later one or the release itself
        major, minor, patch = a.release
        return "major" if (minor, patch) == (0, 0) else "minor" if patch == 0 else "patch"
    if b.major > a.major:
        return "major"
    if b.minor > a.minor:
        return "minor"
    return "patch"


def effective(required: str, old: str) -> str:
    """The bump ``required`` asks of a package at version ``old`` (before 1.0.0, one level less).

    Examples
    --------
    >>> effective("major", "0.3.1"), effective("major", "1.0.0"), effective("patch", "0.3.1")
    ('minor', 'major', 'patch')
    """
    if key(old).major == 0 and required in ("major", "minor"):
        return BUMPS[BUMPS.index(required) - 1]
    return required


def covers(old: str, new: str, required: str) -> bool:
    """Whether going from ``old`` to ``new`` is a large enough bump for a ``required`` change.

    Examples
    --------
    >>> covers("1.2.0", "1.3.0", "minor"), covers("1.2.0", "1.3.0", "major"), covers("0.2.0", "0.3.0", "major")
    (True, False, True)
    >>> covers("2.0.0-rc.1", "2.0.0", "patch")
    True
    """
    need = effective(required, old)
    return BUMPS.index(declared_bump(old, new)) >= BUMPS.index(need)
