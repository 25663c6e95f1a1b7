"""Find a data package and read its descriptor, refusing anything that leaves the package.

A package is a folder holding ``datapackage.json``; each resource names a CSV (or Parquet)
file and a Table Schema, by paths relative to that folder. Nothing outside the folder is
ever opened: absolute paths, ``..``, ``~``, URLs and symlinks that lead out are refused
before any file is touched. The descriptor and the schemas are read as strict JSON
(:mod:`conflictdata.strictjson`) and every schema is checked (:mod:`conflictdata.schemacheck`)
before any data is read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from . import schemacheck, strictjson
from .errors import PackageError, UnknownTableError, UnsafePathError

DESCRIPTOR = "datapackage.json"
# Written by `conflictdata add` while a merge is being committed, deleted when it is done: a
# package that carries one (committed, copied or planted) is refused by `validate`.
MERGE_JOURNAL = ".conflictdata-merge.json"
# Where the wheel carries the package (see pyproject.toml, force-include).
_BUNDLED = Path(__file__).parent / "package_data"
# A checkout: the repository root, one level above this module.
_CHECKOUT = Path(__file__).resolve().parent.parent
_MAX_DESCRIPTOR_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Resource:
    """One table of a package: its name, file and Table Schema (a dict)."""

    name: str
    path: str  # as written in the descriptor, e.g. "data/munitions.csv"
    file: Path  # resolved, inside the package
    schema: dict
    schema_path: str | None = None  # the file the schema came from, if not inline
    format: str = "csv"


@dataclass(frozen=True)
class Package:
    """A data package read from ``root``; ``origin`` says how it was found."""

    root: Path
    descriptor: dict
    resources: dict[str, Resource] = field(default_factory=dict)
    origin: str = "path"

    @property
    def version(self) -> str | None:
        return self.descriptor.get("version")

    @property
    def descriptor_path(self) -> Path:
        return self.root / DESCRIPTOR

    def resource(self, name: str) -> Resource:
        """The resource called ``name``; :class:`UnknownTableError` lists the known ones."""
        try:
            return self.resources[name]
        except KeyError:
            known = ", ".join(self.resources)
            raise UnknownTableError(f"no table named {name!r}; the tables are: {known}") from None

    def describe(self) -> str:
        where = {"installed": "the installed package", "cwd": "the current folder"}.get(self.origin)
        return f"{self.descriptor_path} ({where})" if where else str(self.descriptor_path)


def installed_root() -> Path:
    """Folder of the package installed with the library (wheel) or of this checkout."""
    for root in (_BUNDLED, _CHECKOUT):
        if (root / DESCRIPTOR).is_file():
            return root
    raise PackageError("the installed conflictdata has no data package; reinstall it")


def locate(path: str | os.PathLike | None = None, *, prefer_cwd: bool = False) -> Package:
    """Open the package at ``path``, else (``prefer_cwd``) the current folder's, else the installed one.

    Parameters
    ----------
    path : str or path-like, optional
        A folder holding ``datapackage.json``, or the descriptor itself.
    prefer_cwd : bool
        Without ``path``, use ``./datapackage.json`` when there is one (what
        ``conflictdata validate`` does in a checkout).

    Examples
    --------
    >>> pkg = locate()
    >>> "munitions" in pkg.resources
    True
    """
    if path is not None:
        return open_package(path)
    if prefer_cwd and Path(DESCRIPTOR).is_file():
        return open_package(Path.cwd(), origin="cwd")
    return open_package(installed_root(), origin="installed")


def open_package(path: str | os.PathLike, origin: str = "path") -> Package:
    """Read and check a descriptor and its Table Schemas; raise :class:`PackageError` when they cannot be used.

    The descriptor and every schema are read as strict JSON (:mod:`conflictdata.strictjson`:
    no repeated key, no NaN, no deep nesting) and every schema is checked before any data is
    read (:mod:`conflictdata.schemacheck`), so a schema the validator cannot apply as
    written is one line naming the file, the line and the field.
    """
    p = Path(path).expanduser()
    if p.is_dir():
        p = p / DESCRIPTOR
    if not p.exists():  # anything else (a FIFO, a socket) is named by _read_json, without waiting
        raise PackageError(f"{p}: no such file; give a folder holding {DESCRIPTOR} or the file itself")
    root = p.parent.resolve()
    descriptor, text = _read_json(p, str(p), what="descriptor")
    if not isinstance(descriptor, dict):
        raise PackageError(f"{p}: the descriptor must be a JSON object")
    items = descriptor.get("resources")
    if not isinstance(items, list) or not items:
        raise PackageError(f"{p}: 'resources' must be a non-empty list")
    resources: dict[str, Resource] = {}
    sources: dict[str, tuple[str, str, tuple]] = {}  # table -> where its schema is: shown, text, path in it
    for i, item in enumerate(items):
        where = f"{p}: resources[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            raise PackageError(f"{where}: each resource needs a 'name'")
        name = item["name"]
        if schemacheck.has_control(name):  # it is in every message about the table, which stays one line
            raise PackageError(f"{where}: the resource name {name!r} holds a control character")
        if name in resources:
            raise PackageError(f"{where}: the resource name {name!r} is used twice")
        rel = item.get("path")
        if not isinstance(rel, str):
            raise PackageError(f"{where} ({name}): 'path' must be one relative file path")
        if not isinstance(item.get("format", ""), str):
            raise PackageError(f"{where} ({name}): 'format' must be text such as 'csv'")
        file = safe_join(root, rel, where=f"{where} ({name}) path")
        schema, schema_path = item.get("schema"), None
        if isinstance(schema, str):
            schema_path = schema
            schema_file = safe_join(root, schema, where=f"{where} ({name}) schema")
            if not schema_file.exists():
                raise PackageError(f"{where} ({name}): schema file {schema!r} does not exist")
            shown = str(p.parent / schema)  # as the user named the package: schemas/actors.json
            schema, schema_text = _read_json(schema_file, shown, what="Table Schema")
            sources[name] = (shown, schema_text, ())
        else:
            sources[name] = (str(p), text, ("resources", i, "schema"))
        _check_schema(schema, name, *sources[name])
        assert isinstance(schema, dict)  # _check_schema refuses anything else
        fmt = item.get("format") or Path(rel).suffix.lstrip(".").lower() or "csv"
        resources[name] = Resource(name, rel, file, schema, schema_path, fmt)
    try:
        schemacheck.check_references({name: r.schema for name, r in resources.items()})
    except schemacheck.ReferenceProblem as exc:
        raise _schema_error(exc.problem, *sources[exc.table], exc.table) from None
    return Package(root=root, descriptor=descriptor, resources=resources, origin=origin)


def _check_schema(schema, table: str, shown: str, text: str, at: tuple) -> None:
    """Refuse a Table Schema this library cannot apply as written, before any data is read.

    ``shown`` and ``text`` are the file the schema is in and its text, ``at`` the schema's
    path in it (``()`` for a schema file, ``("resources", 2, "schema")`` inline).
    """
    try:
        schemacheck.check_table_schema(schema, table)
    except schemacheck.SchemaProblem as exc:
        raise _schema_error(exc, shown, text, at, table) from None


def _schema_error(problem: schemacheck.SchemaProblem, shown: str, text: str, at: tuple, table: str) -> PackageError:
    line = strictjson.line_of(text, (*at, *problem.at))
    inline = f"resources[{at[1]}] ({table}) schema: " if at else ""
    return PackageError(f"{shown}{'' if line is None else f':{line}'}: {inline}{problem.message}")


def safe_join(root: Path, rel: str, *, where: str = "path") -> Path:
    """Resolve ``rel`` inside ``root`` or raise :class:`UnsafePathError` without opening it."""
    if not rel or "\x00" in rel:
        raise UnsafePathError(f"{where}: empty or invalid path {rel!r}")
    if "://" in rel or rel.startswith(("~", "/", "\\")) or ":" in rel.split("/")[0]:
        raise UnsafePathError(f"{where}: {rel!r} is not a relative path inside the package; refused")
    parts = rel.replace("\\", "/").split("/")
    if ".." in parts:
        raise UnsafePathError(f"{where}: {rel!r} climbs out of the package with '..'; refused")
    target = (root / rel).resolve()
    if not target.is_relative_to(root):
        raise UnsafePathError(f"{where}: {rel!r} leads outside the package (a symlink?); refused")
    return target


def _read_json(path: Path, shown: str, what: str) -> tuple[object, str]:
    """The strict JSON in ``path`` and its text; :class:`PackageError` names ``shown`` (see :mod:`.strictjson`)."""
    return strictjson.read_json(path, shown, what, limit=_MAX_DESCRIPTOR_BYTES)
