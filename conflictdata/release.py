"""Build a release: Parquet and CSV tables, two descriptors, a README, ``SHA256SUMS`` and one zip.

A release is immutable and reproducible by construction. The same data, built at any time
in any folder with the same pyarrow, pandas and zlib, gives byte-identical files: rows are
sorted by primary key, nothing records the wall clock (the one date, in the descriptors, the
README and on the zip entries, comes from ``SOURCE_DATE_EPOCH`` or the version's CHANGELOG
entry), and the zip has fixed permissions, a fixed order and a fixed compression level.

The release folder is flat, so each file can be a GitHub release asset::

    datapackage.json           Data Package v2; resources point at the Parquet files
    datapackage-csv.json       the same package with resources pointing at the CSV copies
    <table>.parquet            one per table, typed from the Table Schema, with pandas metadata
    <table>.csv                the same rows as CSV
    README.md                  what the release is, how to verify and load it, its licences
    CITATION.cff               how to cite it (when the package has one)
    LICENSE-DATA, LICENSE      the package's licences (CC BY 4.0 for the data, MIT for the code)
    <notice>.txt               each file of LICENSES/ (the MIT notice of the imported General
                               Staff rows); the descriptor's licence paths point at them
    SHA256SUMS                 for `sha256sum -c`
    conflictdata-<version>.zip all of the above in a folder conflictdata-<version>/

How the Parquet files carry each type, and why:

- pandas metadata (the ``b"pandas"`` schema metadata pyarrow itself writes for the frame
  :func:`conflictdata.load` returns), so ``pd.read_parquet`` gives nullable ``Int64``,
  ``string`` and categorical columns, not float64 with NaN. Two differences remain, as
  pyarrow decides them and no metadata changes them: a date is ``datetime.date`` objects
  (``load`` gives ``datetime64[ms]``; ``to_pandas_kwargs={"date_as_object": False}`` gives
  it too), and a datetime is in milliseconds (below).
- Parquet has no unit of seconds: a datetime is ``TIMESTAMP(MILLIS)`` adjusted to UTC, and
  the stored Arrow schema gives the zone back (pyarrow ``timestamp[ms, tz=Europe/Kyiv]``,
  Polars ``Datetime("ms", "Europe/Kyiv")``, DuckDB ``TIMESTAMP WITH TIME ZONE``); the values
  are whole seconds and ``load`` gives ``timestamp[s]``.
- A time of day is text ``hh:mm:ss`` (the field stays ``"type": "time"`` in the descriptor,
  whose description says so): Spark reads no Parquet ``TIME`` unless
  ``spark.sql.timeType.enabled`` is set, and text is the one form every reader opens as the
  same time of day. ``load`` gives the time again.

The zip deflates every file but the Parquet ones, which are stored: they are zstd-compressed
already and deflate would gain next to nothing at a large cost in time.

The licence files and ``CITATION.cff`` come from the package's folder. A package that lacks
them but is a copy of the installed one (the same ``name``) gets the installed copies; a
licence file the descriptor names and neither holds stops the build: a release never goes
out without its notices.
"""

from __future__ import annotations

import copy
import json
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from . import semver
from .atomic import staged_folder
from .changelog import FILE as CHANGELOG
from .changelog import released_in
from .checksums import SUMS, sha256_file, sums_text
from .errors import PackageError, ReleaseError
from .feedback import Task, task
from .package import DESCRIPTOR, Package, installed_root
from .report import Report
from .schema import DATE_FORMAT, DATETIME_FORMAT, TIME_FORMAT, TableSchema

if TYPE_CHECKING:
    import polars as pl
    import pyarrow as pa

