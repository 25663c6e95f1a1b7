"""The one shape of an actor or a place while an import builds them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar


@dataclass
class Entity:
    """A row of ``actors`` or ``places``: id, name, kind, country, parent, notes, first input line.

    Fields the import never sets (coordinates, admin region) are left out of :meth:`row`;
    the writer writes every schema field and leaves those empty.
    """

    KEY: ClassVar[str] = ""

    id: str
    name: str
    kind: str
    country: str | None = None
    parent_id: str | None = None
    notes: list[str] = field(default_factory=list)
    origin: tuple[str, int] | None = None

    def row(self) -> dict:
        return {self.KEY: self.id, "name": self.name, "kind": self.kind, "country": self.country,
                "parent_id": self.parent_id, "notes": " ".join(self.notes) or None}
