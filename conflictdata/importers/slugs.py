"""Readable, stable identifiers (slugs) for rows made from someone else's text.

Identifiers in conflictdata match ``[a-z0-9]+(-[a-z0-9]+)*``. Imported text is often
Cyrillic ("Молнія"), long ("Primorsko-Akhtarsk and Kursk oblast and ...") or differs from
another text only in case or punctuation, so a slug is transliterated, shortened with a hash
of the full text when long, and handed out by an :class:`IdRegistry` that never gives one id
to two different things.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Ukrainian national transliteration (2010), plus the Russian letters it lacks; used for ids only.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh", "з": "z",
    "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "ё": "e", "ы": "y", "э": "e", "ъ": "",
}
MAX_LENGTH = 60


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens; Cyrillic is transliterated.

    Examples
    --------
    >>> slug("X-101/X-555 and Kalibr")
    'x-101-x-555-and-kalibr'
    >>> slug("Молнія")
    'molniia'
    """
    text = "".join(_CYRILLIC.get(c, c) for c in text.lower())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


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