DATAPACKAGE_V2 = "https://datapackage.org/profiles/2.0/datapackage.json"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
CSV_DESCRIPTOR = "datapackage-csv.json"  # the package of the CSV copies
README = "README.md"
CITATION = "CITATION.cff"
# the licence files every release carries when the package has them, and the folder of notices
LICENCE_FILES = ("LICENSE-DATA", "LICENSE")
LICENCE_FOLDER = "LICENSES"
_ZIP_FLOOR = 315532800  # 1980-01-01T00:00:00Z, the earliest time a zip entry can hold
_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]*")
# zlib's default level, named so the bytes do not follow a change of zipfile's default
_ZIP_LEVEL = 6
_ZIP_BLOCK = 1 << 20
# said of a time-of-day field in the release descriptor, whose Parquet column is text
TIME_AS_TEXT = "In the Parquet file: text hh:mm:ss (Spark reads no Parquet TIME by default)."
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
    >>> b.ok, [f.name for f in b.files][:3]            # doctest: +SKIP
    (True, ['CITATION.cff', 'LICENSE', 'LICENSE-DATA'])
    """
    from .validation import validate_and_type

    version = _version(package)
    out = Path(out)
    _check_out(out, overwrite)
    report, typed = validate_and_type(package)
    if not report.valid:
        return Build(report)
    epoch = release_epoch(package, version, source_date_epoch)
    copied = {**licence_files(package), **citation_file(package)}
    archive = f"{_package_name(package)}-{version}"
    # 0o755 whatever the umask: a release folder is for sharing. Merged file by file into an
    # existing folder, so files there that are not the release's are left alone.
    with staged_folder(out, 0o755, merge=True) as staging:
        parquets, csvs, rows = [], [], {}
        for name in package.resources:
            frame = typed.pop(name)
            rows[name] = frame.height
            # two steps: the Parquet file, then the CSV copy
            with task(f"write {name} ({frame.height:,} rows)", total=2) as step:
                parquet, csv = _write_table(package, name, staging, frame, step)
            parquets.append(parquet)
            csvs.append(csv)
        for flat, source in copied.items():
            (staging / flat).write_bytes(source.read_bytes())
        descriptor = release_descriptor(package, version, epoch, parquets)
        (staging / DESCRIPTOR).write_text(_json(descriptor), encoding="utf-8")
        (staging / CSV_DESCRIPTOR).write_text(_json(release_descriptor(package, version, epoch, csvs)),
                                              encoding="utf-8")
        (staging / README).write_text(readme(descriptor, rows, archive, sorted(copied)), encoding="utf-8")
        members = sorted(p.name for p in staging.iterdir())
        (staging / SUMS).write_text(sums_text(staging, members), encoding="utf-8")
        members = sorted([*members, SUMS])
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
    day = released_in(package.root / CHANGELOG, version)
    if day is None:
        return None
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())


def release_descriptor(package: Package, version: str, epoch: int | None, resources: list[dict]) -> dict:
    """A release descriptor (Data Package v2): the source's metadata and ``resources`` (Parquet or CSV)."""
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
    roots = _roots(package)
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


def citation_file(package: Package) -> dict[str, Path]:
    """``{"CITATION.cff": file}`` from the package's folder (or the installed copy, as for
    :func:`licence_files`), or ``{}`` when neither has one: a citation is welcome, not required.

    Examples
    --------
    >>> from conflictdata.package import locate
    >>> list(citation_file(locate()))
    ['CITATION.cff']
    """
    found = next((root / CITATION for root in _roots(package) if (root / CITATION).is_file()), None)
    return {CITATION: found} if found is not None else {}


def _roots(package: Package) -> list[Path]:
    """Where a release's copied files come from: the package's folder, then the installed
    package's when ``package`` is a copy of it (the same ``name``)."""
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
    return roots


def readme(descriptor: dict, rows: dict[str, int], archive: str, copied: list[str]) -> str:
    """The release's ``README.md``: what it is, its tables, how to verify and load it, its licences.

    Parameters
    ----------
    descriptor : dict
        The release's ``datapackage.json`` (:func:`release_descriptor`).
    rows : dict
        Rows per table, in the descriptor's order.
    archive : str
        The zip's name without ``.zip`` (also its top folder).
    copied : list of str
        The licence and citation files beside it.

    Examples
    --------
    >>> text = readme({"name": "demo", "title": "Demo data", "version": "1.0.0",
    ...                "licenses": [{"name": "CC-BY-4.0", "path": "LICENSE-DATA"}]},
    ...               {"claims": 3}, "demo-1.0.0", ["LICENSE-DATA"])
    >>> print(text.splitlines()[0])
    # Demo data, version 1.0.0
    >>> "sha256sum -c SHA256SUMS" in text, "| claims | 3 |" in text
    (True, True)
    """
    name, version = descriptor.get("name", "conflictdata"), descriptor.get("version", "")
    lines = [f"# {descriptor.get('title') or name}, version {version}", ""]
    if descriptor.get("description"):
        lines += [str(descriptor["description"]).strip(), ""]
    created = descriptor.get("created")
    first = next(iter(rows), "table")
    lines += [f"The release of `{name}` {version}" + (f", built {created}." if created else "."),
              "Each table is here twice: `<table>.parquet` (typed; described by `datapackage.json`)",
              f"and `<table>.csv` (the same rows; described by `{CSV_DESCRIPTOR}`).", "",
              "| table | rows |", "| --- | --: |", *(f"| {t} | {n} |" for t, n in rows.items()), "",
              "## Verify", "", "In this folder (or the zip's folder once unpacked):", "", "```sh",
              "sha256sum -c SHA256SUMS", "```", "",
              f"Every file but `SHA256SUMS` and `{archive}.zip` is listed; the zip holds them all.", "",
              "## Load", "", "```python", "import conflictdata as cd",
              f'df = cd.load("{first}", path=".")  # pandas; format="polars" or "arrow"', "",
              "import pandas as pd, polars as pl",
              f'pd.read_parquet("{first}.parquet")  # nullable Int64, string, categories',
              f'pl.read_parquet("{first}.parquet")', "```", "",
              f"DuckDB: `SELECT * FROM '{first}.parquet'`; Spark: `spark.read.parquet(\"{first}.parquet\")`.",
              "Any Frictionless tool reads either descriptor: `frictionless validate datapackage.json`.",
              "In the Parquet files a datetime is in milliseconds (Parquet has no seconds) and a time",
              "of day is text `hh:mm:ss`; a field's `timeZone` names the zone of its wall-clock times.", ""]
    licences = [e for e in descriptor.get("licenses") or [] if isinstance(e, dict)]
    if licences:
        lines += ["## Licences", ""]
        for e in licences:
            where = e.get("path")
            lines.append(f"- {e.get('title') or e.get('name')}" + (f" (`{where}`)" if where else ""))
        texts = [f"`{n}`" for n in copied if n != CITATION]
        lines += ["", f"Full texts beside this file: {', '.join(texts)}." if texts else "", ""]
    if CITATION in copied:
        lines += ["## Cite", "", f"See `{CITATION}`, or run `conflictdata cite {version}`.", ""]
    return "\n".join(lines)


