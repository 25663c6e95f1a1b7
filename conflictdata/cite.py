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
from .errors import PackageError, UnknownVersionError
from .package import installed_root, locate

CFF = "CITATION.cff"
FORMATS = ("text", "bibtex")


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

    def render(self, format: str = "text") -> str:
        """The citation as plain text or as a BibTeX entry.

        Examples
        --------
        >>> c = Citation("A title", "1.2.0", ("someone",), "CC-BY-4.0", "https://example.org", True)
        >>> print(c.render())
        someone. A title, version 1.2.0 [data set]. https://example.org. Licence: CC-BY-4.0.
        """
        if format == "bibtex":
            return self.bibtex()
        if format != "text":
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
        who = " and ".join(self.authors)
        year = f" ({self.year})" if self.year else ""
        parts = [f"{who}{year}. {self.title}, version {self.version} [data set]. {self.url}."]
        if self.sha256:
            parts.append(f"datapackage.json sha256:{self.sha256}.")
        parts.append(f"Licence: {self.licence}.")
        return " ".join(parts)

    def bibtex(self) -> str:
        """A BibTeX ``@misc`` entry (classic BibTeX and biblatex both read it)."""
        key = "conflictdata_" + re.sub(r"[^0-9A-Za-z]+", "_", self.version)
        note = ["Data set", f"Licence: {self.licence}"]
        if self.sha256:
            note.append(f"datapackage.json sha256:{self.sha256}")
        fields = [
            ("author", " and ".join("{" + _tex(a) + "}" for a in self.authors)),
            ("title", "{" + _tex(self.title) + "}"),
            *([("year", str(self.year))] if self.year else []),
            ("version", _tex(self.version)),
            ("url", self.url),
            ("note", _tex(". ".join(note))),
        ]
        width = max(len(k) for k, _ in fields)
        body = ",\n".join(f"  {k:<{width}} = {{{v}}}" for k, v in fields)
        return f"@misc{{{key},\n{body}\n}}"


def _tex(text: str) -> str:
    # Characters that mean something to TeX, written so they print as themselves.
    special = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
               "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
    return "".join(special.get(c, c) for c in text)


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
    # date-released dates the CITATION.cff's own version only; YAML reads it as a date unless quoted
    released = meta.get("date-released")
    if isinstance(released, str):
        with contextlib.suppress(ValueError):
            released = dt.date.fromisoformat(released)
    year = getattr(released, "year", None) if str(meta.get("version")) == version else None
    return Citation(
        title=str(d.get("title") or meta.get("title") or d.get("name", "conflictdata")),
        version=version,
        authors=authors or ("conflictdata contributors",),
        licence=licence or "see the package",
        url=url,
        published=version in published,
        sha256=digest.split(":", 1)[1] if digest else None,
        year=year,
    )


def _person(author: dict) -> str:
    # CFF: an entity has a name; a person has given-names and family-names.
    if author.get("name"):
        return str(author["name"])
    return " ".join(str(author[k]) for k in ("given-names", "name-particle", "family-names") if author.get(k))
