"""How to cite the data: from ``datapackage.json``, ``CITATION.cff`` and the registry of releases.

A citation names a version. By default it is the version of the data installed with the
library; another version is cited by its number alone (nothing is downloaded). A published
version (one in :mod:`conflictdata.remote`'s registry) is cited with its release page and the
sha256 of its ``datapackage.json``, which pins every byte of the data through the hashes the
descriptor holds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from . import semver
from .errors import ConflictDataError, PackageError, UnknownVersionError
from .package import DESCRIPTOR, Package, installed_root, locate

CFF = "CITATION.cff"
FORMATS = ("text", "bibtex", "biblatex")


@dataclass(frozen=True)
class Citation:
    """What a citation of one version says; :meth:`render` formats it."""

    title: str
    version: str
    authors: tuple[str, ...]
    licence: str
    url: str
    published: bool
    sha256: str | None = None  # of the release's datapackage.json, for a published version
    year: int | None = None
    date: dt.date | None = None  # the day the version was released, where a source says it

    def render(self, format: str = "text") -> str:
        """The citation as plain text, a BibTeX ``@misc`` or a biblatex ``@dataset`` entry.

        Examples
        --------
        >>> c = Citation("A title", "1.2.0", ("someone",), "CC-BY-4.0", "https://example.org", True)
        >>> print(c.render())
        someone. A title, version 1.2.0 [data set]. https://example.org. Licence: CC-BY-4.0.
        """
        if format == "bibtex":
            return self.bibtex()
        if format == "biblatex":
            return self.biblatex()
        if format != "text":
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
        who = " and ".join(self.authors)
        year = f" ({self.year})" if self.year else ""
        parts = [f"{who}{year}. {self.title}, version {self.version} [data set]. {self.url}."]
        if self.sha256:
            parts.append(f"datapackage.json sha256:{self.sha256}.")
        parts.append(f"Licence: {self.licence}.")
        return " ".join(parts)

    @property
    def key(self) -> str:
        """The entry's citation key: ``conflictdata_1_2_0``."""
        return "conflictdata_" + re.sub(r"[^0-9A-Za-z]+", "_", self.version)

    def bibtex(self) -> str:
        """A BibTeX ``@misc`` entry that every style renders with its version and year.

        Classic styles (``plain``, ``apalike``) print no ``version`` or ``url`` field of a
        ``@misc``, so the version is also in ``note``, which they all print; biblatex and
        natbib's styles read ``version`` and ``url``. The year is there only when a source
        dates the version (:func:`citation`), never guessed.

        Examples
        --------
        >>> c = Citation("A & B", "1.2.0", ("someone",), "CC-BY-4.0", "https://x.org/a_b", True, year=2026)
        >>> print(c.bibtex())
        @misc{conflictdata_1_2_0,
          author  = {{someone}},
          title   = {{A \\& B}},
          year    = {2026},
          version = {1.2.0},
          url     = {https://x.org/a_b},
          note    = {Version 1.2.0. Data set. Licence: CC-BY-4.0}
        }
        """
        note = [f"Version {self.version}", "Data set", f"Licence: {self.licence}"]
        if self.sha256:
            note.append(f"datapackage.json sha256:{self.sha256}")
        return _entry("misc", self.key, [
            ("author", self._authors()),
            ("title", "{" + _tex(self.title) + "}"),  # braced: styles keep its capitals
            *([("year", str(self.year))] if self.year else []),
            ("version", _tex(self.version)),
            ("url", _url(self.url)),
            ("note", _tex(". ".join(note))),
        ])

    def biblatex(self) -> str:
        """A biblatex ``@dataset`` entry: ``version``, ``date`` (or ``year``), ``url`` and a note.

        Examples
        --------
        >>> c = Citation("A", "2.0.0-rc.1", ("someone",), "CC-BY-4.0", "https://x.org", False)
        >>> print(c.biblatex())
        @dataset{conflictdata_2_0_0_rc_1,
          author  = {{someone}},
          title   = {{A}},
          version = {2.0.0-rc.1},
          url     = {https://x.org},
          note    = {Licence: CC-BY-4.0}
        }
        """
        note = [f"Licence: {self.licence}"]
        if self.sha256:
            note.append(f"datapackage.json sha256:{self.sha256}")
        when = [("date", self.date.isoformat())] if self.date else [("year", str(self.year))] if self.year else []
        return _entry("dataset", self.key, [
            ("author", self._authors()),
            ("title", "{" + _tex(self.title) + "}"),
            *when,
            ("version", _tex(self.version)),
            ("url", _url(self.url)),
            ("note", _tex(". ".join(note))),
        ])

    def _authors(self) -> str:
        # each name braced whole: an organisation is not "contributors, conflictdata", and a
        # name's own " and " or comma cannot split it
        return " and ".join("{" + _tex(a) + "}" for a in self.authors)


def _entry(kind: str, key: str, fields: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in fields)
    body = ",\n".join(f"  {k:<{width}} = {{{v}}}" for k, v in fields)
    return f"@{kind}{{{key},\n{body}\n}}"


def _tex(text: str) -> str:
    # Characters that mean something to TeX, written so they print as themselves. A brace is a
    # command, not \{: BibTeX counts every brace, escaped or not, so a lone one would end the field.
    special = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}", "&": r"\&",
               "%": r"\%", "$": r"\$",
               "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
    return "".join(special.get(c, c) for c in text)