def _local(path: object) -> bool:
    """A licence ``path`` that is a file of the package, not a web address."""
    return isinstance(path, str) and bool(path) and "://" not in path and not path.startswith(("/", ".."))


def _flat_licence(entry):
    # the release folder is flat: a licence file of the package is beside the descriptor
    if isinstance(entry, dict) and _local(entry.get("path")):
        return {**entry, "path": Path(entry["path"]).name}
    return entry


def release_schema(schema: dict) -> dict:
    """The inline Table Schema of a Parquet resource: the source schema, plus two notes for other tools.

    frictionless-py 5 reads Parquet through pandas, where a missing number becomes NaN and
    reaches its checks as the text ``"nan"``; so numeric fields list ``"nan"`` among their
    missing values. No integer or number is ever the text "nan", so nothing else changes. A
    time of day is text in the Parquet file (see :func:`parquet_schema`); its description
    says so.

    Examples
    --------
    >>> s = release_schema({"fields": [{"name": "n", "type": "integer"},
    ...                                {"name": "t", "type": "time", "description": "When."}]})
    >>> s["fields"][0]["missingValues"], s["fields"][1]["description"].startswith("When. In the Parquet")
    (['', 'nan'], True)
    """
    schema = copy.deepcopy(schema)
    base = schema.get("missingValues", [""])
    for f in schema.get("fields", []):
        if f.get("type") in ("integer", "number"):
            f["missingValues"] = list(dict.fromkeys([*f.get("missingValues", base), "nan"]))
        if f.get("type") == "time":
            f["description"] = f"{f.get('description', '')} {TIME_AS_TEXT}".strip()
    return schema


def parquet_schema(schema: TableSchema) -> pa.Schema:
    """The Arrow schema of a release's Parquet file: the schema's own, a time of day as text.

    Examples
    --------
    >>> s = TableSchema.from_dict({"fields": [{"name": "t", "type": "time"}, {"name": "n", "type": "integer"}]})
    >>> [str(f.type) for f in parquet_schema(s)]
    ['string', 'int64']
    """
    import pyarrow as pa

    return pa.schema([f.with_type(pa.string()) if pa.types.is_time(f.type) else f for f in schema.arrow_schema()])


def to_parquet(typed: pl.DataFrame, schema: TableSchema) -> pa.Table:
    """A typed Polars table as the release's Parquet file holds it, pandas metadata included.

    A time of day becomes text ``hh:mm:ss`` (:data:`~conflictdata.schema.TIME_FORMAT`), the
    text its CSV cell has. The ``b"pandas"`` metadata is the one pyarrow writes for the frame
    :func:`conflictdata.load.to_pandas` makes of the table (taken from none of its rows, so it
    costs nothing): ``pd.read_parquet`` then gives ``Int64``, ``string`` and categoricals.

    Examples
    --------
    >>> import polars as pl
    >>> s = TableSchema.from_dict({"fields": [{"name": "n", "type": "integer"}, {"name": "t", "type": "time"}]})
    >>> frame = pl.DataFrame({"n": [1, None], "t": ["12:30:00", None]}).with_columns(pl.col("t").str.to_time())
    >>> table = to_parquet(frame, s)
    >>> table.column("t").to_pylist(), b"pandas" in table.schema.metadata
    (['12:30:00', None], True)
    """
    import polars as pl
    import pyarrow as pa

    from .load import to_pandas
    from .read import LINE

    times = [f.name for f in schema.fields if f.type == "time"]
    frame = typed.drop(LINE, strict=False).with_columns(pl.col(n).dt.strftime(TIME_FORMAT) for n in times)
    table = frame.to_arrow().cast(parquet_schema(schema))
    pandas = pa.Schema.from_pandas(to_pandas(table.slice(0, 0)), preserve_index=False).metadata[b"pandas"]
    return table.replace_schema_metadata({**(table.schema.metadata or {}), b"pandas": pandas})


