"""Refuse a pull request that weakens the rules: compare a package's schemas with its base's.

Validation checks data against the package's own schemas, so a pull request that deletes a
``pattern``, raises a ``maxLength``, adds an enum value, drops ``required``, a primary or a
foreign key, a field or a whole table is validated against its own weaker rules and passes.
:func:`weakenings` compares each Table Schema of the package with the same table's schema in
a base (the target branch, or a release) and returns every change that lets through data the
base refused, as a ``schema-weakened`` fault on the schema file and the field's line: what
``conflictdata validate PATH --base BASE`` adds to the report. The comparison is the one
``conflictdata diff`` makes (:func:`conflictdata.diff.schema_changes`), without the rows.

Examples
--------
>>> from conflictdata.package import locate
>>> weakenings(locate(), locate())
[]
"""

from __future__ import annotations

from .diff import SchemaChange, schema_changes
from .package import DESCRIPTOR, Package, Resource, safe_join
from .report import ERROR, Fault
from .schema import TableSchema
from .strictjson import line_of, read_json

CODE = "schema-weakened"  # registered in conflictdata.catalogue
# Changes that sit at the top of a Table Schema, not in a field.
_SCHEMA_KEYS = ("primaryKey", "claimKey", "foreignKeys", "missingValues")


def weakenings(package: Package, base: Package) -> list[Fault]:
    """A ``schema-weakened`` fault for each table or rule of ``base`` that ``package`` drops or loosens.

    Tables are matched by name, fields by name (a renamed field is one removed). Nothing but
    the descriptors and schemas is read.
    """
    faults = []
    for name, old in base.resources.items():
        new = package.resources.get(name)
        if new is None:
            faults.append(Fault(name, DESCRIPTOR, None, None, None, CODE,
                                f"the table {name!r} was removed: the base has it, and its rules no longer apply",
                                ERROR))
            continue
        changes = [c for c in schema_changes(name, TableSchema.from_dict(old.schema),
                                             TableSchema.from_dict(new.schema)) if c.weakens]
        if not changes:
            continue
        shown, text, at = _schema_source(package, new)
        for change in changes:
            line = _line(text, at, new.schema, change)
            faults.append(Fault(name, shown, line, change.field, None, CODE,
                                f"{change.detail}: data the base's schema refuses would pass", ERROR))
    return faults


def _schema_source(package: Package, resource: Resource) -> tuple[str, str, tuple]:
    """The file a resource's schema is in (as the descriptor names it), its text, and the schema's path in it."""
    at: tuple
    if resource.schema_path is None:
        index = [r.get("name") for r in package.descriptor["resources"]].index(resource.name)
        shown, file, at = DESCRIPTOR, package.descriptor_path, ("resources", index, "schema")
    else:
        shown, file, at = resource.schema_path, safe_join(package.root, resource.schema_path), ()
    # Read again for the lines only: open_package has checked it, and keeps no text.
    _, text = read_json(file, shown, "Table Schema")
    return shown, text, at


def _line(text: str, at: tuple, schema: dict, change: SchemaChange) -> int | None:
    """The line in the new schema where ``change`` is; None when what changed is gone from it."""
    key = change.key
    if key in _SCHEMA_KEYS:
        return line_of(text, (*at, key)) if key in schema else None
    index = next((i for i, f in enumerate(schema["fields"]) if f["name"] == change.field), None)
    if index is None:
        return None
    f = schema["fields"][index]
    if key is not None and key in f.get("constraints", {}):  # (JSON keys are text: None is in no object)
        return line_of(text, (*at, "fields", index, "constraints", key))
    if key is not None and key in f:
        return line_of(text, (*at, "fields", index, key))
    return line_of(text, (*at, "fields", index, "name"))
