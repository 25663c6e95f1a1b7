"""Compare two versions of the data: rows and schemas, table by table, and the bump it needs.

Each side is a package folder, a release folder or a release zip. Rows are matched by
primary key; for each table the diff lists the rows added and removed and, for rows in
both, every field whose value changed (old and new). Schema changes are tables or fields
added, removed, renamed or retyped, enum values added or removed, constraints added, removed,
loosened or tightened, primary and foreign keys changed, and missing values changed.

What each change requires (see :mod:`conflictdata.semver`): **major** for a table or field
removed, renamed or retyped, enum values removed, a key changed, a constraint added,
tightened or changed, a foreign key added, missing values changed; **minor** for tables,
fields, enum values or rows added, a constraint loosened or removed, a foreign key removed;
**patch** for changed values and removed rows. As with enum values, a rule that refuses
data it used to accept is major, one that accepts more is minor. A removed row is a
correction, a claim withdrawn, not a change of the contract with code: the schema, and so
every program that reads the data, still works.

:func:`schema_changes` compares two Table Schemas alone (no rows); each change says whether
it ``weakens`` the schema, that is, lets through data the old schema refused: what
``conflictdata validate --base`` reports (:mod:`conflictdata.weaken`).
"""

from __future__ import annotations

import contextlib
import json
import math
import operator
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath

from . import semver
from .errors import ReleaseError
from .package import DESCRIPTOR, Package, open_package
from .schema import Field, TableSchema

FORMATS = ("text", "json", "markdown")
_MAX_ZIP_BYTES = 2 * 1024**3


@dataclass(frozen=True)
class SchemaChange:
    """One change to a table's schema (or the table itself), and the bump it requires."""

    table: str
    kind: str  # table-added, table-removed, field-added, field-removed, field-renamed, field-retyped,
    #            enum-extended, enum-reduced, key-changed, constraint-added, constraint-removed,
    #            constraint-loosened, constraint-tightened, constraint-changed, foreign-key-added,
    #            foreign-key-removed, missing-values-changed
    field: str | None
    detail: str
    bump: str
    weakens: bool = False  # the new schema lets through data the old one refused
    key: str | None = None  # the schema key the change is in: a constraint, "primaryKey", "foreignKeys" ...

    def to_dict(self) -> dict:
        return {"kind": self.kind, "field": self.field, "detail": self.detail, "bump": self.bump,
                "weakens": self.weakens}


@dataclass
class RowChange:
    """A row in both versions whose values differ: field (new name) -> (old value, new value)."""

    key: dict
    fields: dict[str, tuple]

    def to_dict(self) -> dict:
        return {"key": _jsonable(self.key),
                "fields": {k: {"old": _jsonable(a), "new": _jsonable(b)} for k, (a, b) in self.fields.items()}}


@dataclass
class TableDiff:
    """Everything that differs in one table."""

    name: str
    key: tuple[str, ...] = ()
    rows_old: int = 0
    rows_new: int = 0
    added: list[dict] = field(default_factory=list)  # primary keys of rows only in the new version
    removed: list[dict] = field(default_factory=list)  # primary keys of rows only in the old version
    changed: list[RowChange] = field(default_factory=list)
    schema: list[SchemaChange] = field(default_factory=list)
    note: str = ""  # why rows were not compared, when they were not

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.schema)

    def reasons(self) -> list[tuple[str, str]]:
        """(bump, why) for each kind of change in this table."""
        out = [(c.bump, f"{self.name}: {c.detail}") for c in self.schema]
        if self.added:
            out.append(("minor", f"{self.name}: {_count(self.added, 'row')} added"))
        if self.changed:
            out.append(("patch", f"{self.name}: {_count(self.changed, 'row')} changed"))
        if self.removed:
            out.append(("patch", f"{self.name}: {_count(self.removed, 'row')} removed"))
        return out

    def to_dict(self) -> dict:
        return {"table": self.name, "primary_key": list(self.key), "rows_old": self.rows_old,
                "rows_new": self.rows_new, "added": _jsonable(self.added), "removed": _jsonable(self.removed),
                "changed": [c.to_dict() for c in self.changed], "schema": [c.to_dict() for c in self.schema],
                "note": self.note or None}


