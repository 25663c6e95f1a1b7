"""Ids for rows whose submission leaves them out, derived from the file alone.

The same file always gives the same ids, whatever the package already holds: an id is a slug
of the row's own text (an actor's name, an update's headline, a claim's quote), prefixed for
rows of the source with the publisher and the publication date, as in ``data/``
(``dw-2024-10-08-ukraine-shoots-down-18-russian-drones``). The rows of the source tree keep
the first :data:`MAX_WORDS` words of their text (after the prefix they stay readable); a
catalog row's id (an actor, a place, a munition type, an event) is the slug of its whole name,
never cut short: it is the id other rows refer to, and a curator writes it from the name
(``Overnight missile and drone attack, 7 to 8 October 2024`` gives
``overnight-missile-and-drone-attack-7-to-8-october-2024``, not a prefix of it). A derived id that another row of
the same file already uses gets ``-2``, ``-3``...; one that the package already uses is a
fault, and the contributor writes the id out.
"""

from __future__ import annotations

from .. import slugs

MAX_WORDS = 6
PUBLISHER_WORDS = 4
PREFIX_FIELDS = ("publisher", "published_date")  # of the source


def slug(text: str | None, max_words: int | None = MAX_WORDS) -> str:
    """:func:`conflictdata.slugs.slug` without transliteration, at most ``max_words`` words.

    A submission's ids are not transliterated: a contributor predicts an id from the name they
    wrote, and a name without Latin letters or digits gets none (they write it out).

    Examples
    --------
    >>> slug("North Korean troops fighting in Ukraine, some killed, says Seoul")
    'north-korean-troops-fighting-in-ukraine'
    >>> slug("Ukraine's military")
    'ukraines-military'
    >>> slug("Київ")
    ''
    """
    return slugs.slug(text, transliterate=False, max_words=max_words)


def source_prefix(source: dict[str, str]) -> str:
    """The prefix of every id derived for the rows of one source, e.g. ``dw-2024-10-08``."""
    parts = [slug(source.get(PREFIX_FIELDS[0]), PUBLISHER_WORDS) or "source", source.get(PREFIX_FIELDS[1]) or ""]
    return "-".join(p for p in parts if p)


def candidate(table: str, cells: dict[str, str], *, named_by: str | None, prefix: str | None, scope: str,
              position: int) -> str | None:
    """The id a row would get before clashes inside the file are resolved.

    ``named_by`` is the field whose text names the row (its Table Schema's ``idFrom``); a row
    without one, or whose text is empty, is named by its position.

    ``prefix`` is the source's prefix for rows of the source tree and None for catalog rows
    (actors, places, munition types, events), whose ids must stand on their own; ``scope`` is the
    parent's id and ``position`` the row's place (1 = first) in its list, used when the row
    has no text to name it by. None means no id can be derived (a catalog name without Latin
    letters or digits): the contributor writes it.

    Examples
    --------
    >>> candidate("actors", {"name": "Oleh Kiper"}, named_by="name", prefix=None, scope="", position=3)
    'oleh-kiper'
    >>> candidate("events", {"name": "Overnight missile and drone attack, 7 to 8 October 2024"}, named_by="name",
    ...           prefix=None, scope="", position=1)
    'overnight-missile-and-drone-attack-7-to-8-october-2024'
    >>> candidate("munitions", {"quote": ""}, named_by="quote", prefix="dw-2024-10-08", scope="dw-2024-10-08-x",
    ...           position=2)
    'dw-2024-10-08-x-munitions-2'
    """
    if prefix is None:  # a catalog row: the whole name, as the rows that refer to it write it
        return slug(cells.get(named_by or "", ""), None) or None
    text = slug(cells.get(named_by or "", ""))
    if text:
        return f"{prefix}-{text}"
    return f"{scope}-{slug(table, None)}-{position}"


def unique(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``... whichever is not in ``taken`` (which is updated)."""
    found, n = wanted, 1
    while found in taken:
        n += 1
        found = f"{wanted}-{n}"
    taken.add(found)
    return found
