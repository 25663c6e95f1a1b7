"""Publish a built release: check every byte of its folder, then register its descriptor's sha256.

``conflictdata build --out dist/1.2.0`` writes a release; :func:`publish` is the gate before
it goes out. It checks the folder as a user's download would be checked, and more:

- ``SHA256SUMS`` lists every file of the folder but itself and the zip, and each matches;
- every resource of ``datapackage.json`` has a ``sha256:`` hash and its file matches it;
- the zip holds exactly the folder's files, byte for byte, under ``<name>-<version>/``;
- the descriptor's version is a data version (:mod:`conflictdata.semver`), the folder is
  named for it, and ``CHANGELOG.md`` dates it (``## [1.2.0] - YYYY-MM-DD``), on the day of
  the descriptor's ``created`` when it has one;
- the data is valid, as ``conflictdata validate`` on the folder says.

Then it adds ``"<version>": "sha256:<hash of datapackage.json>"`` to the registry of
releases (:data:`conflictdata.remote.REGISTRY`, or ``$CONFLICTDATA_REGISTRY``, or a file
given), written all at once. That entry is what every user's copy of that version is
verified against, so a version's entry is never changed: publishing the same bytes again
changes nothing, other bytes under a published version are refused.

Examples
--------
>>> p = publish("dist/1.2.0")                    # doctest: +SKIP
>>> p.version, p.added                           # doctest: +SKIP
('1.2.0', True)
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from . import semver
from .atomic import write_text
from .changelog import FILE as CHANGELOG
from .changelog import released_in
from .checksums import SUMS, parse_sums, sha256_file, sha256_stream, split_hash
from .errors import IntegrityError, ReleaseError
from .feedback import task
from .package import DESCRIPTOR, open_package
from .release import ReleaseFile
from .remote import ENV_REGISTRY, REGISTRY, load_registry
from .report import Report


@dataclass
class Publication:
    """What :func:`publish` found and did; ``ok`` when the release may go out."""

    folder: Path
    version: str
    sha256: str  # of the release's datapackage.json: the registry's entry
    report: Report  # the validator's report on the folder
    registry: Path
    files: list[ReleaseFile] = field(default_factory=list)
    added: bool = False  # False: invalid, checked only, or already registered with this hash

    @property
    def ok(self) -> bool:
        return self.report.valid


def registry_file(registry: str | os.PathLike | None = None, *, bundled: Path = REGISTRY) -> Path:
    """The registry file to publish into: ``registry``, else ``$CONFLICTDATA_REGISTRY``, else the bundled one.

    The bundled registry is written only in a checkout (``pyproject.toml`` beside the package):
    in an installed copy it would change nobody's registry but this machine's.

    Examples
    --------
    >>> registry_file("my-registry.json").name
    'my-registry.json'
    >>> registry_file(bundled=Path("/site-packages/conflictdata/registry.json"))
    Traceback (most recent call last):
    conflictdata.errors.ReleaseError: /site-packages/conflictdata/registry.json is in an installed copy, ...
    """
    if registry is not None or os.environ.get(ENV_REGISTRY):
        return Path(registry if registry is not None else os.environ[ENV_REGISTRY])
    if not (bundled.parent.parent / "pyproject.toml").is_file():
        raise ReleaseError(f"{bundled} is in an installed copy, not a checkout; publish from the repository "
                           "(pip install -e .) so the registry can be committed, or pass --registry")
    return bundled


def check(folder: str | os.PathLike, *, changelog: str | os.PathLike | None = None) -> Publication:
    """Check the release folder ``folder`` (see the module docstring); nothing is written.

    Parameters
    ----------
    folder : str or path-like
        A folder ``conflictdata build`` wrote, named for its version (``dist/1.2.0``).
    changelog : str or path-like, optional
        The ``CHANGELOG.md`` that dates the version; default: the one in the current folder.

    Returns
    -------
    Publication
        ``report`` is the validator's; the file checks raise instead.

    Raises
    ------
    IntegrityError
        A file does not match ``SHA256SUMS``, the descriptor or the zip, or is not listed.
    ReleaseError
        The folder is not a release of a dated version.
    """
    folder = Path(folder)
    if not (folder / DESCRIPTOR).is_file():
        raise ReleaseError(f"{folder}: no {DESCRIPTOR}; give the folder `conflictdata build --out` wrote")
    package = open_package(folder)
    version = package.version
    if version is None:
        raise ReleaseError(f"{folder / DESCRIPTOR}: no 'version'; a release is of one version")
    semver.parse(version)  # a data version, or a ReleaseError that says why
    if folder.resolve().name != version:
        raise ReleaseError(f"{folder}: the folder is named {folder.resolve().name!r} but its {DESCRIPTOR} says "
                           f"version {version}; build it with --out dist/{version}")
    _check_dated(package.descriptor, version, Path(changelog) if changelog is not None else Path(CHANGELOG))
    files = _check_sums(folder)
    digests = {f.name: f.sha256 for f in files}
    for item in package.descriptor.get("resources", []):
        resource = package.resource(item["name"])
        want = split_hash(item.get("hash"))
        if want is None:
            raise IntegrityError(f"{folder / DESCRIPTOR}: resource {resource.name!r} has no 'sha256:' hash; "
                                 "a release users cannot verify is not published")
        got = digests.get(resource.path)
        if got != want:
            raise IntegrityError(f"{folder / resource.path}: its sha256 is {got or 'unknown (not listed)'} but "
                                 f"{DESCRIPTOR} says {want}")
    _check_zip(folder, package.descriptor.get("name"), version, digests)
    from .validation import validate

    report = validate(folder)
    return Publication(folder, version, digests[DESCRIPTOR], report, Path(os.environ.get(ENV_REGISTRY) or REGISTRY),
                       files)


def publish(folder: str | os.PathLike, *, registry: str | os.PathLike | None = None,
            changelog: str | os.PathLike | None = None, check_only: bool = False) -> Publication:
    """Check the release in ``folder`` (:func:`check`) and add its version to the registry.

    Parameters
    ----------
    folder : str or path-like
        The release folder, named for its version.
    registry : str or path-like, optional
        The registry file (``{"versions": {...}}``, created if missing); default
        :func:`registry_file`.
    changelog : str or path-like, optional
        See :func:`check`.
    check_only : bool
        Write nothing; instead require the registry to hold this version with this hash
        (what the release workflow checks: the release it rebuilt from the tag is the one
        the maintainer registered).

    Raises
    ------
    IntegrityError
        The registry holds the version with another hash (never changed), or a file check fails.
    ReleaseError
        ``check_only`` and the version is not in the registry.
    """
    result = check(folder, changelog=changelog)
    result.registry = registry_file(registry)
    if not result.ok:
        return result
    if check_only:
        known = load_registry(result.registry)
        if version_hash(known, result.version) is None:
            raise ReleaseError(f"{result.registry}: version {result.version} is not registered; run "
                               f"`conflictdata publish {folder}` and commit the registry before tagging")
        _same(result.registry, known, result.version, result.sha256)
        return result
    result.added = register(result.version, result.sha256, result.registry)
    return result


def register(version: str, sha256: str, registry: str | os.PathLike | None = None) -> bool:
    """Add ``version`` with the hex ``sha256`` of its ``datapackage.json`` to the registry file.

    Returns True when added, False when the registry already holds exactly this entry.
    The file is rewritten all at once (:func:`conflictdata.atomic.write_text`), its versions
    in version order; its other keys are kept.

    Raises
    ------
    IntegrityError
        The version is registered with another hash: a published version never changes.

    Examples
    --------
    >>> import tempfile
    >>> file = Path(tempfile.mkdtemp()) / "registry.json"
    >>> register("1.0.0", "ab" * 32, file), register("1.0.0", "ab" * 32, file)
    (True, False)
    >>> register("1.0.0", "cd" * 32, file)
    Traceback (most recent call last):
    conflictdata.errors.IntegrityError: ...registry.json: version 1.0.0 is published with sha256:abab...
    """
    path = registry_file(registry)
    semver.parse(version)
    if split_hash(f"sha256:{sha256}") is None:
        raise ValueError(f"{sha256!r} is not a hex sha256")
    data: dict = {"versions": {}}
    if path.exists():
        known = load_registry(path)  # refuses a malformed registry before anything is written
        data = json.loads(path.read_text(encoding="utf-8"))
        if version_hash(known, version) is not None:
            _same(path, known, version, sha256)
            return False
    data["versions"] = dict(sorted({**data["versions"], version: f"sha256:{sha256}"}.items(),
                                   key=lambda item: semver.key(item[0])))
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return True


def version_hash(known: dict[str, str], version: str) -> str | None:
    """The hex sha256 ``known`` (a loaded registry) gives ``version``, or None.

    Examples
    --------
    >>> version_hash({"1.0.0": "sha256:" + "ab" * 32}, "1.0.0")[:4], version_hash({}, "1.0.0")
    ('abab', None)
    """
    return split_hash(known[version]) if version in known else None


def _same(path: Path, known: dict[str, str], version: str, sha256: str) -> None:
    registered = version_hash(known, version)
    if registered != sha256:
        raise IntegrityError(f"{path}: version {version} is published with sha256:{registered}; this release's "
                             f"{DESCRIPTOR} is sha256:{sha256}. A published version never changes: "
                             "release the change as a new version")


def _check_dated(descriptor: dict, version: str, changelog: Path) -> None:
    """The CHANGELOG dates ``version``, on the day the descriptor was ``created`` when it says."""
    if not changelog.is_file():
        raise ReleaseError(f"{changelog}: no changelog; run in the checkout or pass --changelog")
    day = released_in(changelog, version)
    if day is None:
        raise ReleaseError(f"{changelog}: no heading '## [{version}] - YYYY-MM-DD'; a published version "
                           "is dated and described in the changelog")
    created = str(descriptor.get("created") or "")
    if created and created[:10] != day.isoformat():
        raise ReleaseError(f"{DESCRIPTOR}: created {created} is not the changelog's date of {version} "
                           f"({day.isoformat()}); build again from this changelog without SOURCE_DATE_EPOCH")


def _check_sums(folder: Path) -> list[ReleaseFile]:
    """Every file of ``folder`` but ``SHA256SUMS`` and the zip is listed there once, and matches."""
    sums = folder / SUMS
    if not sums.is_file():
        raise IntegrityError(f"{sums}: missing; every release lists its files' sha256 for `sha256sum -c`")
    text = sums.read_text(encoding="utf-8")
    listed, bad = parse_sums(text)
    if bad is not None:
        line = text.splitlines()[bad - 1]
        raise IntegrityError(f"{sums}:{bad}: not a '<sha256>  <file name>' line of a file listed once: "
                             f"{line[:80]!r}")
    present = {p.name for p in folder.iterdir()} - {SUMS}
    unlisted = sorted(n for n in present - set(listed) if not n.endswith(".zip"))
    if unlisted:
        raise IntegrityError(f"{folder / unlisted[0]}: not listed in {SUMS}; a release holds only the files "
                             "it lists (and its zip)")
    files = []
    with task(f"check the sha256 of {len(listed)} files", total=len(listed)) as step:
        for name, want in listed.items():
            path = folder / name
            if not path.is_file():
                raise IntegrityError(f"{sums}: lists {name}, which is not in {folder}")
            got = sha256_file(path)
            if got != want:
                raise IntegrityError(f"{path}: its sha256 is {got} but {SUMS} says {want}")
            files.append(ReleaseFile(name, path.stat().st_size, got))
            step.advance()
    return sorted(files, key=lambda f: f.name)


def _check_zip(folder: Path, name: object, version: str, digests: dict[str, str]) -> None:
    """The one zip holds exactly the listed files and ``SHA256SUMS``, each byte for byte."""
    zips = sorted(p.name for p in folder.glob("*.zip"))
    prefix = f"{name if isinstance(name, str) and name else 'conflictdata'}-{version}"
    if zips != [f"{prefix}.zip"]:
        raise IntegrityError(f"{folder}: holds the zip files {zips or 'none'}; a release has one, {prefix}.zip")
    want = {**digests, SUMS: sha256_file(folder / SUMS)}
    path = folder / zips[0]
    try:
        with zipfile.ZipFile(path) as archive:
            members = {info.filename: info for info in archive.infolist()}
            expected = {f"{prefix}/{n}" for n in want}
            if set(members) != expected:
                odd = sorted(set(members) ^ expected)[0]
                raise IntegrityError(f"{path}: {odd} is in one of the zip and the folder only; they must hold "
                                     "the same files")
            with task(f"check {path.name}", total=sum(i.file_size for i in members.values())) as step:
                for member, info in sorted(members.items()):
                    with archive.open(info) as f:
                        got = sha256_stream(f, step.advance)
                    if got != want[member.split("/", 1)[1]]:
                        raise IntegrityError(f"{path}: {member} differs from the folder's file (sha256 {got})")
    except (zipfile.BadZipFile, OSError) as exc:
        raise IntegrityError(f"{path}: not a readable zip archive: {exc}") from None