@dataclass
class Diff:
    """The difference between two versions; ``render()`` it or read its fields.

    Examples
    --------
    >>> d = diff("old/", "new/")                     # doctest: +SKIP
    >>> d.required_bump, d.covered                   # doctest: +SKIP
    ('minor', True)
    >>> print(d.render("markdown"))                  # doctest: +SKIP
    """

    old: str
    new: str
    old_version: str | None
    new_version: str | None
    tables: list[TableDiff]

    def reasons(self) -> list[tuple[str, str]]:
        return [r for t in self.tables for r in t.reasons()]

    @property
    def required_bump(self) -> str:
        """``"major"``, ``"minor"``, ``"patch"`` or ``"none"`` (the rules in the module docstring)."""
        ranks = [semver.BUMPS.index(b) for b, _ in self.reasons()]
        return semver.BUMPS[max(ranks, default=0)]

    def _versions(self) -> tuple[str, str] | None:
        """The two declared versions, when both are semantic versions."""
        old, new = self.old_version, self.new_version
        return (old, new) if semver.is_version(old) and semver.is_version(new) else None

    @property
    def declared_bump(self) -> str | None:
        """The bump between the two declared versions, or None when one is missing or not semantic."""
        versions = self._versions()
        return None if versions is None else semver.declared_bump(*versions)

    @property
    def covered(self) -> bool | None:
        """Whether the declared versions cover the change (None when they cannot be compared)."""
        versions = self._versions()  # (None exactly when declared_bump is)
        if versions is None:
            return None
        return semver.covers(*versions, self.required_bump)

    def verdict(self) -> str:
        """One sentence on the versions: what is required, what is declared, and whether it is enough."""
        need = self.required_bump
        versions = self._versions()  # (None exactly when declared_bump is)
        if versions is None:
            return (f"required bump: {need}; the declared versions ({self.old_version} -> {self.new_version}) "
                    "cannot be compared: both need a semantic version such as 1.2.0")
        rule = semver.effective(need, versions[0])
        before_1 = f" ({need} before 1.0.0 needs {rule})" if rule != need else ""
        ok = "covers" if self.covered else "does NOT cover"
        return (f"required bump: {need}{before_1}; declared {self.old_version} -> {self.new_version} "
                f"is {self.declared_bump}, which {ok} the change")

    def to_dict(self) -> dict:
        return {"old": {"path": self.old, "version": self.old_version},
                "new": {"path": self.new, "version": self.new_version},
                "required_bump": self.required_bump, "declared_bump": self.declared_bump,
                "covered": self.covered, "reasons": [{"bump": b, "change": w} for b, w in self.reasons()],
                "tables": [t.to_dict() for t in self.tables]}

    def render(self, fmt: str = "text") -> str:
        """Render as ``"text"`` (people), ``"json"`` (programs) or ``"markdown"`` (the changelog)."""
        if fmt == "json":
            return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)
        if fmt == "markdown":
            return _markdown(self)
        if fmt != "text":
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        return _text(self)


def diff(old: str | os.PathLike, new: str | os.PathLike) -> Diff:
    """Compare two versions of the data, each a package folder, a release folder or a release zip.

    Raises :class:`~conflictdata.errors.PackageError` or :class:`~conflictdata.errors.DataError`
    when a side cannot be read, :class:`~conflictdata.errors.ReleaseError` for a bad zip.

    Examples
    --------
    >>> d = diff("dist/1.0.0/conflictdata-1.0.0.zip", ".")   # doctest: +SKIP
    >>> [t.name for t in d.tables if not t.empty]           # doctest: +SKIP
    ['munitions']
    """
    with opened(old) as a, opened(new) as b:
        old_tables, new_tables = _read_all(a), _read_all(b)
        tables = [_diff_table(name, old_tables.get(name), new_tables.get(name))
                  for name in [*old_tables, *(n for n in new_tables if n not in old_tables)]]
        return Diff(str(old), str(new), a.version, b.version, tables)


