"""Build a release: Parquet and CSV tables, a standalone descriptor, ``SHA256SUMS`` and one zip.

A release is immutable and reproducible by construction. The same data, built at any time
in any folder with the same pyarrow, gives byte-identical files: rows are sorted by primary
key, nothing records the wall clock (the one date, in the descriptor and on the zip
entries, comes from ``SOURCE_DATE_EPOCH`` or the version's CHANGELOG entry), and the zip has
fixed permissions, a fixed order and no compression (deflate output varies with the zlib
build; Parquet is zstd-compressed already).

The release folder is flat, so each file can be a GitHub release asset::

    datapackage.json           Data Package v2; resources point at the Parquet files
    <table>.parquet            one per table, typed from the Table Schema
    <table>.csv                the same rows as CSV
    LICENSE-DATA, LICENSE      the package's licences (CC BY 4.0 for the data, MIT for the code)
    <notice>.txt               each file of LICENSES/ (the MIT notice of the imported General
                               Staff rows); the descriptor's licence paths point at them
    SHA256SUMS                 for `sha256sum -c`
    conflictdata-<version>.zip all of the above in a folder conflictdata-<version>/

The licence files come from the package's folder. A package that lacks them but is a copy of
the installed one (the same ``name``) gets the installed copies; a licence file the descriptor
names and neither holds stops the build: a release never goes out without its notices.
"""

from __future__ import annotations

import copy
import json
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from . import semver
from .atomic import staged_folder
from .checksums import SUMS, sha256_file, sums_text
from .errors import PackageError, ReleaseError
from .package import DESCRIPTOR, Package, installed_root
from .report import Report
from .schema import DATE_FORMAT, DATETIME_FORMAT, TIME_FORMAT, TableSchema

if TYPE_CHECKING:
    import polars as pl
    import pyarrow as pa

DATAPACKAGE_V2 = "https://datapackage.org/profiles/2.0/datapackage.json"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
# the licence files every release carries when the package has them, and the folder of notices
LICENCE_FILES = ("LICENSE-DATA", "LICENSE")
LICENCE_FOLDER = "LICENSES"
_ZIP_FLOOR = 315532800  # 1980-01-01T00:00:00Z, the earliest time a zip entry can hold
_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]*")
# Passed explicitly so a change of pyarrow's defaults cannot change the bytes silently.
_PARQUET = {"compression": "zstd", "version": "2.6", "data_page_version": "1.0", "use_dictionary": True,
            "write_statistics": True}


@dataclass(frozen=True)
class ReleaseFile:
    """One file of a release, with its size and SHA-256."""

    name: str
    bytes: int
    sha256: str


@dataclass
class Build:
    """The outcome of :func:`build`: the validation report and, when valid, the files written."""

    report: Report
    out: Path | None = None
    version: str | None = None
    files: list[ReleaseFile] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.report.valid and self.out is not None


def build(package: Package, out: str | os.PathLike, *, overwrite: bool = False,
          source_date_epoch: int | None = None) -> Build:
    """Validate ``package`` and, when it is valid, write its release into the folder ``out``.

    Parameters
    ----------
    package : Package
        An opened package (:func:`conflictdata.package.locate`).
    out : str or path-like
        The release folder; created if missing. It must be empty unless ``overwrite``.
    overwrite : bool
        Replace release files already in ``out`` (other files are left alone).
    source_date_epoch : int, optional
        The release time in seconds since 1970; default ``$SOURCE_DATE_EPOCH``, else the date
        of ``## [<version>] - YYYY-MM-DD`` in the package's ``CHANGELOG.md``, else none (the
        descriptor then has no ``created`` and zip entries say 1980-01-01).

    Returns
    -------
    Build
        ``build.report`` is the validator's report; nothing is written when it is not valid.

    Examples
    --------
    >>> from conflictdata.package import locate
    >>> b = build(locate(), "dist/release")            # doctest: +SKIP
    >>> b.ok, [f.name for f in b.files][:2]            # doctest: +SKIP
    (True, ['actors.csv', 'actors.parquet'])
    """
    from .validation import validate_and_type

    version = _version(package)
    out = Path(out)
    _check_out(out, overwrite)
    report, typed = validate_and_type(package)
    if not report.valid:
        return Build(report)
    epoch = release_epoch(package, version, source_date_epoch)
    licences = licence_files(package)
    # 0o755 whatever the umask: a release folder is for sharing. Merged file by file into an
    # existing folder, so files there that are not the release's are left alone.
    with staged_folder(out, 0o755, merge=True) as staging:
        resources = [_write_table(package, name, staging, typed.pop(name)) for name in package.resources]
        for flat, source in licences.items():
            (staging / flat).write_bytes(source.read_bytes())
        descriptor = release_descriptor(package, version, epoch, resources)
        (staging / DESCRIPTOR).write_text(_json(descriptor), encoding="utf-8")
        members = sorted(p.name for p in staging.iterdir())
        (staging / SUMS).write_text(sums_text(staging, members), encoding="utf-8")
        members = sorted([*members, SUMS])
        archive = f"{_package_name(package)}-{version}"
        _write_zip(staging, members, staging / f"{archive}.zip", archive, epoch)
        names = sorted(p.name for p in staging.iterdir())
    files = [ReleaseFile(n, (out / n).stat().st_size, sha256_file(out / n)) for n in names]
    return Build(report, out, version, files)


