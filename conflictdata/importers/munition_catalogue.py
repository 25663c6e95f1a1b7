"""Weapon names in, ``munition_types`` rows out: one id per weapon, whatever the spelling.

A catalogue file (``missiles_and_uavs.csv``: model, category, name, ...) gives each model
its category and other names. Spellings are folded together by :func:`model_key`: the Latin
"X-" and "Kh-" (both transliterate the Cyrillic "Х-") and "C-"/"S-" (Cyrillic "С-") before a
number are one prefix, so "X-101" and "Kh-101" are one type.

A name that joins several weapons with " and " ("X-101/X-555 and Kalibr") is a *group*: one
type of category ``mixed`` whose ``members`` are the ids of its parts, because the source
counts the group together and its count is never split. A slash ("X-101/X-555") stays one
type, as the catalogue lists it. A name neither the catalogue nor its parts explain becomes
its own type, named as written, of category ``other``: a category is never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import PackageError
from .csvinput import Columns, InputTable
from .slugs import IdRegistry

CATALOGUE_COLUMNS = Columns(
    required=("model", "category"),
    optional=("national_origin", "type", "launch_platform", "name", "name_NATO", "in_sevice", "designer",
              "manufacturer", "guidance_system", "unit_cost"),
    renamed={"in_service": "in_sevice"},
)
# The catalogue's categories -> the munition_types schema's enum (checked against it at run time).
CATEGORIES = {
    "uav": "drone",
    "drone": "drone",
    "ballistic missile": "ballistic_missile",
    "cruise missile": "cruise_missile",
    "anti-ship missile": "anti_ship_missile",
    "guided missile": "guided_missile",
    "surface-to-air missile": "air_defence_missile",
    "guided bomb": "guided_aerial_bomb",
    "rocket": "rocket",
    "surface-to-air and ballistic": "mixed",  # the catalogue uses it for groups only
}
# Catalogue columns worth keeping in a type's notes, with the words used there.
_NOTE_COLUMNS = (("national_origin", "origin"), ("type", "type"), ("name_NATO", "NATO name"),
                 ("in_sevice", "in service since"), ("manufacturer", "manufacturer"))
# A name ending in one of these words names a class of weapon, not a model.
_CLASS_WORDS = {"uav", "uavs", "drone", "drones", "missile", "missiles", "bomb", "bombs", "rocket", "rockets"}
_JOIN = re.compile(r"\s+and\s+", re.IGNORECASE)


def model_key(name: str) -> str:
    """The spelling-free key of a weapon name.

    Examples
    --------
    >>> model_key("Kh-101/Kh-555") == model_key("X-101 / X-555") == model_key("Х-101/Х-555")
    True
    >>> model_key("S-300") == model_key("C-300")
    True
    """
    k = " ".join(name.split()).casefold()
    k = re.sub(r"\s*/\s*", "/", k)
    k = re.sub(r"(?<![a-z\u0400-\u04ff])(?:kh|х|x)-(?=\d)", "x-", k)
    return re.sub(r"(?<![a-z\u0400-\u04ff])(?:s|с|c)-(?=\d)", "c-", k)


def latin_variant(name: str) -> str:
    """The same designation with "Kh-"/"S-" for "X-"/"C-" (how English sources usually write it)."""
    name = re.sub(r"(?<![A-Za-z])X-(?=\d)", "Kh-", name)
    return re.sub(r"(?<![A-Za-z])C-(?=\d)", "S-", name)


@dataclass
class MunitionType:
    id: str
    name: str
    category: str
    model: str | None
    aliases: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    origin: tuple[str, int] | None = None  # (file name, line) the row comes from

    def row(self) -> dict:
        return {"munition_type_id": self.id, "name": self.name, "category": self.category, "model": self.model,
                "aliases": "|".join(self.aliases) or None, "members": "|".join(self.members) or None,
                "notes": " ".join(self.notes) or None}


class MunitionCatalogue:
    """Every munition type of an import, and the way from a written name to its id.

    Parameters
    ----------
    categories : sequence of str
        The ``category`` enum of the munition_types Table Schema; a catalogue category that
        maps to a value not in it becomes ``other``.
    """

    def __init__(self, categories) -> None:
        self.enum = list(categories)
        if missing := sorted({"mixed", "other"} - set(self.enum)):
            # A category the schema lacks maps to 'other'; these two the importer cannot do without.
            raise PackageError(f"the munition_types schema has no category {' or '.join(missing)}; "
                               "this importer needs them")
        self.types: dict[str, MunitionType] = {}
        self._by_key: dict[str, str] = {}
        self._ids = IdRegistry()
        self.source_name: str | None = None

    # --- loading the catalogue ---------------------------------------------------------------

    def load(self, table: InputTable) -> None:
        """Add every row of a catalogue file (read with :data:`CATALOGUE_COLUMNS`)."""
        self.source_name = table.name
        rows = [(line, " ".join(rec["model"].split()), rec) for line, rec in table.records]
        # Single models first, so a group finds its members whatever the order of the file.
        singles = [r for r in rows if r[1] and not _JOIN.search(r[1])]
        groups = [r for r in rows if r[1] and _JOIN.search(r[1])]
        pending_aliases: list[tuple[MunitionType, str]] = []
        for line, name, rec in singles:
            if model_key(name) in self._by_key:
                t = self.types[self._by_key[model_key(name)]]
                t.notes.append(f"The catalogue lists it again on line {line}.")
                continue
            raw_category = " ".join(rec["category"].split())
            t = self._add(name, self._category(raw_category), (table.name, line))
            details = [f"{label} {v}" for col, label in _NOTE_COLUMNS if (v := " ".join(rec.get(col, "").split()))]
            t.notes.append(f"From the catalogue {table.name}: category {raw_category or 'not given'}"
                           + (f"; {'; '.join(details)}." if details else "."))
            if (other := " ".join(rec.get("name", "").split())) and other != name:
                pending_aliases.append((t, other))
        # Other names once every model is in, so a name never takes another model's key.
        for t, other in pending_aliases:
            owner = self._by_key.setdefault(model_key(other), t.id)
            if owner == t.id:
                self._alias(t, other)
            else:
                t.notes.append(f"The catalogue also calls it {other!r}, a name of {owner!r}; not used as an alias.")
        for line, name, rec in groups:
            if model_key(name) in self._by_key:
                self.types[self._by_key[model_key(name)]].notes.append(f"The catalogue lists it again on line {line}.")
                continue
            t = self._group(name, (table.name, line))
            if raw_category := " ".join(rec["category"].split()):
                t.notes.append(f"Catalogue category: {raw_category}.")

    def _category(self, raw: str) -> str:
        if not raw:
            return "other"
        mapped = CATEGORIES.get(raw.casefold())
        return mapped if mapped is not None and mapped in self.enum else "other"

    # --- names from the data ---------------------------------------------------------------

    def resolve(self, written: str, origin: tuple[str, int]) -> str | None:
        """The id of a weapon as written in the data; unknown names become types of their own.

        Examples
        --------
        >>> cat = MunitionCatalogue(["drone", "cruise_missile", "mixed", "other"])
        >>> cat.resolve("X-101/X-555 and Kalibr", ("daily.csv", 2))
        'x-101-x-555-and-kalibr'
        >>> cat.types["x-101-x-555-and-kalibr"].members
        ['x-101-x-555', 'kalibr']
        >>> cat.resolve("Kh-101/Kh-555", ("daily.csv", 3))
        'x-101-x-555'
        """
        name = " ".join(written.split())
        if not name:
            return None
        key = model_key(name)
        if key in self._by_key:
            t = self.types[self._by_key[key]]
            if name != t.name and name not in t.aliases:
                self._alias(t, name)
            return t.id
        if _JOIN.search(name):
            return self._group(name, origin).id
        where = f"the catalogue {self.source_name}" if self.source_name else "a catalogue (none was given)"
        t = self._add(name, "other", origin)
        t.notes.append(f"Named so in the data; not in {where}, so its category is not guessed.")
        return t.id

    # --- building blocks ---------------------------------------------------------------------

    def _add(self, name: str, category: str, origin: tuple[str, int]) -> MunitionType:
        key = model_key(name)
        ident = self._ids.get(key, name)
        is_class = name.split()[-1].casefold() in _CLASS_WORDS and not re.search(r"\d", name)
        t = MunitionType(ident, name, category, None if is_class else name, origin=origin)
        variant = latin_variant(name)
        if variant != name:
            t.aliases.append(variant)
        self.types[ident] = t
        self._by_key[key] = ident
        return t

    def _group(self, name: str, origin: tuple[str, int]) -> MunitionType:
        members: list[str] = []
        for part in _JOIN.split(name):
            part = part.strip()
            if part:
                member = self.resolve(part, origin)
                if member and member not in members:
                    members.append(member)
        # A group is its set of members: "Kalibr and X-101/X-555" is the group "X-101/X-555 and Kalibr".
        set_key = "group:" + "|".join(sorted(members))
        if set_key in self._by_key:
            t = self.types[self._by_key[set_key]]
            self._by_key[model_key(name)] = t.id
            if name != t.name:
                self._alias(t, name)
            return t
        ident = self._ids.get(model_key(name), name)
        t = MunitionType(ident, name, "mixed", None, members=members, origin=origin)
        t.notes.append("A group the source counts together; its counts are never split between the members.")
        self.types[ident] = t
        self._by_key[model_key(name)] = ident
        self._by_key[set_key] = ident
        return t

    @staticmethod
    def _alias(t: MunitionType, other: str) -> None:
        for spelling in (other, latin_variant(other)):
            if spelling != t.name and spelling not in t.aliases:
                t.aliases.append(spelling)

    def rows(self) -> list[dict]:
        return [t.row() for t in sorted(self.types.values(), key=lambda t: t.id)]