@contextlib.contextmanager
def opened(path: str | os.PathLike):
    """Open a package folder, a release folder or a release zip (unpacked into a temporary folder)."""
    p = Path(path)
    if p.is_file() and p.suffix.lower() == ".zip" and not zipfile.is_zipfile(p):
        raise ReleaseError(f"{p}: not a readable zip archive")
    if p.is_file() and zipfile.is_zipfile(p):
        with tempfile.TemporaryDirectory(prefix="conflictdata-diff-") as tmp:
            yield open_package(_unzip(p, Path(tmp)))
    else:
        yield open_package(p)


def _unzip(archive: Path, dest: Path) -> Path:
    """Extract a release zip safely; return the folder holding its datapackage.json."""
    try:
        with zipfile.ZipFile(archive) as z:
            infos = z.infolist()
            if sum(i.file_size for i in infos) > _MAX_ZIP_BYTES:
                raise ReleaseError(f"{archive}: unpacks to more than 2 GiB; refused")
            for info in infos:
                name = PurePosixPath(info.filename)
                if name.is_absolute() or ".." in name.parts or "\\" in info.filename or ":" in info.filename:
                    raise ReleaseError(f"{archive}: member {info.filename!r} would land outside the folder; refused")
            z.extractall(dest)
    except zipfile.BadZipFile as exc:
        raise ReleaseError(f"{archive}: not a readable zip: {exc}") from None
    if (dest / DESCRIPTOR).is_file():
        return dest
    found = [d for d in dest.iterdir() if (d / DESCRIPTOR).is_file()]
    if len(found) != 1:
        raise ReleaseError(f"{archive}: holds no {DESCRIPTOR} at its top or in one top folder")
    return found[0]


def _read_all(package: Package) -> dict[str, tuple[TableSchema, list[dict]]]:
    from .load import load_arrow

    return {name: (TableSchema.from_dict(r.schema), load_arrow(package, name).to_pylist())
            for name, r in package.resources.items()}


def _diff_table(name: str, old, new) -> TableDiff:
    if new is None:
        return TableDiff(name, old[0].primary_key, len(old[1]), 0, schema=schema_changes(name, old[0], None))
    if old is None:
        return TableDiff(name, new[0].primary_key, 0, len(new[1]),
                         schema=schema_changes(name, None, new[0], rows=len(new[1])))
    (s_old, rows_old), (s_new, rows_new) = old, new
    result = TableDiff(name, s_new.primary_key, len(rows_old), len(rows_new))
    gone = [f for f in s_old.fields if f.name not in s_new.names]
    came = [f for f in s_new.fields if f.name not in s_old.names]
    key_old, key_new, key = _match_key(s_old, s_new)
    index_old = _index(rows_old, key_old) if key else {}
    index_new = _index(rows_new, key_new) if key else {}
    common = [k for k in index_new if k in index_old]
    renames = _renames(s_old, s_new, gone, came, index_old, index_new, common)
    result.schema = schema_changes(name, s_old, s_new, renames)
    if not key:
        result.note = "rows not compared: the two versions share no primary key"
        return result
    mapping = {f.name: f.name for f in s_new.fields if f.name in s_old.names}
    mapping.update({old_name: new_name for old_name, new_name in renames.items()})
    result.added = [dict(zip(key, k, strict=True)) for k in index_new if k not in index_old]
    result.removed = [dict(zip(key, k, strict=True)) for k in index_old if k not in index_new]
    for k in common:
        a, b = index_old[k], index_new[k]
        changes = {new_name: (a[old_name], b[new_name]) for old_name, new_name in mapping.items()
                   if not _same(a[old_name], b[new_name])}
        if changes:
            result.changed.append(RowChange(dict(zip(key, k, strict=True)), changes))
    # Key order, so the output does not depend on the order of rows in the files.
    result.added.sort(key=_sort_key)
    result.removed.sort(key=_sort_key)
    result.changed.sort(key=lambda c: _sort_key(c.key))
    return result


