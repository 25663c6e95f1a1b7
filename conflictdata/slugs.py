"""Slugs: the lower-case ASCII words of a text joined by hyphens, the stuff ids are made of.

Identifiers in conflictdata match ``[a-z0-9]+(-[a-z0-9]+)*``. Two callers make them from
text, with one difference on purpose:

- the importers (:mod:`conflictdata.importers.slugs`) transliterate (python-slugify), since
  imported text is often Ukrainian or Russian and a row still needs a readable id;
- submissions (:mod:`conflictdata.submission.ids`) do not: an id derived from a submission
  must be one the contributor can predict from the name they wrote, so letters without an
  ASCII form are dropped and a name with no Latin letter or digit gets no id (the
  contributor writes it out, ``id-not-derivable``).
"""

from __future__ import annotations

import unicodedata

from slugify import slugify

# Ids are lower-case ASCII letters and digits between hyphens: everything else separates words.
_NOT_ID = r"[^a-z0-9]+"
# python-slugify with its text-unidecode backend transliterates Cyrillic as Ukraine's national
# system (2010) does, except for these letters; the ids already made keep that system.
_UKRAINIAN = (("г", "h"), ("и", "y"), ("ї", "i"), ("ё", "e"))
# A submission's "Ukraine's" is typed "ukraines": the apostrophe goes, it separates nothing.
_APOSTROPHES = (("'", ""), ("`", ""))
# slugify joins digits around a comma ("1,000" -> "1000"); ids made before it split them.
_COMMA = ((",", " "),)


def _slugify(text: str, replacements: tuple[tuple[str, str], ...]) -> str:
    # no HTML entities in the data's text ("&amp;" stays words); the backend named, not whichever
    # of Unidecode and text-unidecode is installed, so that ids are the same on every machine
    return slugify(text, entities=False, decimal=False, hexadecimal=False, regex_pattern=_NOT_ID,
                   replacements=replacements, replacement_stage="pre", backend="text-unidecode")


def slug(text: str | None, *, transliterate: bool = True, max_words: int | None = None) -> str:
    """Lower-case ASCII words joined by hyphens, at most ``max_words`` of them (python-slugify).

    Parameters
    ----------
    text : str or None
        Any text; None or empty gives ``''``.
    transliterate : bool
        True (the importers): every letter is transliterated (Cyrillic as Ukraine's national
        system, the rest by text-unidecode) and every other character that is not an ASCII
        letter or digit separates words (``"Ukraine's"`` gives ``ukraine-s``).
        False (submissions): nothing is transliterated, so an id is what a contributor
        predicts from the name they wrote: accents come off, letters without an ASCII form are
        dropped, and an apostrophe is dropped as when the word is typed without one
        (``ukraines``).
    max_words : int, optional
        Keep only the first words; default: all.

    Examples
    --------
    >>> slug("X-101/X-555 and Kalibr")
    'x-101-x-555-and-kalibr'
    >>> slug("Молнія"), slug("Курахівський напрямок")
    ('molniia', 'kurakhivskyi-napriamok')
    >>> slug("Київ", transliterate=False), slug("Café Odesa", transliterate=False)
    ('', 'cafe-odesa')
    >>> slug("Ukraine's military"), slug("Ukraine's military", transliterate=False)
    ('ukraine-s-military', 'ukraines-military')
    >>> slug("1,000 drones"), slug("Su\u201034")
    ('1-000-drones', 'su-34')
    >>> slug("North Korean troops fighting in Ukraine, some killed", transliterate=False, max_words=6)
    'north-korean-troops-fighting-in-ukraine'
    """
    if not text:
        return ""
    if transliterate:
        # lower-cased first: the replacements are the lower-case letters
        s = _slugify(text.lower(), _UKRAINIAN + _COMMA)
    else:
        # only ASCII reaches slugify, so it transliterates nothing
        folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        s = _slugify(folded, _APOSTROPHES + _COMMA)
    words = s.split("-") if s else []
    return "-".join(words if max_words is None else words[:max_words])
