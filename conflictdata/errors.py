"""Exceptions for misuse of the library.

Problems *in the data* are never exceptions: they are :class:`~conflictdata.report.Fault`
objects collected in a :class:`~conflictdata.report.Report`. The exceptions here are for
things that stop the library from doing its job at all: a package that cannot be read, a
table that does not exist, a path that would leave the package.
"""

from __future__ import annotations

from types import ModuleType


class ConflictDataError(Exception):
    """Base class of every error this library raises on purpose."""


class PackageError(ConflictDataError):
    """The data package cannot be read: no or malformed descriptor, missing schema."""


class UnsafePathError(PackageError):
    """A descriptor points outside its package (absolute path, ``..``, ``~``, URL, symlink)."""


class UnknownTableError(ConflictDataError, KeyError):
    """A table name that the package does not have.

    Examples
    --------
    >>> import conflictdata as cd
    >>> cd.load("nope")  # doctest: +SKIP
    UnknownTableError: no table named 'nope'; the tables are: sources, updates, ...
    """

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


class MissingExtraError(ConflictDataError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def require(module: str, extra: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtraError` saying what to install.

    The message gives the requirement as the installed package's metadata declares it for
    ``extra`` (``pip install 'duckdb>=1.2'``), which works for a copy installed from a checkout
    as for one from an index, and names the extra.

    Examples
    --------
    >>> require("nope", "sql")
    Traceback (most recent call last):
    conflictdata.errors.MissingExtraError: this needs nope (the 'sql' extra): pip install 'nope'
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(
            f"this needs {module} (the {extra!r} extra): pip install '{_requirement(module, extra)}'"
        ) from exc


def _requirement(module: str, extra: str) -> str:
    """``module``'s requirement in the ``extra`` of the installed conflictdata, or its bare name."""
    from importlib.metadata import PackageNotFoundError, requires

    from packaging.requirements import InvalidRequirement, Requirement

    try:
        declared = requires("conflictdata") or []
    except PackageNotFoundError:
        return module
    for line in declared:
        try:
            req = Requirement(line)
        except InvalidRequirement:
            continue
        if req.name.lower() == module.lower() and req.marker is not None and req.marker.evaluate({"extra": extra}):
            return f"{req.name}{req.specifier}"
    return module


class DataError(ConflictDataError):
    """A table cannot be loaded because its file is broken; ``conflictdata validate`` says where."""


class ReleaseError(ConflictDataError):
    """A release cannot be built, fetched or compared (no version, download failed, bad archive)."""


class UnknownVersionError(ReleaseError):
    """A version that is not in the registry of published releases; the message lists the known ones."""


class IntegrityError(ReleaseError):
    """A release file whose sha256 is not the one it must have; the file is refused and not kept."""


class InputFileError(ConflictDataError):
    """An importer's input file cannot be used: unreadable, ragged, or a header it does not know."""


class OutputExistsError(ConflictDataError):
    """An importer's output folder is not empty (or is not a package it may replace); nothing was written."""


class MergeError(ConflictDataError):
    """A submission cannot be merged at all: the package is locked by another merge, or cannot be written."""


class QueryError(ConflictDataError):
    """A SQL query that DuckDB refuses: a syntax error, an unknown table or column, or an attempt to write files."""