def schema_changes(table: str, old: TableSchema | None, new: TableSchema | None,
                   renames: dict[str, str] | None = None, rows: int | None = None) -> list[SchemaChange]:
    """Every change from the Table Schema ``old`` to ``new`` of ``table`` (None: the table is absent).

    ``renames`` maps old field names to new ones (what :func:`diff` finds from the rows);
    without it, a renamed field is one removed and one added. ``rows`` is only for the
    detail of an added table.

    Examples
    --------
    >>> from conflictdata.schema import Field, TableSchema
    >>> a = TableSchema((Field("n", "integer", constraints={"minimum": 0}),))
    >>> b = TableSchema((Field("n", "integer", constraints={"minimum": -5}),))
    >>> [(c.kind, c.detail, c.bump, c.weakens) for c in schema_changes("t", a, b)]
    [('constraint-loosened', "field 'n': minimum loosened from 0 to -5", 'minor', True)]
    """
    if new is None:
        return [SchemaChange(table, "table-removed", None, "table removed", "major", weakens=True)]
    if old is None:
        shown = "" if rows is None else f" ({rows} rows)"
        return [SchemaChange(table, "table-added", None, f"table added{shown}", "minor")]
    renames = renames or {}
    out = []
    for f in old.fields:
        if f.name in new.names:
            continue
        if f.name in renames:
            out.append(SchemaChange(table, "field-renamed", f.name, f"field '{f.name}' renamed to "
                                    f"'{renames[f.name]}'", "major", weakens=True))
        else:
            out.append(SchemaChange(table, "field-removed", f.name, f"field '{f.name}' removed", "major",
                                    weakens=True))
    for f in new.fields:
        if f.name not in old.names and f.name not in renames.values():
            out.append(SchemaChange(table, "field-added", f.name, f"field '{f.name}' added ({_kind(f)})", "minor"))
    for f in new.fields:
        if f.name in old.names:
            out.extend(_field_change(table, old.field(f.name), f))
    if old.primary_key != new.primary_key:
        # A key on fewer of the same fields is stricter; any other change lets a repeat through.
        stricter = bool(new.primary_key) and set(new.primary_key) <= set(old.primary_key)
        out.append(SchemaChange(table, "key-changed", None, "primary key changed from "
                                f"({', '.join(old.primary_key)}) to ({', '.join(new.primary_key)})", "major",
                                weakens=bool(old.primary_key) and not stricter, key="primaryKey"))
    if old.claim_key != new.claim_key:
        # duplicate-claim compares the fields of the claim key: more fields (or none) let a
        # repeated claim through; fewer of the same fields catch more.
        weaker = bool(old.claim_key) and not (new.claim_key and set(new.claim_key) <= set(old.claim_key))
        out.append(SchemaChange(table, "claim-key-changed", None, "claim key changed from "
                                f"({', '.join(old.claim_key)}) to ({', '.join(new.claim_key)})",
                                "minor" if weaker else "major", weakens=weaker, key="claimKey"))
    out.extend(_foreign_key_changes(table, old, new))
    if set(old.missing_values) != set(new.missing_values):
        # Either way a cell reads differently: "n/a" becomes empty (and passes a pattern), or
        # becomes a value (and passes 'required').
        out.append(SchemaChange(table, "missing-values-changed", None, "missing values changed from "
                                f"{list(old.missing_values)} to {list(new.missing_values)}", "major", weakens=True,
                                key="missingValues"))
    return out


def _foreign_key_changes(table: str, old: TableSchema, new: TableSchema) -> list[SchemaChange]:
    def shown(fk) -> str:
        return f"({', '.join(fk.fields)}) -> {fk.resource or table}.({', '.join(fk.reference_fields)})"

    out = [SchemaChange(table, "foreign-key-removed", fk.fields[0], f"foreign key {shown(fk)} removed", "minor",
                        weakens=True, key="foreignKeys")
           for fk in old.foreign_keys if fk not in new.foreign_keys]
    out += [SchemaChange(table, "foreign-key-added", fk.fields[0], f"foreign key {shown(fk)} added", "major",
                         key="foreignKeys")
            for fk in new.foreign_keys if fk not in old.foreign_keys]
    return out


# A bound is looser when it moves this way.
_LOOSER = {"minimum": operator.lt, "maximum": operator.gt, "minLength": operator.lt, "maxLength": operator.gt}


