"""Readable, stable identifiers (slugs) for rows made from someone else's text.

Identifiers in conflictdata match ``[a-z0-9]+(-[a-z0-9]+)*``. Imported text is often
Cyrillic ("Молнія"), long ("Primorsko-Akhtarsk and Kursk oblast and ...") or differs from
another text only in case or punctuation, so a slug (:func:`conflictdata.slugs.slug`) is
transliterated, shortened with a hash of the full text when long, and handed out by an
:class:`IdRegistry` that never gives one id to two different things.
"""

from __future__ import annotations

import hashlib

from ..slugs import slug  # the one slug function; importers transliterate (its default)

MAX_LENGTH = 60


def digest(text: str, n: int = 10) -> str:
    """The first ``n`` hex digits of the text's SHA-1: short, stable, and the same on every machine."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:n]


def short_slug(text: str, limit: int = MAX_LENGTH) -> str:
    """:func:`slug`, cut to ``limit`` characters with a hash of the full text when longer.

    Examples
    --------
    >>> short_slug("kpszsu/posts/pfbid0AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMn")
    'kpszsu-posts-pfbid0abcdefghijklmnopqrstuvwxyz0123-a359b033b4'
    """
    s = slug(text)
    if not s:
        return "x-" + digest(text)
    if len(s) <= limit:
        return s
    return s[: limit - 11].rstrip("-") + "-" + digest(text)


class IdRegistry:
    """Hands out ids: the same key always gets the same id, two keys never share one.

    Examples
    --------
    >>> ids = IdRegistry()
    >>> ids.get("ryazan oblast", "Ryazan oblast"), ids.get("ryazan oblast", "Ryazan Oblast")
    ('ryazan-oblast', 'ryazan-oblast')
    >>> ids.get("ryazan oblast!", "Ryazan oblast!")
    'ryazan-oblast-e72130'
    """

    def __init__(self, taken: set[str] | None = None) -> None:
        self._by_key: dict[str, str] = {}
        self._taken: set[str] = set(taken or ())

    def get(self, key: str, text: str | None = None) -> str:
        """The id of ``key`` (made from ``text``, default ``key``, the first time it is seen)."""
        if key in self._by_key:
            return self._by_key[key]
        base = short_slug(text if text is not None else key)
        candidate = base
        if candidate in self._taken:
            candidate = f"{base}-{digest(key, 6)}"
        n = 2
        while candidate in self._taken:  # astronomically rare: a hash collision as well
            candidate = f"{base}-{digest(key, 6)}-{n}"
            n += 1
        self._taken.add(candidate)
        self._by_key[key] = candidate
        return candidate

    def __contains__(self, key: str) -> bool:
        return key in self._by_key
