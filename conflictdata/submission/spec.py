"""The submission's JSON Schema, generated from the package's Table Schemas.

Every property of a row is a field of its Table Schema, with the field's description, type,
enum, pattern, bounds and lengths; nothing is declared twice. The committed
``schemas/submission.schema.json`` is this function's output for the shipped package (a test
keeps the two equal); ``conflictdata new-submission --json-schema`` prints it again after a
schema change. ``conflictdata add`` checks each file against the schema generated from the
package it merges into, so it never trusts a stale copy.
"""

from __future__ import annotations

import json

from ..cast import SHAPES
from ..schema import Field
from .layout import Layout

DRAFT = "https://json-schema.org/draft/2020-12/schema"
_DERIVED = " Optional in a submission: left out, it is derived from the file."


def field_schema(f: Field, *, optional: bool = False) -> dict:
    """The JSON Schema of one field's value; null is allowed unless the field is required.

    Examples
    --------
    >>> from conflictdata.schema import Field
    >>> field_schema(Field("launched", "integer", constraints={"minimum": 0}))
    {'type': ['integer', 'null'], 'minimum': 0}
    """
    c = f.constraints
    nullable = optional or not f.required
    json_type = f.json_type()  # dates and times are text in YAML (see parse.py's resolver)
    out: dict = {"description": f.description} if f.description else {}
    out["type"] = [json_type, "null"] if nullable else json_type
    if f.json_format() is not None:
        out["format"] = f.json_format()
        out["pattern"] = text_shape(f.type)
    elif f.type == "string" and f.format not in ("default", None):
        out["format"] = f.format
    if "enum" in c:
        out["enum"] = [*c["enum"], None] if nullable else list(c["enum"])
    if f.pattern is not None:
        out["pattern"] = f.pattern
    for table_key, json_key in (("minimum", "minimum"), ("maximum", "maximum"),
                                ("minLength", "minLength"), ("maxLength", "maxLength")):
        if table_key in c:
            out[json_key] = c[table_key]
    return out


def text_shape(field_type: str) -> str:
    """The regular expression a date, time or datetime's text must match: the validator's own.

    Examples
    --------
    >>> import re
    >>> bool(re.match(text_shape("date"), "2024-10-08")), bool(re.match(text_shape("date"), "0000-10-08"))
    (True, False)
    """
    return SHAPES[field_type]


def row_schema(layout: Layout, table: str) -> dict:
    """The JSON Schema of one row of ``table`` as a submission writes it."""
    schema = layout.schemas[table]
    implied = layout.implied(table)
    props: dict = {}
    required: list[str] = []
    for f in schema.fields:
        if f.name in implied:
            continue
        derived = f.name in schema.primary_key
        prop = field_schema(f, optional=derived)
        if derived:
            prop["description"] = (prop.get("description", "") + _DERIVED).strip()
        props[f.name] = prop
        if f.required and not derived:
            required.append(f.name)
    branch = layout.branches.get(table)
    for child in branch.children if branch and branch.parent is not None else ():
        props[child] = _list_of(child, layout.schemas[child].description)
    out = {"type": "object", "properties": props, "additionalProperties": False}
    if schema.description:
        out = {"description": schema.description, **out}
    if required:
        out["required"] = required
    return out


def build_json_schema(layout: Layout) -> dict:
    """The JSON Schema of a submission file for the package ``layout`` was built from.

    Examples
    --------
    >>> from conflictdata.package import locate
    >>> from conflictdata.submission.layout import build_layout
    >>> schema = build_json_schema(build_layout(locate()))
    >>> list(schema["properties"])
    ['source', 'actors', 'places', 'munition_types', 'loss_categories', 'events', 'updates']
    """
    root = layout.branches[layout.root]
    props: dict = {root.key: {"$ref": f"#/$defs/{root.table}"}}
    for table in layout.catalogs:
        props[table] = _list_of(table, f"New rows only; existing ones are referred to by id. "
                                       f"{layout.schemas[table].description}".strip())
    for child in root.children:
        props[child] = {**_list_of(child, layout.schemas[child].description), "type": "array", "minItems": 1}
    return {
        "$schema": DRAFT,
        "title": "conflictdata submission",
        "description": ("One source document and everything read from it: its updates, the claims in "
                        f"each update, and the {_words(layout.catalogs)} the package lacks. "
                        "Generated from the package's Table Schemas; see CONTRIBUTING.md."),
        "type": "object",
        "properties": props,
        "required": [root.key, *root.children],
        "additionalProperties": False,
        "$defs": {table: row_schema(layout, table) for table in layout.tables},
    }


def render_json_schema(layout: Layout) -> str:
    """The JSON Schema as the committed file holds it (two-space indent, final newline)."""
    return json.dumps(build_json_schema(layout), indent=2, ensure_ascii=False) + "\n"


def _words(tables: tuple[str, ...]) -> str:
    """Table names as a phrase: ``('actors', 'munition_types', 'events')`` -> 'actors, munition types and events'."""
    names = [t.replace("_", " ") for t in tables]
    if len(names) < 2:
        return "".join(names) or "catalog rows"
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _list_of(table: str, description: str) -> dict:
    out = {"type": ["array", "null"], "items": {"$ref": f"#/$defs/{table}"}}
    return {"description": description, **out} if description else out