def _constraint_changes(table: str, a: Field, b: Field) -> list[SchemaChange]:
    """Constraints other than enum (see :func:`_field_change`) added, removed, loosened or tightened."""
    out = []
    for key in ("required", "unique", "pattern", "minLength", "maxLength", "minimum", "maximum"):
        was, now = a.constraints.get(key), b.constraints.get(key)
        if key in ("required", "unique"):  # false is the same as absent
            was, now = was or None, now or None
        if was == now:
            continue
        name = f"field '{b.name}'"
        if now is None:
            value = "" if key in ("required", "unique") else f" ({was!r})"
            out.append(SchemaChange(table, "constraint-removed", b.name, f"{name} lost its constraint {key}{value}",
                                    "minor", weakens=True, key=key))
        elif was is None:
            value = "" if key in ("required", "unique") else f" {now!r}"
            out.append(SchemaChange(table, "constraint-added", b.name, f"{name} gained the constraint {key}{value}",
                                    "major", key=key))
        elif key == "pattern":
            # Whether one regular language holds another is not decided here: a new pattern may
            # let through what the old one refused.
            out.append(SchemaChange(table, "constraint-changed", b.name, f"{name}: pattern changed from "
                                    f"{was!r} to {now!r}", "major", weakens=True, key=key))
        elif _LOOSER[key](now, was):
            out.append(SchemaChange(table, "constraint-loosened", b.name, f"{name}: {key} loosened from {was} to "
                                    f"{now}", "minor", weakens=True, key=key))
        else:
            out.append(SchemaChange(table, "constraint-tightened", b.name, f"{name}: {key} tightened from {was} to "
                                    f"{now}", "major", key=key))
    extra = set(b.true_values) - set(a.true_values) | set(b.false_values) - set(a.false_values)
    if b.type == "boolean" and extra:
        out.append(SchemaChange(table, "constraint-loosened", b.name, f"field '{b.name}' now also reads "
                                f"{_values(sorted(extra))} as a boolean", "minor", weakens=True, key="trueValues"))
    return out


def _match_key(s_old: TableSchema, s_new: TableSchema):
    """The key rows are matched on: the new primary key if the old table has its fields, else the old one."""
    if s_new.primary_key and all(n in s_old.names for n in s_new.primary_key):
        return s_new.primary_key, s_new.primary_key, s_new.primary_key
    if s_old.primary_key and all(n in s_new.names for n in s_old.primary_key):
        return s_old.primary_key, s_old.primary_key, s_old.primary_key
    return (), (), ()


def _index(rows: list[dict], key: tuple[str, ...]) -> dict[tuple, dict]:
    return {tuple(r[k] for k in key): r for r in rows}


def _renames(s_old, s_new, gone, came, index_old, index_new, common) -> dict[str, str]:
    """Pair removed with added fields of the same type: same values in every shared row, else same position."""
    renames: dict[str, str] = {}
    free = list(came)
    for f in gone:
        candidates = [g for g in free if _kind(g) == _kind(f)]
        match = None
        if common:
            match = next((g for g in candidates
                          if all(_same(index_old[k][f.name], index_new[k][g.name]) for k in common)), None)
        if match is None:
            match = next((g for g in candidates if s_new.names.index(g.name) == s_old.names.index(f.name)), None)
        if match is not None:
            renames[f.name] = match.name
            free.remove(match)
    return renames


def _field_change(table: str, a: Field, b: Field) -> list[SchemaChange]:
    if a.type != b.type:
        # Text takes any cell, a number any integer: every other retyping refuses more.
        looser = b.type == "string" or (a.type, b.type) == ("integer", "number")
        return [SchemaChange(table, "field-retyped", b.name, f"field '{b.name}' retyped from {a.type} to {b.type}",
                             "major", weakens=looser)]
    out = _enum_change(table, a, b)
    out += _constraint_changes(table, a, b)
    return out