def release_epoch(package: Package, version: str, source_date_epoch: int | None = None) -> int | None:
    """The release time (seconds since 1970, UTC): argument, ``$SOURCE_DATE_EPOCH``, CHANGELOG date, or None.

    Examples
    --------
    >>> from conflictdata.package import locate
    >>> release_epoch(locate(), "0.1.0", 1728432000)
    1728432000
    """
    if source_date_epoch is None and os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        text = os.environ["SOURCE_DATE_EPOCH"].strip()
        if not text.isdigit():
            raise ReleaseError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, not {text!r}")
        source_date_epoch = int(text)
    if source_date_epoch is not None:
        return int(source_date_epoch)
    changelog = package.root / "CHANGELOG.md"
    if changelog.is_file():
        pattern = rf"^## \[{re.escape(version)}\] - (\d{{4}}-\d{{2}}-\d{{2}})\s*$"
        match = re.search(pattern, changelog.read_text(encoding="utf-8"), re.MULTILINE)
        if match:
            try:
                day = date.fromisoformat(match[1])
            except ValueError:
                raise ReleaseError(f"{changelog}: the date of version {version} is not a date: {match[1]}") from None
            return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())
    return None


def release_descriptor(package: Package, version: str, epoch: int | None, resources: list[dict]) -> dict:
    """The release's ``datapackage.json`` (Data Package v2): the source's metadata, Parquet resources."""
    source = package.descriptor
    descriptor: dict = {"$schema": DATAPACKAGE_V2}
    for key, value in source.items():
        if key in ("$schema", "profile", "resources", "version", "created"):
            continue
        descriptor[key] = [_contributor_v2(c) for c in value] if key == "contributors" else value
        if key == "licenses" and isinstance(value, list):
            descriptor[key] = [_flat_licence(entry) for entry in value]
        if key == "name":
            descriptor["version"] = version
    descriptor.setdefault("version", version)
    if epoch is not None:
        descriptor["created"] = datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    descriptor["resources"] = resources
    return descriptor


def licence_files(package: Package) -> dict[str, Path]:
    """The licence files of ``package``'s release: file name in the (flat) release -> the file to copy.

    ``LICENSE-DATA``, ``LICENSE``, every file in ``LICENSES/`` and every local ``path`` of the
    descriptor's ``licenses``, from the package's folder; where the package lacks one and is a
    copy of the installed package (the same ``name``), the installed file.

    Raises
    ------
    ReleaseError
        A licence file the descriptor names is in neither folder, or two files would take one name.

    Examples
    --------
    >>> from conflictdata.package import locate
    >>> sorted(licence_files(locate()))
    ['LICENSE', 'LICENSE-DATA', 'MIT-PetroIvaniuk-2022-Ukraine-Russia-War-Dataset.txt']
    """
    roots = [package.root]
    try:
        installed: Path | None = installed_root()
    except PackageError:  # pragma: no cover - an installation without its data
        installed = None
    if installed is not None and installed.resolve() != package.root.resolve():
        from .package import open_package

        try:
            same = open_package(installed).descriptor.get("name") == package.descriptor.get("name")
        except Exception:  # noqa: BLE001 - a broken installed descriptor offers nothing to fall back on
            same = False
        if same:
            roots.append(installed)
    wanted = list(LICENCE_FILES)
    for root in roots:
        folder = root / LICENCE_FOLDER
        if folder.is_dir():
            wanted += [f"{LICENCE_FOLDER}/{p.name}" for p in sorted(folder.iterdir()) if p.is_file()]
    listed = [e["path"] for e in package.descriptor.get("licenses") or []
              if isinstance(e, dict) and _local(e.get("path"))]
    wanted += listed
    found: dict[str, Path] = {}
    for relative in dict.fromkeys(wanted):
        source = next((root / relative for root in roots if (root / relative).is_file()), None)
        if source is None:
            if relative in listed:
                raise ReleaseError(f"{package.descriptor_path}: the licence file {relative!r} the descriptor "
                                   "lists is missing; a release carries every licence notice")
            continue
        flat = Path(relative).name
        if flat in found or not _NAME.fullmatch(flat.lower()):
            raise ReleaseError(f"{relative}: cannot be the release file {flat!r} (taken, or not a plain file name)")
        found[flat] = source
    return found


def _local(path: object) -> bool:
    """A licence ``path`` that is a file of the package, not a web address."""
    return isinstance(path, str) and bool(path) and "://" not in path and not path.startswith(("/", ".."))


