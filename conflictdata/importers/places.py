"""Free-text place names in, ``places`` rows out, resolved only where nothing is guessed.

Text such as "Primorsko-Akhtarsk and Chauda, Crimea and Kursk oblast" is split where it
joins places (" and "; a comma between two places neither of which lies in the other), and
each part is resolved against a small gazetteer: countries, seas, the oblasts of Ukraine and
Russia (and Crimea, Russian krais), and the oblast centres of Ukraine. A comma that
*qualifies* a place ("Chauda, Crimea"; "Bryansk oblast, Seshcha") makes the qualifier its
parent. Everything else is kept as the source wrote it, with kind ``unresolved``: no kind,
country or coordinates are guessed, and no coordinates are ever set.

The munitions table has one launch and one target place per claim. Where the text names
several places, the claim points at a place of kind ``area`` that *is* the group, named
exactly as the source wrote it; its notes list the member ids, and each member is a place
of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .entities import Entity
from .slugs import IdRegistry

# name (casefolded) -> (name in English, ISO 3166-1 alpha-3)
COUNTRIES = {"ukraine": ("Ukraine", "UKR"), "russia": ("Russia", "RUS"), "belarus": ("Belarus", "BLR"),
             "poland": ("Poland", "POL"), "moldova": ("Moldova", "MDA"), "romania": ("Romania", "ROU")}
SEAS = {"black sea": "Black Sea", "sea of azov": "Sea of Azov", "azov sea": "Azov Sea", "caspian sea": "Caspian Sea"}
UKRAINE_OBLASTS = (
    "Cherkasy", "Chernihiv", "Chernivtsi", "Dnipropetrovsk", "Donetsk", "Ivano-Frankivsk", "Kharkiv", "Kherson",
    "Khmelnytskyi", "Kirovohrad", "Kyiv", "Luhansk", "Lviv", "Mykolaiv", "Odesa", "Poltava", "Rivne", "Sumy",
    "Ternopil", "Vinnytsia", "Volyn", "Zakarpattia", "Zaporizhzhia", "Zhytomyr",
)
RUSSIA_OBLASTS = (
    "Amur", "Arkhangelsk", "Astrakhan", "Belgorod", "Bryansk", "Chelyabinsk", "Irkutsk", "Ivanovo", "Kaliningrad",
    "Kaluga", "Kemerovo", "Kirov", "Kostroma", "Kurgan", "Kursk", "Leningrad", "Lipetsk", "Magadan", "Moscow",
    "Murmansk", "Nizhny Novgorod", "Novgorod", "Novosibirsk", "Omsk", "Orenburg", "Oryol", "Penza", "Pskov",
    "Rostov", "Ryazan", "Sakhalin", "Samara", "Saratov", "Smolensk", "Sverdlovsk", "Tambov", "Tomsk", "Tula",
    "Tver", "Tyumen", "Ulyanovsk", "Vladimir", "Volgograd", "Vologda", "Voronezh", "Yaroslavl",
)
RUSSIA_KRAIS = ("Altai", "Kamchatka", "Khabarovsk", "Krasnodar", "Krasnoyarsk", "Perm", "Primorsky", "Stavropol",
                "Zabaykalsky")
# Oblast centres of Ukraine -> their oblast (Kyiv is a city of its own, outside Kyiv oblast).
UKRAINE_CITIES = {
    "Kyiv": None, "Cherkasy": "Cherkasy", "Chernihiv": "Chernihiv", "Chernivtsi": "Chernivtsi",
    "Dnipro": "Dnipropetrovsk", "Donetsk": "Donetsk", "Ivano-Frankivsk": "Ivano-Frankivsk", "Kharkiv": "Kharkiv",
    "Kherson": "Kherson", "Khmelnytskyi": "Khmelnytskyi", "Kropyvnytskyi": "Kirovohrad", "Luhansk": "Luhansk",
    "Lutsk": "Volyn", "Lviv": "Lviv", "Mykolaiv": "Mykolaiv", "Odesa": "Odesa", "Poltava": "Poltava",
    "Rivne": "Rivne", "Sumy": "Sumy", "Ternopil": "Ternopil", "Uzhhorod": "Zakarpattia", "Vinnytsia": "Vinnytsia",
    "Zaporizhzhia": "Zaporizhzhia", "Zhytomyr": "Zhytomyr",
}
_AND = re.compile(r"(?<!\S)and(?!\S)", re.IGNORECASE)
_REGION = re.compile(r"^(?P<name>.+?)\s+(?P<word>oblast|krai)$", re.IGNORECASE)
_DISTRICT = re.compile(r"\braion$", re.IGNORECASE)


class Place(Entity):
    KEY = "place_id"


@dataclass(frozen=True)
class Known:
    """A gazetteer entry: what a name resolves to."""

    key: str  # the id it gets
    name: str
    kind: str
    country: str | None
    parent: str | None  # the casefolded name of the parent entry


def _gazetteer() -> dict[str, Known]:
    g: dict[str, Known] = {}
    for k, (name, iso) in COUNTRIES.items():
        g[k] = Known(k, name, "country", iso, None)
    for k, name in SEAS.items():
        g[k] = Known(k, name, "area", None, None)
    for o in UKRAINE_OBLASTS:
        g[f"{o} oblast".casefold()] = Known(f"{o} oblast", f"{o} oblast", "region", "UKR", "ukraine")
    g["crimea"] = Known("crimea", "Crimea", "region", "UKR", "ukraine")
    for o in RUSSIA_OBLASTS:
        g[f"{o} oblast".casefold()] = Known(f"{o} oblast", f"{o} oblast", "region", "RUS", "russia")
    for o in RUSSIA_KRAIS:
        g[f"{o} krai".casefold()] = Known(f"{o} krai", f"{o} Krai", "region", "RUS", "russia")
    for city, oblast in UKRAINE_CITIES.items():
        g[city.casefold()] = Known(city, city, "city", "UKR", f"{oblast} oblast".casefold() if oblast else "ukraine")
    return g


GAZETTEER = _gazetteer()
_NOTES = {
    "crimea": "Crimea, occupied by Russia since 2014; the country is the internationally recognised one.",
}


def split_places(text: str) -> list[tuple[str, str, str | None]]:
    """Split place text into ``(as written, place, qualifier)`` parts.

    A qualifier is the place a part lies in, where the text says so with a comma.

    Examples
    --------
    >>> split_places("Primorsko-Akhtarsk and Chauda, Crimea")
    [('Primorsko-Akhtarsk', 'Primorsko-Akhtarsk', None), ('Chauda, Crimea', 'Chauda', 'Crimea')]
    >>> split_places("Bryansk oblast, Seshcha")
    [('Bryansk oblast, Seshcha', 'Seshcha', 'Bryansk oblast')]
    >>> split_places("Caspian Sea, Saratov oblast")
    [('Caspian Sea', 'Caspian Sea', None), ('Saratov oblast', 'Saratov oblast', None)]
    >>> split_places("Foo, Bar")
    [('Foo, Bar', 'Foo, Bar', None)]
    """
    out: list[tuple[str, str, str | None]] = []
    for part in _AND.split(" ".join(text.split())):
        part = part.strip(" ,")
        if not part:
            continue  # "Oryol oblast and and Shatalovo": an empty item, not a place
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        if len(pieces) == 1:
            out.append((pieces[0], pieces[0], None))
            continue
        part = ", ".join(pieces)
        known = [_is_known(p) for p in pieces]
        if len(pieces) == 2 and known[1] and _is_region(pieces[1]) and not known[0]:
            out.append((part, pieces[0], pieces[1]))  # "Chauda, Crimea": a place and the region it lies in
        elif len(pieces) == 2 and known[0] and _is_region(pieces[0]) and not known[1]:
            out.append((part, pieces[1], pieces[0]))  # "Bryansk oblast, Seshcha": a region and a place in it
        elif any(known):
            out.extend((p, p, None) for p in pieces)  # "Caspian Sea, Engels-2": a list of places
        else:
            out.append((part, part, None))  # "Foo, Bar": a list, or a place and its region? Kept as written.
    return out


def _is_known(name: str) -> bool:
    return name.casefold() in GAZETTEER


def _is_region(name: str) -> bool:
    k = GAZETTEER.get(name.casefold())
    return k is not None and k.kind in ("region", "country")


class Places:
    """Every place of an import, and the way from a source's text to a place id."""

    def __init__(self) -> None:
        self.places: dict[str, Place] = {}
        self._ids = IdRegistry()

    def resolve(self, text: str, origin: tuple[str, int]) -> str | None:
        """The place id for ``text``: one place, or a group place of kind 'area'.

        Examples
        --------
        >>> places = Places()
        >>> places.resolve("Kursk oblast and Chauda, Crimea", ("daily.csv", 2))
        'kursk-oblast-and-chauda-crimea'
        >>> places.places["chauda-crimea"].parent_id, places.places["crimea"].country
        ('crimea', 'UKR')
        """
        written = " ".join(text.split())
        if not written:
            return None
        parts = split_places(written)
        if not parts:
            return None
        ids = []
        for written_part, name, qualifier in parts:
            pid = self._one(written_part, name, qualifier, origin)
            if pid not in ids:
                ids.append(pid)
        if len(ids) == 1:
            return ids[0]
        key = "group:" + written.casefold()
        if key in self._ids:
            return self._ids.get(key)
        gid = self._ids.get(key, written)
        place = Place(gid, written, "area", origin=origin)
        place.notes.append(f"The places the source names together for one count: {' | '.join(ids)}. Each is a "
                           "place of its own; this row stands for the group and lies in none of them.")
        self.places[gid] = place
        return gid

    def _one(self, written: str, name: str, qualifier: str | None, origin: tuple[str, int]) -> str:
        key = written.casefold()
        if key in self._ids:
            return self._seen(key, written)
        if qualifier is None and key in GAZETTEER:
            return self._known(GAZETTEER[key], written, origin)
        parent = self._known(GAZETTEER[qualifier.casefold()], qualifier, origin) if qualifier else None
        pid = self._ids.get(key, written)
        if parent and _DISTRICT.search(name):
            country = self.places[parent].country
            place = Place(pid, written, "district", country, parent, origin=origin)
        else:
            place = Place(pid, written, "unresolved", None, parent, origin=origin)
            place.notes.append("Kept as the source wrote it; not resolved to a known place"
                               + (f", beyond lying in {qualifier}." if qualifier else "."))
        self.places[pid] = place
        return pid

    def _known(self, known: Known, written: str, origin: tuple[str, int]) -> str:
        key = written.casefold()
        if key in self._ids:
            return self._seen(key, written)
        parent = None
        if known.parent:
            parent = self._known(GAZETTEER[known.parent], GAZETTEER[known.parent].name, origin)
        pid = self._ids.get(key, known.key)
        place = Place(pid, written, known.kind, known.country, parent, origin=origin)
        if known.key in _NOTES:
            place.notes.append(_NOTES[known.key])
        self.places[pid] = place
        return pid

    def _seen(self, key: str, written: str) -> str:
        """The id of a place met before; another spelling of it goes into its notes."""
        place = self.places[self._ids.get(key)]
        if written != place.name and (note := f"Also written {written!r}.") not in place.notes:
            place.notes.append(note)
        return place.id

    def rows(self) -> list[dict]:
        return [p.row() for p in sorted(self.places.values(), key=lambda p: p.id)]