def _enum_change(table: str, a: Field, b: Field) -> list[SchemaChange]:
    if a.enum is None and b.enum is None:
        return []
    if b.enum is None:
        return [SchemaChange(table, "enum-extended", b.name, f"field '{b.name}' no longer limited to a list of values",
                             "minor", weakens=True, key="enum")]
    if a.enum is None:
        return [SchemaChange(table, "enum-reduced", b.name, f"field '{b.name}' now limited to {_values(b.enum)}",
                             "major", key="enum")]
    lost = [v for v in a.enum if v not in b.enum]
    new = [v for v in b.enum if v not in a.enum]
    out = []
    if lost:
        out.append(SchemaChange(table, "enum-reduced", b.name, f"field '{b.name}' no longer allows {_values(lost)}",
                                "major", key="enum"))
    if new:
        out.append(SchemaChange(table, "enum-extended", b.name, f"field '{b.name}' now also allows {_values(new)}",
                                "minor", weakens=True, key="enum"))
    return out


def _kind(f: Field) -> str:
    return f"{f.type}, one of {len(f.enum)} values" if f.enum is not None else f.type


def _values(values) -> str:
    return ", ".join(repr(v) for v in values)


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def _sort_key(key: dict) -> tuple:
    return tuple((v is None, str(v)) for v in key.values())


def _count(items, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime) and value.tzinfo is not None:
        # a zone-aware value (a field with timeZone) as its cell writes it: wall-clock, no offset
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _show(value) -> str:
    if value is None:
        return "(empty)"
    value = _jsonable(value)
    return value if isinstance(value, str) else json.dumps(value)


def _show_key(key: dict) -> str:
    if len(key) == 1:
        return _show(next(iter(key.values())))
    return ", ".join(f"{k}={_show(v)}" for k, v in key.items())


def _text(d: Diff) -> str:
    lines = [f"old: {d.old} (version {d.old_version})", f"new: {d.new} (version {d.new_version})"]
    same = [t.name for t in d.tables if t.empty and not t.note]
    for t in d.tables:
        if t.empty and not t.note:
            continue
        counts = f"{len(t.added)} added, {len(t.removed)} removed, {len(t.changed)} changed"
        lines.append(f"{t.name}: {counts} ({t.rows_old} -> {t.rows_new} rows)")
        for c in t.schema:
            lines.append(f"  schema: {c.detail} [{c.bump}]")
        if t.note:
            lines.append(f"  {t.note}")
        lines += [f"  + {_show_key(k)}" for k in t.added]
        lines += [f"  - {_show_key(k)}" for k in t.removed]
        for row in t.changed:
            lines.append(f"  ~ {_show_key(row.key)}: "
                         + "; ".join(f"{f}: {_show(a)} -> {_show(b)}" for f, (a, b) in row.fields.items()))
    if same:
        lines.append(f"unchanged: {', '.join(same)}")
    lines.append(d.verdict())
    return "\n".join(lines)


def _markdown(d: Diff) -> str:
    """Keep a Changelog sections, ready to paste under a version heading."""
    added, changed, removed = [], [], []
    for t in d.tables:
        for c in t.schema:
            item = f"- `{t.name}`: {c.detail.replace(chr(39), '`')}"
            if c.kind in ("table-added", "field-added", "enum-extended"):
                added.append(item)
            elif c.kind in ("table-removed", "field-removed"):
                removed.append(item)
            else:
                changed.append(item)
        if t.added:
            added.append(f"- `{t.name}`: {_count(t.added, 'row')}: " + ", ".join(f"`{_show_key(k)}`" for k in t.added))
        for row in t.changed:
            fields = "; ".join(f"`{f}` {_md(a)} → {_md(b)}" for f, (a, b) in row.fields.items())
            changed.append(f"- `{t.name}` `{_show_key(row.key)}`: {fields}")
        if t.removed:
            removed.append(f"- `{t.name}`: {_count(t.removed, 'row')}: "
                           + ", ".join(f"`{_show_key(k)}`" for k in t.removed))
    out = [f"<!-- conflictdata diff {d.old_version} -> {d.new_version}: {d.verdict()} -->"]
    for title, items in (("Added", added), ("Changed", changed), ("Removed", removed)):
        if items:
            out += ["", f"### {title}", *items]
    if len(out) == 1:
        out += ["", "No changes to the data."]
    return "\n".join(out)


def _md(value) -> str:
    return "(empty)" if value is None else f"`{_show(value)}`"
