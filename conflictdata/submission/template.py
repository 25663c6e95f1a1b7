"""The compact, commented submission template that ``conflictdata new-submission`` prints.

One news report's worth, generated from the Table Schemas like the JSON Schema: the source
(every field), one update and one claim of the first claims table, each field with the first
sentence of its description, whether it is required and its allowed values. A claim shows
the fields a typical report fills in: the required ones, those that identify a claim (the
schema's ``claimKey``: who, which event, attacker, weapon, window, places), the qualifiers of
those (``event_link``, ``window_precision``...), its first count and the text its id is
derived from (``quote``). Everything else (the other claims tables, new actors, places,
munition types and events, bounds, hedges, notes) is described in the JSON Schema the first
line points an editor at, and in CONTRIBUTING.md.
"""

from __future__ import annotations

import json
import re
import textwrap

from .layout import Layout

WIDTH = 100
SCHEMA_FILE = "submission.schema.json"  # in the package's schemas/ folder
SCHEMA_LINE = "# yaml-language-server: $schema={}"


def render_template(layout: Layout, url: str | None = None, schema: str | None = None) -> str:
    """A YAML template for one source, with ``url`` filled in and the first line pointing at ``schema``.

    Examples
    --------
    >>> from conflictdata.package import locate
    >>> from conflictdata.submission.layout import build_layout
    >>> text = render_template(build_layout(locate()), "https://example.org/live", "schema.json")
    >>> text.splitlines()[0]
    '# yaml-language-server: $schema=schema.json'
    >>> 'url: "https://example.org/live"' in text, len(text.splitlines()) < 100
    (True, True)
    """
    root = layout.branches[layout.root]
    update = root.children[0]
    claims = layout.branches[update].children
    out = [SCHEMA_LINE.format(schema)] if schema else []
    out += _comment("A conflictdata submission: one file per source document (CONTRIBUTING.md walks through "
                    "one). Write what the source says and nothing more: leave a value empty when the source "
                    "does not give it (0 only where it says none). Ids are derived from the file: leave them out.", "")
    out += _comment(f"Also possible: lists of {_words(claims[1:])} in an update beside {claims[0]}, and new "
                    f"{_words(layout.catalogs)} at the top level; every field is described in the JSON Schema "
                    "the first line names (an editor with YAML support completes and checks them).", "")
    out += ["# Check the file with: conflictdata add --dry-run FILE", "", f"{root.key}:"]
    out += _fields(layout, root.table, _shown(layout, root.table, ("url",)), "  ", {"url": url})
    out += ["", f"{update}:  # one per dated entry of the document, in order"]
    out += _item(layout, update, "    ")
    out += [f"    {claims[0]}:  # one per claimant and figure; copy the block for each"]
    out += _item(layout, claims[0], "        ")
    return "\n".join(out) + "\n"


def _shown(layout: Layout, table: str, given: tuple[str, ...] = ()) -> list[str]:
    """The fields a typical report fills in: required, identifying (claimKey, identityFields),
    the idFrom text, the qualifiers of those, the first count, and those the command was given."""
    schema = layout.schemas[table]
    skip = {*schema.primary_key, *layout.implied(table)}
    wanted = ({f.name for f in schema.fields if f.required} | set(schema.claim_key) | set(schema.identity_fields)
              | {schema.id_from} | set(given))
    wanted |= {f.name for f in schema.fields if f.qualifies in wanted}
    wanted |= set(schema.measures()[:1])
    return [n for n in schema.names if n in wanted and n not in skip]


def _item(layout: Layout, table: str, indent: str) -> list[str]:
    lines = _fields(layout, table, _shown(layout, table), indent)
    first = next(i for i, line in enumerate(lines) if not line.lstrip().startswith("#"))
    lines[first] = indent[:-2] + "- " + lines[first][len(indent):]
    return lines


def _fields(layout: Layout, table: str, names: list[str], indent: str, values: dict | None = None) -> list[str]:
    """Each field as ``name:  # note`` (the note above it when the line would be too long)."""
    schema = layout.schemas[table]
    lines: list[str] = []
    for name in names:
        f = schema.field(name)
        value = (values or {}).get(name)
        line = f"{indent}{name}:" + (f" {json.dumps(value)}" if value else "")
        # an enum's values say enough; its meaning, like every field's whole text, is in the JSON Schema
        what = "One of: " + ", ".join(str(v) for v in f.enum) + "." if f.enum else _first_sentence(f.description)
        note = " ".join(n for n in ("Required." if f.required else "", what) if n)
        if len(f"{line}  # {note}") > WIDTH and not f.enum:
            what = re.split(r";| \(|: ", what, maxsplit=1)[0].rstrip(".") + "."
            note = " ".join(n for n in ("Required." if f.required else "", what) if n)
        if len(f"{line}  # {note}") <= WIDTH:
            lines.append(f"{line}  # {note}" if note else line)
        else:
            lines += [*_comment(note, indent), line]
    return lines


def _first_sentence(text: str) -> str:
    """The first sentence of a description, with its full stop (an 'e.g.' does not end one)."""
    head = re.split(r"(?<!e\.g)\.(?:\s|$)", text.strip(), maxsplit=1)[0].strip()
    return f"{head}." if head else ""


def _words(tables: tuple[str, ...]) -> str:
    names = list(tables)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _comment(text: str, indent: str) -> list[str]:
    if not text:
        return []
    return [f"{indent}# {line}" for line in textwrap.wrap(text, WIDTH - len(indent) - 2)]
