"""Find a data package and read its descriptor, refusing anything that leaves the package.

A package is a folder holding ``datapackage.json``; each resource names a CSV (or Parquet)
file and a Table Schema, by paths relative to that folder. Nothing outside the folder is
ever opened: absolute paths, ``..``, ``~``, URLs and symlinks that lead out are refused
before any file is touched.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import PackageError, UnknownTableError, UnsafePathError
from .schema import SUPPORTED_TYPES

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
    """Read and check a descriptor; raise :class:`PackageError` when it cannot be used."""
    p = Path(path).expanduser()
    if p.is_dir():
        p = p / DESCRIPTOR
    if not p.is_file():
        raise PackageError(f"{p}: no such file; give a folder holding {DESCRIPTOR} or the file itself")
    root = p.parent.resolve()
    descriptor = _read_json(p, what="descriptor")
    if not isinstance(descriptor, dict):
        raise PackageError(f"{p}: the descriptor must be a JSON object")
    items = descriptor.get("resources")
    if not isinstance(items, list) or not items:
        raise PackageError(f"{p}: 'resources' must be a non-empty list")
    resources: dict[str, Resource] = {}
    for i, item in enumerate(items):
        where = f"{p}: resources[{i}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise PackageError(f"{where}: each resource needs a 'name'")
        name = item["name"]
        if name in resources:
            raise PackageError(f"{where}: the resource name {name!r} is used twice")
        rel = item.get("path")
        if not isinstance(rel, str):
            raise PackageError(f"{where} ({name}): 'path' must be one relative file path")
        file = safe_join(root, rel, where=f"{where} ({name}) path")
        schema, schema_path = item.get("schema"), None
        if isinstance(schema, str):
            schema_path = schema
            schema_file = safe_join(root, schema, where=f"{where} ({name}) schema")
            if not schema_file.is_file():
                raise PackageError(f"{where} ({name}): schema file {schema!r} does not exist")
            schema = _read_json(schema_file, what="Table Schema")
        _check_schema(schema, f"{where} ({name}) schema {schema_path or '(inline)'}")
        fmt = item.get("format") or Path(rel).suffix.lstrip(".").lower() or "csv"
        resources[name] = Resource(name, rel, file, schema, schema_path, fmt)
    return Package(root=root, descriptor=descriptor, resources=resources, origin=origin)


def _check_schema(schema, where: str) -> None:
    """Refuse a Table Schema this library cannot apply, before any data is read."""
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) or not schema["fields"]:
        raise PackageError(f"{where}: the schema must be an object with a non-empty 'fields' list")
    names = []
    for i, f in enumerate(schema["fields"]):
        if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f["name"]:
            raise PackageError(f"{where}: fields[{i}] needs a 'name'")
        if f.get("type", "string") not in SUPPORTED_TYPES:
            raise PackageError(f"{where}: field {f['name']!r} has type {f.get('type')!r}; supported: "
                               f"{', '.join(SUPPORTED_TYPES)}")
        if not isinstance(f.get("constraints", {}), dict):
            raise PackageError(f"{where}: field {f['name']!r}: 'constraints' must be an object")
        names.append(f["name"])
    keys = schema.get("primaryKey", [])
    keys = [keys] if isinstance(keys, str) else keys
    fk_fields = []
    for fk in schema.get("foreignKeys", []):
        if not isinstance(fk, dict) or not isinstance(fk.get("reference"), dict) or "fields" not in fk:
            raise PackageError(f"{where}: each foreign key needs 'fields' and a 'reference'")
        fk_fields += [fk["fields"]] if isinstance(fk["fields"], str) else list(fk["fields"])
    for key in [*keys, *fk_fields]:
        if key not in names:
            raise PackageError(f"{where}: key field {key!r} is not one of the schema's fields")


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


def _read_json(path: Path, what: str):
    try:
        if path.stat().st_size > _MAX_DESCRIPTOR_BYTES:
            raise PackageError(f"{path}: the {what} is larger than 16 MiB; refused")
        text = path.read_bytes().decode("utf-8-sig")
        return json.loads(text)
    except UnicodeDecodeError as exc:
        raise PackageError(f"{path}: the {what} is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise PackageError(
            f"{path}:{exc.lineno}: the {what} is not valid JSON: {exc.msg} (column {exc.colno})"
        ) from None
    except OSError as exc:
        raise PackageError(f"{path}: cannot read the {what}: {exc.strerror}") from None