def from_parquet(table: pa.Table, schema: TableSchema) -> pa.Table:
    """A release's Parquet table with the schema's exact Arrow types: the inverse of :func:`to_parquet`.

    A time of day stored as text is parsed back; milliseconds become the schema's seconds.

    Examples
    --------
    >>> import polars as pl
    >>> s = TableSchema.from_dict({"fields": [{"name": "t", "type": "time"}]})
    >>> frame = pl.DataFrame({"t": ["12:30:00", None]}).with_columns(pl.col("t").str.to_time())
    >>> from_parquet(to_parquet(frame, s), s).column("t").to_pylist()
    [datetime.time(12, 30), None]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    for f in schema.fields:
        i = table.schema.get_field_index(f.name)
        if f.type == "time" and i >= 0 and pa.types.is_string(table.schema.field(i).type):
            # Arrow casts no text to a time; parsed as a moment of a day, then its time of day
            moment = pc.strptime(table.column(i), format=TIME_FORMAT, unit="s")
            table = table.set_column(i, f.name, moment.cast(f.arrow_type()))
    return table.replace_schema_metadata(None).cast(schema.arrow_schema())


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


def _write_table(package: Package, name: str, folder: Path, typed: pl.DataFrame, step: Task) -> tuple[dict, dict]:
    """Write ``<name>.parquet`` and ``<name>.csv``; return the two resources' descriptors.

    ``typed`` is the table as the validating pass typed it (Polars, with ``__line__``): the
    data is read once per build. ``step`` advances once per file written.
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
    ordered = typed.sort(keys) if keys else typed
    parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    pq.write_table(to_parquet(ordered, schema), parquet, **_PARQUET)
    step.advance()
    _write_csv(to_arrow(ordered, schema), csv)
    step.advance()
    source = package.descriptor["resources"][list(package.resources).index(name)]
    common: dict[str, Any] = {"name": name, "type": "table"}
    for key in ("title", "description", "sources", "licenses"):
        if key in source:
            common[key] = source[key]
    # No "bytes" for Parquet: frictionless-py 5 cannot count a Parquet file's bytes and
    # reports every declared size as a byte-count error. "hash" is what we (and SHA256SUMS) verify.
    as_parquet = {"name": name, "type": "table", "path": parquet.name, "format": "parquet",
                  "mediatype": PARQUET_MEDIATYPE, **common, "hash": f"sha256:{sha256_file(parquet)}",
                  "schema": release_schema(resource.schema)}
    as_csv = {"name": name, "type": "table", "path": csv.name, "format": "csv", "mediatype": "text/csv",
              "encoding": "utf-8", **common, "bytes": csv.stat().st_size, "hash": f"sha256:{sha256_file(csv)}",
              "schema": copy.deepcopy(resource.schema)}
    return as_parquet, as_csv


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
    """Zip ``members`` of ``folder`` under ``prefix/``: one date, mode 0644, sorted, deflated at one level.

    Parquet files are stored: zstd has compressed them already. Each file is copied in 1 MiB
    blocks (the zip task advances by bytes), so a large CSV is never held in memory.
    """
    stamp = datetime.fromtimestamp(max(epoch or _ZIP_FLOOR, _ZIP_FLOOR), timezone.utc).timetuple()[:6]
    total = sum((folder / name).stat().st_size for name in members)
    with task(f"zip {target.name}", total=total) as step, \
            zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=_ZIP_LEVEL) as archive:
        for name in members:
            info = zipfile.ZipInfo(f"{prefix}/{name}", date_time=stamp)
            info.create_system = 3  # Unix, so the permissions below are read
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            stored = name.endswith(".parquet")
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.file_size = (folder / name).stat().st_size  # so a file over 2 GiB gets zip64 fields
            # The level an entry opened from a ZipInfo is written at: ZipInfo.compress_level from
            # Python 3.13, _compresslevel before (ZipFile's own compresslevel is not used then).
            level = "compress_level" if hasattr(info, "compress_level") else "_compresslevel"
            setattr(info, level, None if stored else _ZIP_LEVEL)
            with open(folder / name, "rb") as source, archive.open(info, "w") as entry:
                for block in iter(lambda: source.read(_ZIP_BLOCK), b""):
                    entry.write(block)
                    step.advance(len(block))

