"""Published releases: download once, verify every byte, then work offline from the cache.

A release lives at ``{base}/{version}/{file}``; the base is the project's GitHub releases
(:data:`DEFAULT_BASE_URL`) unless ``CONFLICTDATA_BASE_URL`` says otherwise. Trust flows from
the installed library down: the registry shipped with it (``conflictdata/registry.json``)
holds the sha256 of each published version's ``datapackage.json``; that descriptor holds the
sha256 (``hash``) of each Parquet file. pooch fetches and caches; every file is checked
before use, each time, and a file that does not match is refused and never kept, so a
corrupt or tampered cache cannot serve data.

Environment variables
---------------------
``CONFLICTDATA_BASE_URL``
    Where releases are downloaded from (a mirror, or a local server in tests).
``CONFLICTDATA_CACHE``
    The cache folder; default: the user's cache folder (``pooch.os_cache("conflictdata")``).
``CONFLICTDATA_REGISTRY``
    A JSON file used instead of the bundled registry, in the same format (for tests and
    for trying a release before it is registered).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import semver
from .atomic import atomic_file
from .checksums import sha256_file, split_hash
from .errors import IntegrityError, ReleaseError, UnknownVersionError, require
from .package import DESCRIPTOR, open_package

DEFAULT_BASE_URL = "https://github.com/conflictdata/conflictdata/releases/download"
ENV_BASE_URL = "CONFLICTDATA_BASE_URL"
ENV_CACHE = "CONFLICTDATA_CACHE"
ENV_REGISTRY = "CONFLICTDATA_REGISTRY"
REGISTRY = Path(__file__).with_name("registry.json")
EXTRA = "release"


def configured_base_url() -> str:
    """The URL releases are fetched from: ``$CONFLICTDATA_BASE_URL`` or :data:`DEFAULT_BASE_URL`."""
    return (os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL).rstrip("/")


def cache_dir() -> Path:
    """The cache folder: ``$CONFLICTDATA_CACHE`` or the user's cache folder for conflictdata."""
    if os.environ.get(ENV_CACHE):
        return Path(os.environ[ENV_CACHE]).expanduser()
    return Path(require("pooch", EXTRA).os_cache("conflictdata"))


