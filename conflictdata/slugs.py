"""Slugs: the lower-case ASCII words of a text joined by hyphens, the stuff ids are made of.

Identifiers in conflictdata match ``[a-z0-9]+(-[a-z0-9]+)*``. Two callers make them from
text, with one difference on purpose:

- the importers (:mod:`conflictdata.importers.slugs`) transliterate Cyrillic, since imported
  text is often Ukrainian or Russian and a row still needs a readable id;
- submissions (:mod:`conflictdata.submission.ids`) do not: an id derived from a submission
  must be one the contributor can predict from the name they wrote, so letters without an
  ASCII form are dropped and a name with no Latin letter or digit gets no id (the
  contributor writes it out, ``id-not-derivable``).
"""

from __future__ import annotations

import re
import unicodedata

# Ukrainian national transliteration (2010), plus the Russian letters it lacks; used for ids only.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh", "з": "z",
    "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "ё": "e", "ы": "y", "э": "e", "ъ": "",
}


def slug(text: str | None, *, transliterate: bool = True, max_words: int | None = None) -> str:
    """Lower-case ASCII words joined by hyphens, at most ``max_words`` of them.

    Parameters
    ----------
    text : str or None
        Any text; None or empty gives ``''``.
    transliterate : bool
        True (the importers): Cyrillic is transliterated and every other character that is
        not an ASCII letter or digit separates words (``"Ukraine's"`` gives ``ukraine-s``).
        False (submissions): nothing is transliterated, so an id is what a contributor
        predicts from the name they wrote; an apostrophe is dropped, as when the word is
        typed without one (``ukraines``).
    max_words : int, optional
        Keep only the first words; default: all.

    Examples
    --------
    >>> slug("X-101/X-555 and Kalibr")
    'x-101-x-555-and-kalibr'
    >>> slug("Молнія")
    'molniia'
    >>> slug("Київ", transliterate=False)
    ''
    >>> slug("Ukraine's military"), slug("Ukraine's military", transliterate=False)
    ('ukraine-s-military', 'ukraines-military')
    >>> slug("North Korean troops fighting in Ukraine, some killed", transliterate=False, max_words=6)
    'north-korean-troops-fighting-in-ukraine'
    """
    if not text:
        return ""
    if transliterate:
        # lower-cased first: the table's letters are lower-case
        text = "".join(_CYRILLIC.get(c, c) for c in text.lower())
        words = re.findall(r"[a-z0-9]+", _ascii(text))
    else:
        words = re.findall(r"[a-z0-9]+", re.sub(r"['`]", "", _ascii(text).lower()))
    return "-".join(words if max_words is None else words[:max_words])


def _ascii(text: str) -> str:
    # accents come off (é -> e); whatever has no ASCII form is dropped
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
