"""Published releases: download once, verify every byte, then work offline from the cache.

A release lives at ``{base}/{version}/{file}``; the base is the project's GitHub releases
(:data:`DEFAULT_BASE_URL`) unless ``CONFLICTDATA_BASE_URL`` says otherwise. Trust flows from
the installed library down: the registry shipped with it (``conflictdata/registry.json``)
holds the sha256 of each published version's ``datapackage.json``; that descriptor holds the
sha256 (``hash``) of each Parquet file. pooch fetches and caches (:func:`pooch.create`, one
registry per release, filled down that chain); every file is checked before use, each time,
and a file that does not match is refused and never kept, so a corrupt or tampered cache
cannot serve data. Downloads show their progress in the project's display
(:mod:`conflictdata.feedback`) when it is on, and nothing otherwise.

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
import json
import os
import re
import shutil
from pathlib import Path

from . import semver
from .atomic import atomic_file
from .checksums import split_hash
from .errors import IntegrityError, ReleaseError, UnknownVersionError
from .feedback import Task, showing, shown, task
from .package import DESCRIPTOR, open_package

DEFAULT_BASE_URL = "https://github.com/conflictdata/conflictdata/releases/download"
ENV_BASE_URL = "CONFLICTDATA_BASE_URL"
ENV_CACHE = "CONFLICTDATA_CACHE"
ENV_REGISTRY = "CONFLICTDATA_REGISTRY"
REGISTRY = Path(__file__).with_name("registry.json")


def configured_base_url() -> str:
    """The URL releases are fetched from: ``$CONFLICTDATA_BASE_URL`` or :data:`DEFAULT_BASE_URL`."""
    return (os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL).rstrip("/")


def cache_dir() -> Path:
    """The cache folder: ``$CONFLICTDATA_CACHE`` or the user's cache folder for conflictdata."""
    if os.environ.get(ENV_CACHE):
        return Path(os.environ[ENV_CACHE]).expanduser()
    import pooch

    return Path(pooch.os_cache("conflictdata"))


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
    needs no network at all. One :func:`pooch.create` per release: its registry starts with
    the descriptor's sha256 from :func:`load_registry` and, once the descriptor is verified,
    gets each Parquet file's sha256 from it.

    Parameters
    ----------
    version : str
        A published version, e.g. ``"1.2.0"``.
    base_url, cache, registry : optional
        Override ``$CONFLICTDATA_BASE_URL``, ``$CONFLICTDATA_CACHE`` and the registry
        (see :func:`load_registry`).
    progressbar : bool, optional
        Show each download's progress (:mod:`conflictdata.feedback`); default: when the
        display is on (the command line on a terminal, without ``--quiet``).

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
    import pooch

    base = (base_url or configured_base_url()).rstrip("/")
    root = Path(cache).expanduser() if cache is not None else cache_dir()
    # the release's files at {base}/{version}/, cached in {root}/{version}/ (not pooch's own
    # version= argument: it formats the URL with str.format and swaps some versions for "master")
    pup = pooch.create(path=root / version, base_url=f"{base}/{version}/", registry={DESCRIPTOR: known[version]})
    get = _Getter(pooch, pup, f"conflictdata {version}", version, progressbar)
    with _shown(progressbar), _quiet(pooch):
        get(DESCRIPTOR, what="the registry of published versions")
        folder = Path(pup.abspath)
        package = open_package(folder)
        for item in package.descriptor["resources"]:
            resource = package.resource(item["name"])
            expected = item.get("hash")
            if split_hash(expected) is None:
                raise IntegrityError(f"{folder / DESCRIPTOR}: resource {resource.name!r} has no 'sha256:' hash; "
                                     "an unverifiable release is refused")
            pup.registry[resource.path] = expected  # the chain of trust: registry -> descriptor -> file
            get(resource.path, what=DESCRIPTOR)
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
    import pooch

    pup = pooch.create(path=Path(folder), base_url=f"{base_url.rstrip('/')}/{version}/",
                       registry={name: f"sha256:{sha256}"})
    with _shown(progressbar), _quiet(pooch):
        return _Getter(pooch, pup, label, label, progressbar)(name, what=what)


