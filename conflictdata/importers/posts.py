"""Who posted what: a post's path in, its actor, web address and kind out.

The missile-attack dataset names each claim's post by a path such as
``kpszsu/posts/pfbid0...``: a Facebook page name, ``posts`` or ``videos``, and the post's
id ("pfbid..." ids are Facebook's). A few rows give a full ``https://`` address instead
(Telegram posts) or a path on another site. The web address is built only where the path
leaves no doubt (a Facebook post or video path, or a full address); otherwise ``url`` stays
empty and the path is kept in ``archive_ref``.

The page decides the actor who made the claim. Pages this module knows map to named actors
of the Ukrainian armed forces; any other page becomes an actor named after the page, kind
``other``, with a note that it is not resolved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .entities import Entity
from .slugs import IdRegistry


class Actor(Entity):
    KEY = "actor_id"


# id -> (name, kind, country, parent id); the ids match the curated package's actors.
ACTORS = {
    "ukraine": ("Ukraine", "state", "UKR", None),
    "armed-forces-of-ukraine": ("Armed Forces of Ukraine", "armed_forces", "UKR", "ukraine"),
    "ukrainian-air-force": ("Ukrainian Air Force", "military_branch", "UKR", "armed-forces-of-ukraine"),
    "air-command-south": ("Air Command South (Ukrainian Air Force)", "military_unit", "UKR", "ukrainian-air-force"),
    "air-command-east": ("Air Command East (Ukrainian Air Force)", "military_unit", "UKR", "ukrainian-air-force"),
    "air-command-west": ("Air Command West (Ukrainian Air Force)", "military_unit", "UKR", "ukrainian-air-force"),
    "air-command-centre": ("Air Command Centre (Ukrainian Air Force)", "military_unit", "UKR", "ukrainian-air-force"),
    "general-staff-of-the-armed-forces-of-ukraine": ("General Staff of the Armed Forces of Ukraine",
                                                     "military_unit", "UKR", "armed-forces-of-ukraine"),
    "commander-in-chief-of-the-armed-forces-of-ukraine": ("Commander-in-Chief of the Armed Forces of Ukraine",
                                                          "official", "UKR", "armed-forces-of-ukraine"),
    "kharkiv-regional-military-administration": ("Kharkiv Regional Military Administration", "government_body",
                                                 "UKR", "ukraine"),
}
# Page (Facebook page name, Telegram channel or web site), casefolded -> actor id.
PAGES = {
    "kpszsu": "ukrainian-air-force",
    "pvkpivden": "air-command-south",
    "pvkshid": "air-command-east",
    "pvkzahid": "air-command-west",
    "pvkcenter": "air-command-centre",
    "generalstaff.ua": "general-staff-of-the-armed-forces-of-ukraine",
    "cincafu": "commander-in-chief-of-the-armed-forces-of-ukraine",
    "kharkivoda.gov.ua": "kharkiv-regional-military-administration",
}
_FACEBOOK = re.compile(r"^(?P<page>[A-Za-z0-9.]+)/(?P<what>posts|videos)/[A-Za-z0-9]+/?$")
_FACEBOOK_WATCH = re.compile(r"^watch/?\?v=\d+$")


@dataclass(frozen=True)
class Post:
    """What a post's path tells: its canonical form, address, platform and page."""

    path: str  # as written
    canonical: str  # one post, however the path was written (no trailing slash)
    url: str | None
    platform: str  # "Facebook", "Telegram", a site's host, or "" when not known
    page: str | None  # the page or channel that posted it, when the path names it
    what: str  # "post" or "video"


def parse_post(path: str) -> Post:
    """Read a post's path.

    Examples
    --------
    >>> parse_post("kpszsu/posts/pfbid02abc").url
    'https://www.facebook.com/kpszsu/posts/pfbid02abc'
    >>> parse_post("https://t.me/kpszsu/12345").page
    'kpszsu'
    >>> parse_post("kharkivoda.gov.ua/news/1").url is None
    True
    """
    written = " ".join(path.split())
    canonical = written.rstrip("/")
    if m := _FACEBOOK.match(written):
        return Post(written, canonical, f"https://www.facebook.com/{canonical}", "Facebook", m["page"],
                    m["what"].rstrip("s"))
    if _FACEBOOK_WATCH.match(written):
        return Post(written, canonical, f"https://www.facebook.com/{canonical}", "Facebook", None, "video")
    if written.startswith(("https://", "http://")):
        parts = urlsplit(written)
        host = parts.hostname or ""
        page = parts.path.strip("/").split("/")[0] or None
        platform = "Telegram" if host in ("t.me", "telegram.me") else host
        return Post(written, canonical, written, platform, page, "post")
    first = canonical.split("/")[0]
    # "kharkivoda.gov.ua/news/1": a site's path; whether http or https is not known.
    site = first if re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", first or "") and "/" in canonical else None
    return Post(written, canonical, None, site or "", site, "post")


class Actors:
    """The actors of an import: the claimants, and the bodies they belong to."""

    def __init__(self) -> None:
        self.actors: dict[str, Actor] = {}
        self._ids = IdRegistry(taken=set(ACTORS))

    def claimant(self, post: Post, origin: tuple[str, int]) -> str:
        """The actor who made the post."""
        known = PAGES.get((post.page or "").casefold())
        if known:
            return self._known(known, origin)
        if post.page:
            ident = self._ids.get("page:" + post.page.casefold(), post.page)
            if ident not in self.actors:
                if post.platform in ("", post.page):  # a web site names itself
                    name, what = post.page, f"web site {post.page!r}"
                else:
                    name, what = f"{post.page} ({post.platform})", f"{post.platform} page name {post.page!r}"
                self.actors[ident] = Actor(ident, name, "other", origin=origin,
                                           notes=[f"Named in the data only by its {what}; not resolved to an "
                                                  "organisation."])
            return ident
        ident = self._ids.get("page:?" + post.platform, f"unnamed-{post.platform or 'web'}-publisher")
        if ident not in self.actors:
            self.actors[ident] = Actor(ident, f"Publisher not named ({post.platform or 'web'} {post.what})", "other",
                                       notes=["The post's path does not name who posted it."], origin=origin)
        return ident

    def _known(self, ident: str, origin: tuple[str, int]) -> str:
        if ident not in self.actors:
            name, kind, country, parent = ACTORS[ident]
            self.actors[ident] = Actor(ident, name, kind, country, parent, origin=origin)
            if parent:
                self._known(parent, origin)
        return ident

    def rows(self) -> list[dict]:
        return [a.row() for a in sorted(self.actors.values(), key=lambda a: a.id)]