def _flat_licence(entry):
    # the release folder is flat: a licence file of the package is beside the descriptor
    if isinstance(entry, dict) and _local(entry.get("path")):
        return {**entry, "path": Path(entry["path"]).name}
    return entry


def release_schema(schema: dict) -> dict:
    """The inline Table Schema of a Parquet resource: the source schema, plus one interoperability fix.

    frictionless-py 5 reads Parquet through pandas, where a missing integer or number becomes
    NaN and reaches its checks as the text ``"nan"``; so numeric fields list ``"nan"`` among
    their missing values. No integer or number is ever the text "nan", so nothing else changes.
    """
    schema = copy.deepcopy(schema)
    base = schema.get("missingValues", [""])
    for f in schema.get("fields", []):
        if f.get("type") in ("integer", "number"):
            f["missingValues"] = list(dict.fromkeys([*f.get("missingValues", base), "nan"]))
    return schema


def _version(package: Package) -> str:
    version = package.version
    if version is None:
        raise ReleaseError(f"{package.descriptor_path}: the descriptor has no 'version'; a release needs one")
    if not semver.is_version(version):
        raise ReleaseError(f"{package.descriptor_path}: version {version!r} is not a semantic version such as 1.2.0")
    return version


def _package_name(package: Package) -> str:
    name = package.descriptor.get("name")
    return name if isinstance(name, str) and _NAME.fullmatch(name) else "conflictdata"


def _check_out(out: Path, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ReleaseError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise ReleaseError(f"{out}: the folder is not empty; choose an empty one or pass --overwrite")


def _write_table(package: Package, name: str, folder: Path, typed) -> dict:
    """Write ``<name>.parquet`` and ``<name>.csv``; return the Parquet resource's descriptor.

    ``typed`` is the table as the validating pass typed it (Polars, with ``__line__``): the
    data is read once per build.
    """
    import polars as pl
    import pyarrow.parquet as pq

    from .load import to_arrow

    if not _NAME.fullmatch(name):
        raise ReleaseError(f"table name {name!r} cannot be a file name; use lower case, digits, '_', '-', '.'")
    resource = package.resource(name)
    schema = TableSchema.from_dict(resource.schema)
    # Rows in primary-key order; keys as text, so an enum key sorts by its values, not its codes.
    keys = [pl.col(k).cast(pl.String) for k in schema.primary_key]
    table = to_arrow(typed.sort(keys) if keys else typed, schema)
    parquet = folder / f"{name}.parquet"
    pq.write_table(table, parquet, **_PARQUET)
    _write_csv(table, folder / f"{name}.csv")
    source = package.descriptor["resources"][list(package.resources).index(name)]
    described: dict[str, Any] = {"name": name, "type": "table", "path": parquet.name, "format": "parquet",
                 "mediatype": PARQUET_MEDIATYPE}
    for key in ("title", "description", "sources", "licenses"):
        if key in source:
            described[key] = source[key]
    # No "bytes": frictionless-py 5 cannot count a Parquet file's bytes and reports every
    # declared size as a byte-count error. "hash" is what we (and SHA256SUMS) verify.
    described["hash"] = f"sha256:{sha256_file(parquet)}"
    described["schema"] = release_schema(resource.schema)
    return described


def _write_csv(table: pa.Table, path: Path) -> None:
    """The table as CSV in the Table Schema's default formats (what the validator reads).

    Polars writes it: quotes only where needed, empty cells for nulls, shortest round-trip
    floats, ``\\n`` line ends. A zone-aware datetime (a field with ``timeZone``) is written
    as wall-clock time in its own zone, without an offset: the text the source's cell has.
    """
    import polars as pl

    # a pyarrow Table always comes back as a DataFrame (from_arrow is typed for arrays too)
    cast("pl.DataFrame", pl.from_arrow(table)).write_csv(
        path, line_terminator="\n", date_format=DATE_FORMAT, datetime_format=DATETIME_FORMAT, time_format=TIME_FORMAT)


def _contributor_v2(contributor):
    # Data Package v2 names a contributor's roles in a list.
    if isinstance(contributor, dict) and "role" in contributor and "roles" not in contributor:
        contributor = {("roles" if k == "role" else k): ([v] if k == "role" else v) for k, v in contributor.items()}
    return contributor


def _json(descriptor: dict) -> str:
    return json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"


def _write_zip(folder: Path, members: list[str], target: Path, prefix: str, epoch: int | None) -> None:
    stamp = datetime.fromtimestamp(max(epoch or _ZIP_FLOOR, _ZIP_FLOOR), timezone.utc).timetuple()[:6]
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in members:
            info = zipfile.ZipInfo(f"{prefix}/{name}", date_time=stamp)
            info.create_system = 3  # Unix, so the permissions below are read
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.compress_type = zipfile.ZIP_STORED
            archive.writestr(info, (folder / name).read_bytes())

