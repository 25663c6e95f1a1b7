"""A parsed submission in, one row of text cells per table row out.

First the file is checked against the submission's JSON Schema (generated from the Table
Schemas, so a type, enum or pattern fault reads as the validator's would), each fault at the
line of the key or value concerned. Then every mapping becomes a row: nested rows get their
parent's id, ids left out are derived (:mod:`.ids`), and each row remembers where in the file
each of its fields was written, so a fault found later in the merged package can be reported
at the submission's line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from ..suggest import did_you_mean
from . import ids
from .layout import Layout
from .parse import Parsed, clip, dotted
from .spec import build_json_schema

_WORDS = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
          "array": "a list (lines starting with '- ')", "object": "a mapping ('key: value' lines)",
          "null": "empty"}
_SHAPE_HINTS = {"date": "YYYY-MM-DD", "time": "hh:mm:ss", "datetime": "YYYY-MM-DDThh:mm:ss"}


@dataclass
class Origin:
    """Where a row was written: the file, the row's mapping and the line of each field."""

    file: str
    path: tuple
    line: int | None
    field_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, name: str | None) -> int | None:
        return self.field_lines.get(name, self.line) if name else self.line

    def where(self, name: str | None = None) -> str:
        return dotted((*self.path, name)) if name else dotted(self.path)


@dataclass
class NewRow:
    """One row a submission adds: text cells for every field of its table."""

    table: str
    cells: dict[str, str]
    origin: Origin
    derived: tuple[str, ...] = ()  # fields whose value the file left out (ids)
    parent: NewRow | None = None


def check_shape(parsed: Parsed, layout: Layout) -> None:
    """Add a fault to ``parsed`` for every way its value breaks the submission's JSON Schema."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(build_json_schema(layout))
    # jsonschema reports a missing key once per missing key, each time with the whole list of
    # required keys; and a value the parser already refused (a number too long to read) would
    # be refused again as text. Each is said once.
    said = {f.field for f in parsed.faults if f.field}
    missing: set[tuple] = set()
    for error in validator.iter_errors(parsed.value):
        if error.validator != "required" and dotted(tuple(error.absolute_path)) in said:
            continue
        _describe(error, parsed, layout, missing)


def build_rows(parsed: Parsed, layout: Layout) -> list[NewRow]:
    """The rows of a submission that passed :func:`check_shape`; faults for ids that cannot be derived.

    Examples
    --------
    >>> from conflictdata.package import locate
    >>> from conflictdata.submission.layout import build_layout
    >>> from conflictdata.submission.parse import parse_text
    >>> layout = build_layout(locate())
    >>> parsed = parse_text(
    ...     "source: {publisher: DW, title: Live, kind: live_blog, published_date: 2024-10-08}\\n"
    ...     "updates: [{headline: Drones shot down, summary: Ukraine says so.}]\\n")
    >>> [(r.table, r.cells[layout.schemas[r.table].primary_key[0]]) for r in build_rows(parsed, layout)]
    [('sources', 'dw-2024-10-08-live'), ('updates', 'dw-2024-10-08-drones-shot-down')]
    """
    rows: list[NewRow] = []
    # build_rows runs on a submission its JSON Schema has passed: the value is a mapping
    value = cast("dict[str, Any]", parsed.value)
    root = layout.branches[layout.root]
    source = _row(parsed, layout, root.table, (root.key,), value[root.key], None)
    rows.append(source)
    for table in layout.catalogs:
        for i, item in enumerate(value.get(table) or []):
            rows.append(_row(parsed, layout, table, (table, i), item, None))
    _nested(parsed, layout, root.table, (), value, source, rows)
    _assign_ids(rows, layout, parsed)
    return rows


def _nested(parsed, layout, table, path, mapping, parent, rows) -> None:
    for child in layout.branches[table].children:
        for i, item in enumerate(mapping.get(child) or []):
            row = _row(parsed, layout, child, (*path, child, i), item, parent)
            rows.append(row)
            _nested(parsed, layout, child, (*path, child, i), item, row, rows)


def _row(parsed: Parsed, layout: Layout, table: str, path: tuple, mapping: dict, parent) -> NewRow:
    schema = layout.schemas[table]
    cells = {f.name: _cell(mapping.get(f.name), f.type) for f in schema.fields}
    # (the keys built apart: mypy 2.4 takes a starred tuple in [] for 3.11-only syntax)
    keyed = {name: (*path, name) for name in mapping}
    lines = {name: parsed.key_lines[key] for name, key in keyed.items() if key in parsed.key_lines}
    return NewRow(table, cells, Origin(parsed.path, path, parsed.lines.get(path), lines), parent=parent)


def _cell(value, field_type: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and field_type == "integer" and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _assign_ids(rows: list[NewRow], layout: Layout, parsed: Parsed) -> None:
    """Derive the ids the file leaves out, then fill each nested row's link to its parent."""
    taken: dict[str, set[str]] = {t: set() for t in layout.tables}
    for row in rows:  # explicit ids first, so a derived id never takes one written later in the file
        for key in layout.schemas[row.table].primary_key:
            if row.cells[key]:
                taken[row.table].add(row.cells[key])
    prefix = ids.source_prefix(rows[0].cells)
    positions: dict[tuple, int] = {}
    for row in rows:
        pk = layout.schemas[row.table].primary_key
        branch = layout.branches.get(row.table)
        if branch and row.parent is not None:
            for own, theirs in branch.link:
                row.cells[own] = row.parent.cells[theirs]
        missing = [k for k in pk if not row.cells[k]]
        if not missing:
            continue
        if len(pk) != 1:
            parsed.fault(row.origin.path, "id-required",
                         f"write {', '.join(missing)}: ids made of several fields are not derived")
            continue
        slot = (row.table, id(row.parent))
        positions[slot] = positions.get(slot, 0) + 1
        scope = row.parent.cells[layout.schemas[row.parent.table].primary_key[0]] if row.parent else prefix
        named = layout.schemas[row.table].id_from or ""
        wanted = ids.candidate(row.table, row.cells, named_by=named,
                               prefix=None if row.table in layout.catalogs else prefix,
                               scope=scope or prefix, position=positions[slot])
        if wanted is None:
            parsed.fault(row.origin.path, "id-not-derivable",
                         f"no {pk[0]} can be derived from the {named} {row.cells.get(named, '')!r} "
                         f"(no Latin letters or digits); write {pk[0]}")
            continue
        row.cells[pk[0]] = ids.unique(wanted, taken[row.table])
        row.derived = (pk[0],)