class _Getter:
    """Fetch one file of a :class:`pooch.Pooch` into its cache folder, or refuse it in one line.

    pooch does the work (a cached file that matches is used as it is, one that does not is
    downloaded again, a download is hashed and moved into place only when it matches); this
    adds the messages, the progress display and one rule pooch lacks: a cached file that no
    longer matches is deleted when it cannot be replaced, so it is never served later.
    """

    def __init__(self, pooch, pup, label: str, short: str, progressbar: bool | None):
        self.pooch, self.pup, self.label, self.short, self.progressbar = pooch, pup, label, short, progressbar

    def __call__(self, name: str, *, what: str) -> Path:
        import requests

        want = split_hash(self.pup.registry[name])
        target = Path(self.pup.abspath) / name
        url = self.pup.get_url(name)
        with task(f"download {name}") as step:
            bar = _Bar(step) if (showing() if self.progressbar is None else self.progressbar) else False
            # 1 MiB reads: pooch's default of 1 KiB costs a Python call (and a bar update) per KiB
            downloader = self.pooch.HTTPDownloader(progressbar=bar, timeout=60, chunk_size=1 << 20)
            try:
                return Path(self.pup.fetch(name, downloader=downloader))
            except ValueError as exc:
                target.unlink(missing_ok=True)  # pooch only downloads when the cached file is missing or wrong
                got = _GOT.search(str(exc))
                if got is None:
                    raise ReleaseError(f"cannot download {url}: {exc}") from None
                raise IntegrityError(
                    f"{name} of {self.label} is corrupt or has been tampered with: its sha256 is "
                    f"{got[1].lower()} but {what} says {want}; refused and not cached (from {url})"
                ) from None
            except requests.HTTPError as exc:
                target.unlink(missing_ok=True)
                status = exc.response.status_code if exc.response is not None else "error"
                raise ReleaseError(f"cannot download {url}: HTTP {status}; is {self.short} published there?") from None
            except requests.RequestException as exc:
                target.unlink(missing_ok=True)
                raise ReleaseError(
                    f"cannot download {url} ({type(exc).__name__}) and {name} of {self.short} is not in the "
                    f"cache {target.parent}; connect to the network or set {ENV_BASE_URL}"
                ) from None


# pooch's message for a download that does not match: "... expected sha256:<hex> but got <hex>. ..."
_GOT = re.compile(r"but got ([0-9a-fA-F]{64})\b")


class _Bar:
    """:class:`conflictdata.feedback.Task` with the part of tqdm's interface pooch's downloader uses.

    pooch sets ``total`` (the Content-Length, 0 when unknown), calls ``update(n)`` per chunk,
    then ``reset()``, ``update(total)`` and ``close()`` to show the download complete.

    Examples
    --------
    >>> from conflictdata.feedback import task
    >>> with task("download x") as step:
    ...     bar = _Bar(step)
    ...     bar.total = 2048
    ...     bar.update(1024); bar.reset(); bar.update(2048); bar.close()
    >>> bar.total
    2048
    """

    def __init__(self, step: Task) -> None:
        self.step = step
        self._total = 0

    @property
    def total(self) -> int:
        return self._total

    @total.setter
    def total(self, value: int) -> None:
        self._total = value
        if value:  # 0: the server gave no size; the display then shows only that work goes on
            self.step.update(total=value)

    def update(self, amount: int) -> None:
        self.step.advance(amount)

    def reset(self) -> None:
        self.step.update(completed=0)

    def close(self) -> None:
        pass  # the task ends with the download's ``with`` block


@contextlib.contextmanager
def _shown(progressbar: bool | None):
    # progressbar=True from a library call: switch the display on for this download only
    if progressbar:
        with shown(True):
            yield
    else:
        yield


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
