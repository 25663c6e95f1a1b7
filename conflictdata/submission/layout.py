"""How a package's tables nest in a submission, read from the Table Schemas' foreign keys.

A submission is about one row of the *root* table (``sources``). A table with a foreign key
into the root is nested under it (``updates``), a table with a foreign key into a nested
table is nested one level deeper (the claims: ``munitions``, ``casualty_reports`` and
``damage_reports`` inside each update), and the foreign key fields of a nested table are filled
from its parent, so the contributor never writes them. Every other table is a *catalog*
(``actors``, ``places``, ``munition_types``, ``events``): a submission lists its new rows at the
top and refers to new or existing ones by id (a claim's ``event_id``, an event's ``place_id``).
A table's foreign key into itself (a claim's ``supersedes``, an actor's ``parent_id``) does not
nest it. Nothing here names a field: add a table or a key to the descriptor and the layout
follows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..errors import PackageError
from ..package import Package
from ..schema import TableSchema

ROOT_TABLE = "sources"
ROOT_KEY = "source"  # the root is one mapping, not a list, so its key is singular


@dataclass(frozen=True)
class Branch:
    """A table of the submission tree: where it sits and what nesting fills in."""

    table: str
    key: str  # the YAML key it is written under
    parent: str | None
    link: tuple[tuple[str, str], ...] = ()  # (own field, parent's field) pairs filled from the parent
    children: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layout:
    """The submission's shape for one package."""

    root: str
    branches: dict[str, Branch]  # root first, then breadth first
    catalogs: tuple[str, ...]
    schemas: dict[str, TableSchema]
    order: tuple[str, ...]  # every table, parents before the tables that refer to them

    @property
    def tables(self) -> tuple[str, ...]:
        return (*self.branches, *self.catalogs)

    def implied(self, table: str) -> tuple[str, ...]:
        """Fields a submission never writes for ``table``: they come from the parent."""
        branch = self.branches.get(table)
        return tuple(own for own, _ in branch.link) if branch else ()


def build_layout(package: Package) -> Layout:
    """The layout of ``package``'s submissions.

    Examples
    --------
    >>> from conflictdata.package import locate
    >>> layout = build_layout(locate())
    >>> layout.branches["updates"].children
    ('munitions', 'casualty_reports', 'damage_reports', 'equipment_losses', 'loss_adjustments', 'loss_directions')
    >>> layout.implied("munitions")
    ('update_id',)
    """
    schemas = {name: TableSchema.from_dict(r.schema) for name, r in package.resources.items()}
    if ROOT_TABLE not in schemas:
        raise PackageError(f"{package.descriptor_path}: submissions need a table named {ROOT_TABLE!r}")
    branches: dict[str, Branch] = {ROOT_TABLE: Branch(ROOT_TABLE, ROOT_KEY, None)}
    frontier = [ROOT_TABLE]
    while frontier:
        parent = frontier.pop(0)
        kids = []
        for name, schema in schemas.items():
            if name in branches:
                continue
            links = [fk for fk in schema.foreign_keys if fk.resource == parent]
            if not links:
                continue
            if len(links) > 1 or any(fk.resource in branches and fk.resource != parent for fk in schema.foreign_keys):
                raise PackageError(f"table {name!r} refers to more than one table of the submission tree; "
                                   "a submission cannot say where to nest it")
            fk = links[0]
            branches[name] = Branch(name, name, parent, tuple(zip(fk.fields, fk.reference_fields, strict=True)))
            kids.append(name)
            frontier.append(name)
        branches[parent] = replace(branches[parent], children=tuple(kids))
    catalogs = tuple(name for name in schemas if name not in branches)
    return Layout(ROOT_TABLE, branches, catalogs, schemas, _parents_first(schemas))


def _parents_first(schemas: dict[str, TableSchema]) -> tuple[str, ...]:
    from graphlib import TopologicalSorter

    graph = {name: {fk.resource for fk in s.foreign_keys if fk.resource and fk.resource != name and
                    fk.resource in schemas} for name, s in schemas.items()}
    sorter = TopologicalSorter(graph)
    sorter.prepare()
    order: list[str] = []
    while sorter.is_active():  # each round in descriptor order, so the result is stable
        ready = sorted(sorter.get_ready(), key=list(schemas).index)
        order.extend(ready)
        sorter.done(*ready)
    return tuple(order)