def table_at(path: tuple, layout: Layout) -> str | None:
    """The table whose row sits at ``path`` (``("updates", 0, "munitions", 1)`` -> ``munitions``)."""
    keys = [p for p in path if isinstance(p, str)]
    if not keys:
        return None
    names = {b.key: t for t, b in layout.branches.items()} | {t: t for t in layout.catalogs}
    if isinstance(path[-1], int) or (len(path) == 1 and keys[-1] in names):
        return names.get(keys[-1])
    return None


def _describe(error, parsed: Parsed, layout: Layout, missing: set[tuple]) -> None:
    path = tuple(error.absolute_path)
    kind, instance, expected = error.validator, error.instance, error.validator_value
    name = next((p for p in reversed(path) if isinstance(p, str)), "the file")
    if kind == "required":
        for key in expected:
            if isinstance(instance, dict) and key not in instance and (*path, key) not in missing:
                missing.add((*path, key))
                where = f" ({dotted(path)})" if path else ""
                parsed.fault(path, "constraint-required", f"{key} is required{where}",
                             line=parsed.lines.get(path))
        return
    if kind == "additionalProperties":
        table = table_at(path, layout) if path else None
        allowed = list(error.schema.get("properties", {}))
        for key in instance:
            if key in allowed:
                continue
            message = f"unknown key {clip(key)}"
            if table and key in layout.implied(table):
                message += " (it is filled in from the enclosing entry; leave it out)"
            else:
                hint = did_you_mean(key, allowed)
                message += f"; {hint}" if hint else f"; allowed here: {', '.join(allowed)}"
            parsed.fault((*path, key), "unknown-key", message, value=_shown(key))
        return
    if kind == "type":
        wanted = [expected] if isinstance(expected, str) else list(expected)
        words = " or ".join(_WORDS.get(w, w) for w in wanted)
        if not path:
            keys = ", ".join(error.schema.get("properties", {}))
            parsed.fault(path, "type-error", f"the file must be a mapping with the keys {keys}",
                         line=parsed.lines.get((), 1))
            return
        if instance is None:
            parsed.fault(path, "constraint-required", f"{name} is required but empty")
            return
        got = _WORDS.get(_json_type(instance), type(instance).__name__)
        message = f"{name} must be {words}, not {got}"
        if isinstance(instance, str) and ("integer" in wanted or "number" in wanted):
            message += f" ({clip(instance)})"
        if "string" in wanted and isinstance(instance, (int, float, bool)):
            message += f"; put the value in quotes: '{instance}'"
        parsed.fault(path, "type-error", message, value=_shown(instance))
        return
    if kind == "enum":
        if instance is None:
            return  # a required field left empty: the type check says so once
        listed = ", ".join(str(v) for v in expected if v is not None)
        parsed.fault(path, "constraint-enum", f"{name} is {clip(instance)}; allowed: {listed}",
                     value=_shown(instance))
        return
    if kind == "pattern":
        hint = _pattern_hint(path, layout, name)
        parsed.fault(path, "constraint-pattern", f"{name} is {clip(instance)}, {hint}", value=_shown(instance))
        return
    if kind in ("minimum", "maximum"):
        side = "below the minimum" if kind == "minimum" else "above the maximum"
        parsed.fault(path, f"constraint-{kind}", f"{name} is {instance}, {side} {expected}", value=instance)
        return
    if kind in ("minLength", "maxLength"):
        side = "shorter" if kind == "minLength" else "longer"
        code = "constraint-min-length" if kind == "minLength" else "constraint-max-length"
        parsed.fault(path, code, f"{name} is {side} than {expected} characters ({len(instance)})",
                     value=instance[:80])
        return
    if kind == "minItems":
        parsed.fault(path, "constraint-required", f"{name} needs at least {expected} item(s)")
        return
    parsed.fault(path, "schema", f"{name}: {error.message}", value=None)


def _shown(value) -> str:
    """A value as a fault keeps it: text, cut to 200 characters (the message says the length)."""
    return str(value)[:200]


def _pattern_hint(path: tuple, layout: Layout, name: str) -> str:
    table = table_at(path[:-1], layout)
    if table and name in layout.schemas[table].names:
        f = layout.schemas[table].field(name)
        if f.type in _SHAPE_HINTS:
            return f"which is not a {f.type}; write {_SHAPE_HINTS[f.type]}"
        pattern = f.constraints.get("pattern", "")
        if pattern.startswith("[a-z0-9]+"):
            return "which is not an id: lower-case letters and digits joined by '-' (e.g. 'oleh-kiper')"
        return f"which does not match the pattern {pattern}"
    return "which does not match the expected pattern"


# bool before int: a bool is an int in Python, not in JSON.
_JSON_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"), (list, "array"),
               (dict, "object"))


def _json_type(value) -> str:
    return next((name for kind, name in _JSON_TYPES if isinstance(value, kind)), "null")
