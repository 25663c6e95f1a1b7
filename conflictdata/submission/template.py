"""The commented submission template that ``conflictdata new-submission`` prints.

Generated from the Table Schemas like the JSON Schema: every field appears with its
description, whether it is required and its allowed values, so the template cannot drift
from the package.
"""

from __future__ import annotations

import json
import textwrap

from .layout import Layout

WIDTH = 100
SCHEMA_LINE = "# yaml-language-server: $schema=../schemas/submission.schema.json"


def render_template(layout: Layout, url: str | None = None) -> str:
    """A YAML template for one source, with ``url`` filled in.

    Examples
    --------
    >>> from conflictdata.package import locate
    >>> from conflictdata.submission.layout import build_layout
    >>> text = render_template(build_layout(locate()), "https://example.org/live")
    >>> 'url: "https://example.org/live"' in text
    True
    """
    root = layout.branches[layout.root]
    out = [
        SCHEMA_LINE,
        "# A conflictdata submission: one file per source document. CONTRIBUTING.md walks through one.",
        "# Write what the source says and nothing more: leave a value empty when the source does not",
        "# give it (0 only where it says none). Ids may be left empty: they are derived from the file.",
        "# Delete the blocks you do not need. Check the file with: conflictdata add --dry-run FILE",
        "",
        f"{root.key}:",
    ]
    out += _fields(layout, root.table, "  ", {"url": url})
    for table in layout.catalogs:
        out += ["", *_comment(f"New {table} only (those the package lacks; refer to existing ones by id). "
                              "Uncomment and copy the block for each.", ""), f"{table}:"]
        out += [f"#{line[1:]}" if line.startswith("  ") else f"# {line}"
                for line in _item(layout, table, "    ")]
    for child in root.children:
        out += ["", *_comment(layout.schemas[child].description, ""), f"{child}:"]
        out += _item(layout, child, "    ")
    return "\n".join(out) + "\n"


def _item(layout: Layout, table: str, indent: str) -> list[str]:
    lines = _fields(layout, table, indent)
    first = next(i for i, line in enumerate(lines) if not line.lstrip().startswith("#"))
    lines[first] = indent[:-2] + "- " + lines[first][len(indent):]
    branch = layout.branches.get(table)
    for child in branch.children if branch else ():
        lines += _comment(layout.schemas[child].description, indent)
        lines.append(f"{indent}{child}:")
        lines += _item(layout, child, indent + "    ")
    return lines


def _fields(layout: Layout, table: str, indent: str, values: dict | None = None) -> list[str]:
    schema = layout.schemas[table]
    implied = layout.implied(table)
    lines: list[str] = []
    for f in schema.fields:
        if f.name in implied:
            continue
        notes = [f.description.rstrip(".") + "." if f.description else ""]
        if f.name in schema.primary_key:
            named = schema.id_from
            notes.append(f"Leave empty to derive it{f' from {named}' if named else ''}.")
        elif f.required:
            notes.append("Required.")
        if f.enum:
            notes.append("One of: " + ", ".join(str(v) for v in f.enum) + ".")
        lines += _comment(" ".join(n for n in notes if n), indent)
        value = (values or {}).get(f.name)
        lines.append(f"{indent}{f.name}:" + (f" {json.dumps(value)}" if value else ""))
    return lines


def _comment(text: str, indent: str) -> list[str]:
    if not text:
        return []
    return [f"{indent}# {line}" for line in textwrap.wrap(text, WIDTH - len(indent) - 2)]