def load_registry(registry: dict | str | os.PathLike | None = None) -> dict[str, str]:
    """Published versions and the ``"sha256:<hex>"`` of each one's ``datapackage.json``.

    Parameters
    ----------
    registry : dict, str or path-like, optional
        A mapping ``{version: "sha256:<hex>"}``, or a JSON file ``{"versions": {...}}``.
        Default: ``$CONFLICTDATA_REGISTRY`` if set, else the registry installed with the library.

    Examples
    --------
    >>> load_registry({"1.0.0": "sha256:" + "0" * 64})["1.0.0"][:9]
    'sha256:00'
    """
    where = "registry"
    if registry is None:
        registry = os.environ.get(ENV_REGISTRY) or REGISTRY
    if not isinstance(registry, dict):
        where = str(registry)
        try:
            data = json.loads(Path(registry).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ReleaseError(f"{where}: cannot read the registry of releases: {exc}") from None
        registry = data.get("versions") if isinstance(data, dict) else None
        if not isinstance(registry, dict):
            raise ReleaseError(f"{where}: the registry must be an object with a 'versions' object")
    for version, digest in registry.items():
        if not semver.is_version(version) or split_hash(digest) is None:
            raise ReleaseError(f"{where}: entry {version!r}: {digest!r} must be a version and 'sha256:<64 hex>'")
    return dict(registry)


def fetch(version: str, *, base_url: str | None = None, cache: str | os.PathLike | None = None,
          registry: dict | str | os.PathLike | None = None, progressbar: bool | None = None) -> Path:
    """Make sure release ``version`` is in the cache and verified; return its folder.

    Downloads only what is missing or does not match; with everything cached and intact it
    needs no network at all.

    Parameters
    ----------
    version : str
        A published version, e.g. ``"1.2.0"``.
    base_url, cache, registry : optional
        Override ``$CONFLICTDATA_BASE_URL``, ``$CONFLICTDATA_CACHE`` and the registry
        (see :func:`load_registry`).
    progressbar : bool, optional
        Show a download progress bar; default: when stderr is a terminal and tqdm is installed.

    Raises
    ------
    UnknownVersionError
        ``version`` is not in the registry.
    IntegrityError
        A file's sha256 is not the expected one (it is deleted, never cached).
    ReleaseError
        The download failed and the cache does not hold the file.

    Examples
    --------
    >>> folder = fetch("1.2.0")                              # doctest: +SKIP
    >>> conflictdata.load("munitions", path=folder)          # doctest: +SKIP
    """
    semver.parse(version)  # a version never holds '/' or '..', so it is safe in a URL and a path
    known = load_registry(registry)
    if version not in known:
        listed = ", ".join(sorted(known, key=semver.key)) or "none yet"
        raise UnknownVersionError(f"{version} is not a published version of conflictdata; published: {listed}")
    pooch = require("pooch", EXTRA)
    base = (base_url or configured_base_url()).rstrip("/")
    folder = (Path(cache).expanduser() if cache is not None else cache_dir()) / version
    bar = _progressbar_wanted() if progressbar is None else progressbar
    get = _Getter(pooch, base, version, folder, bar)
    with _quiet(pooch):
        get(DESCRIPTOR, known[version], what="the registry of published versions")
        package = open_package(folder)
        for item in package.descriptor["resources"]:
            resource = package.resource(item["name"])
            expected = item.get("hash")
            if split_hash(expected) is None:
                raise IntegrityError(f"{folder / DESCRIPTOR}: resource {resource.name!r} has no 'sha256:' hash; "
                                     "an unverifiable release is refused")
            get(resource.path, expected, what=DESCRIPTOR)
    return folder


def download(version: str, out: str | os.PathLike | None = None, **options) -> Path:
    """Fetch ``version`` (see :func:`fetch`) and, with ``out``, copy the verified release there.

    Returns the folder that holds the release: ``out``, or the cache folder.

    Examples
    --------
    >>> download("1.2.0", "conflictdata-1.2.0")             # doctest: +SKIP
    PosixPath('conflictdata-1.2.0')
    """
    folder = fetch(version, **options)
    if out is None:
        return folder
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    package = open_package(folder)
    for name in [DESCRIPTOR, *(r.path for r in package.resources.values())]:
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(target) as tmp:  # never a half-copied file
            shutil.copyfile(folder / name, tmp)
    return out


def fetch_file(base_url: str, version: str, name: str, sha256: str, folder: str | os.PathLike, *,
               label: str, what: str, progressbar: bool | None = None) -> Path:
    """The file ``{base_url}/{version}/{name}`` in ``folder / name``, verified: the release path for one file.

    Used for third-party files pinned by sha256 (an importer's input at a pinned commit): a
    cached file that matches is used without any network; one that does not is fetched again;
    a download whose sha256 is not ``sha256`` (64 hex digits) is refused and never kept
    (:class:`IntegrityError`). ``label`` names the file's origin in messages ("conflictdata
    1.2.0"), ``what`` what pins the sha256.
    """
    pooch = require("pooch", EXTRA)
    bar = _progressbar_wanted() if progressbar is None else progressbar
    get = _Getter(pooch, base_url.rstrip("/"), version, Path(folder), bar, label=label)
    with _quiet(pooch):
        return get(name, f"sha256:{sha256}", what=what)


class _Getter:
    """Fetch one release file through pooch into the cache, or refuse it."""

    def __init__(self, pooch, base: str, version: str, folder: Path, progressbar: bool, *, label: str | None = None):
        self.pooch, self.base, self.version, self.folder, self.progressbar = pooch, base, version, folder, progressbar
        self.label = label or f"conflictdata {version}"
        self.short = label or version

    def __call__(self, name: str, expected: str, *, what: str) -> Path:
        import requests

        want = split_hash(expected)
        target = self.folder / name
        if target.is_file():
            if sha256_file(target) == want:
                return target  # cached and intact: no network needed
            target.unlink()  # never serve a cached file that no longer matches; fetch it again
        url = f"{self.base}/{quote(self.version)}/{quote(name)}"
        downloader = _Hashing(self.pooch.HTTPDownloader(progressbar=self.progressbar, timeout=60))
        try:
            self.pooch.retrieve(url, known_hash=f"sha256:{want}", fname=name, path=self.folder,
                                downloader=downloader)
        except ValueError as exc:
            if downloader.sha256 is None:
                raise ReleaseError(f"cannot download {url}: {exc}") from None
            raise IntegrityError(
                f"{name} of {self.label} is corrupt or has been tampered with: its sha256 is "
                f"{downloader.sha256} but {what} says {want}; refused and not cached (from {url})"
            ) from None
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "error"
            raise ReleaseError(f"cannot download {url}: HTTP {status}; is {self.version} published there?") from None
        except requests.RequestException as exc:
            raise ReleaseError(
                f"cannot download {url} ({type(exc).__name__}) and {name} of {self.short} is not in the "
                f"cache {self.folder}; connect to the network or set {ENV_BASE_URL}"
            ) from None
        return target


class _Hashing:
    """Wrap a pooch downloader to remember the sha256 of what it downloaded (for the error message)."""

    def __init__(self, inner: Callable[..., Any]) -> None:
        self.inner = inner
        self.sha256: str | None = None

    def __call__(self, url, output_file, pooch, check_only=False):
        result = self.inner(url, output_file, pooch, check_only=check_only)
        if not check_only and isinstance(output_file, (str, os.PathLike)):
            self.sha256 = sha256_file(output_file)
        return result


def _progressbar_wanted() -> bool:
    return sys.stderr.isatty() and importlib.util.find_spec("tqdm") is not None


@contextlib.contextmanager
def _quiet(pooch):
    # pooch logs every download at INFO on stderr; a library call should not print.
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel("WARNING")
    try:
        yield
    finally:
        logger.setLevel(level)