def _url(url: str) -> str:
    # biblatex and hyperref read url verbatim (no escapes); only what would end the field or
    # break a brace count must not be there, and is written %-encoded as in any URL
    return url.replace("{", "%7B").replace("}", "%7D").replace("\\", "%5C").replace(" ", "%20")


def read_cff(file: str | os.PathLike | None = None) -> dict:
    """The installed ``CITATION.cff`` (or ``file``) as a dict; empty when there is none.

    Examples
    --------
    >>> read_cff()["cff-version"]
    '1.2.0'
    """
    import yaml  # a dependency of frictionless, so always there

    path = Path(file) if file is not None else installed_root() / CFF
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, yaml.YAMLError) as exc:
        raise PackageError(f"{path}: cannot read the citation file: {exc}") from None
    if not isinstance(data, dict):
        raise PackageError(f"{path}: the citation file must be a YAML mapping")
    return data


def citation(version: str | None = None, *, cff: str | os.PathLike | None = None,
             registry: dict | str | os.PathLike | None = None) -> Citation:
    """How to cite ``version`` of the data (default: the version installed with the library).

    Parameters
    ----------
    version : str, optional
        A published version, e.g. ``"1.2.0"``; it is looked up in the registry of releases,
        never downloaded.
    cff, registry : optional
        Another ``CITATION.cff`` file, and another registry (see
        :func:`conflictdata.remote.load_registry`).

    Raises
    ------
    UnknownVersionError
        ``version`` is neither published nor the installed one.

    Examples
    --------
    >>> citation().version == locate().version
    True
    """
    from .remote import load_registry

    package = locate()
    d = package.descriptor
    meta = read_cff(cff)
    installed = str(d.get("version") or meta.get("version") or "")
    version = version or installed
    if not version:
        raise PackageError(f"{package.descriptor_path}: the data has no version to cite")
    semver.parse(version)
    published = load_registry(registry)
    if version not in published and version != installed:
        listed = ", ".join(sorted(published, key=semver.key)) or "none yet"
        raise UnknownVersionError(f"{version} is not a published version of conflictdata "
                                  f"(published: {listed}; installed: {installed or 'unknown'})")
    repository = str(meta.get("repository-code") or meta.get("url") or d.get("homepage") or "").rstrip("/")
    url = f"{repository}/releases/tag/{version}" if version in published and repository else repository
    digest = published.get(version)
    authors = tuple(_person(a) for a in meta.get("authors") or []) or tuple(
        c.get("title", "") for c in d.get("contributors", []) if c.get("role", "author") == "author")
    licences = d.get("licenses") or []
    licence = (licences[0].get("name") or licences[0].get("title")) if licences else str(meta.get("license", ""))
    day = released_on(version, meta, package, digest)
    return Citation(
        title=str(d.get("title") or meta.get("title") or d.get("name", "conflictdata")),
        version=version,
        authors=authors or ("conflictdata contributors",),
        licence=licence or "see the package",
        url=url,
        published=version in published,
        sha256=digest.split(":", 1)[1] if digest else None,
        year=day.year if day else None,
        date=day,
    )


def released_on(version: str, meta: dict, package: Package, digest: str | None = None) -> dt.date | None:
    """The day ``version`` was released, from the first source that says: else None, never a guess.

    1. ``CITATION.cff``'s ``date-released``, when the file is of that version;
    2. the ``## [<version>] - YYYY-MM-DD`` heading of the package's ``CHANGELOG.md`` (a checkout);
    3. the ``created`` of the package's own descriptor, when it is of that version (a release);
    4. the ``created`` of the release's descriptor in the download cache, when its sha256 is
       the registry's ``digest`` (nothing is downloaded).

    Examples
    --------
    >>> from conflictdata.package import locate
    >>> released_on("1.2.0", {"version": "1.2.0", "date-released": "2025-01-31"}, locate())
    datetime.date(2025, 1, 31)
    >>> released_on("9.9.9", {}, locate()) is None
    True
    """
    from .changelog import released_in

    # date-released dates the CITATION.cff's own version only; YAML reads it as a date unless quoted
    if str(meta.get("version")) == version and meta.get("date-released"):
        day = _day(meta["date-released"])
        if day:
            return day
    for root in dict.fromkeys([package.root, installed_root()]):
        day = released_in(root / "CHANGELOG.md", version)
        if day:
            return day
    if package.version == version and _day(package.descriptor.get("created")):
        return _day(package.descriptor.get("created"))
    if digest:
        return _cached_created(version, digest)
    return None


def _day(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(value[:10])
    return None


def _cached_created(version: str, digest: str) -> dt.date | None:
    """``created`` of the cached release descriptor of ``version``, if the cache holds the registered one."""
    import json

    from .checksums import sha256_file, split_hash
    from .remote import cache_dir

    try:
        path = cache_dir() / version / DESCRIPTOR
        if not path.is_file() or sha256_file(path) != split_hash(digest):
            return None
        return _day(json.loads(path.read_text(encoding="utf-8")).get("created"))
    except (OSError, ValueError, ConflictDataError):  # no usable cache: no date, not an error
        return None


def _person(author: dict) -> str:
    # CFF: an entity has a name; a person has given-names and family-names.
    if author.get("name"):
        return str(author["name"])
    return " ".join(str(author[k]) for k in ("given-names", "name-particle", "family-names") if author.get(k))
