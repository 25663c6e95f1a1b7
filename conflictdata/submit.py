"""Contributions: check submission files and merge them into a package, all or nothing.

A submission is one YAML file per source document (see ``CONTRIBUTING.md`` and
``schemas/submission.schema.json``). :func:`add` reads each file, checks it against the
submission's JSON Schema, turns it into rows, refuses a source or claim the package already
has, validates the package as it would be after the merge with every rule of the validator,
and only then writes every table at once (:mod:`conflictdata.submission.write`). Every fault
names the submission's file and line, or, for an existing row, the data file's.

>>> from conflictdata.submit import add
>>> result = add(["submissions/new.yaml"], into=".", dry_run=True)  # doctest: +SKIP
>>> result.valid, result.files[0].rows["munitions"]                  # doctest: +SKIP
(True, ['kyiv-independent-2024-10-09-...'])
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import MergeError, PackageError
from .package import DESCRIPTOR, Package, locate, open_package
from .submission.apply import AddResult, FileResult
from .submission.propose import Candidate, Proposal

__all__ = ["AddResult", "Candidate", "FileResult", "Proposal", "add", "check", "json_schema", "known_source",
           "propose_events", "schema_ref", "target_package", "template", "write_template"]

DEFAULT_LOCK_TIMEOUT = 60.0


def add(files: list[str | os.PathLike], into: str | os.PathLike | None = None, *, dry_run: bool = False,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> AddResult:
    """Check ``files`` and, unless ``dry_run`` or a file has a fault, merge them all into the package.

    Files are applied in order, each on top of the ones before it (a later file may refer to
    an actor an earlier one adds). A file with faults is reported and skipped, the others are
    still checked, and nothing is written unless every file is valid.

    Parameters
    ----------
    files : list of path-like
        Submission files (YAML).
    into : path-like, optional
        A folder holding ``datapackage.json`` or the file itself; default the current folder.
    dry_run : bool
        Check only; never write (the merge lock is still taken when it can be). A dry run also
        proposes events for the new claims without one, and names existing events a new event
        may duplicate (each file's ``proposals``; see :func:`propose_events`).
    lock_timeout : float
        Seconds to wait for another merge into the same package to finish.

    Returns
    -------
    AddResult
        Raises :class:`~conflictdata.errors.PackageError` when the package cannot be read and
        :class:`~conflictdata.errors.MergeError` when it cannot be locked or written, or holds
        a merge journal that no merge on this machine left (one that came with the data is
        never replayed; see :mod:`conflictdata.submission.write`).

    Examples
    --------
    >>> result = add(["examples/submissions/dw-2024-10-08.yaml"], into=".", dry_run=True)  # doctest: +SKIP
    >>> result.files[0].report.render()                                                     # doctest: +SKIP
    """
    from .submission.apply import apply_file
    from .submission.layout import build_layout
    from .submission.merge import State
    from .submission.parse import parse_file
    from .submission.write import commit, locked, pending, recover, trusted

    package = target_package(into)
    layout = build_layout(package)
    root = package.root
    # A symlink among the submissions may lead into the current folder or the package, not elsewhere.
    parsed = [parse_file(f, within=(Path.cwd().resolve(), root)) for f in files]
    tables = [r.path for r in package.resources.values()]
    with locked(root, lock_timeout, required=not dry_run):
        recovered: list[str] = []
        if dry_run and pending(root):
            trusted(root, tables)  # a journal this machine did not leave is refused as such
            raise MergeError(f"an interrupted merge into {root} is pending; run `conflictdata add` without "
                             "--dry-run to finish it first")
        if not dry_run:
            recovered = recover(root, tables)  # only what a merge on this machine left; see write.py
        start = State.read(package, layout)
        state, results = start, []
        for p in parsed:
            result, state = apply_file(p, state, propose=dry_run)
            results.append(result)
        outcome = AddResult(root, results, dry_run=dry_run, recovered=recovered)
        if outcome.valid and not dry_run and state is not start:
            changed = state.changed(start)
            paths = [state.tables[t].resource.path for t in layout.order]
            commit(root, {p: changed[p] for p in paths if p in changed})
            outcome.written = True
    return outcome


def check(files: list[str | os.PathLike], into: str | os.PathLike | None = None, **kw) -> AddResult:
    """:func:`add` with ``dry_run=True``: every fault, nothing written."""
    return add(files, into, dry_run=True, **kw)


def propose_events(files: list[str | os.PathLike], into: str | os.PathLike | None = None,
                   **kw) -> list[Proposal]:
    """The events each new claim without an ``event_id`` may belong to, and each new event may duplicate.

    A dry run of ``files`` (:func:`check`): nothing is written and nothing is linked. Each
    :class:`Proposal` names the claim or event (table, id, file and line) and its candidates,
    best first, each with its score and its reasons (windows overlap, same place or one inside
    the other, same attacker side, same munition class); the scoring is
    :mod:`conflictdata.submission.propose`'s.

    Examples
    --------
    >>> proposals = propose_events(["submissions/new.yaml"], into=".")             # doctest: +SKIP
    >>> proposals[0].candidates[0].event_id, proposals[0].candidates[0].reasons    # doctest: +SKIP
    ('2024-10-08-overnight-missile-and-drone-attack', ('windows overlap', 'same attacker side: russia', ...))
    """
    return [p for f in check(files, into, **kw).files for p in f.proposals]


def target_package(into: str | os.PathLike | None) -> Package:
    """The package a merge writes into: ``into``, else the current folder (never the installed data)."""
    if into is not None:
        return open_package(into)
    if not Path(DESCRIPTOR).is_file():
        raise PackageError(f"no {DESCRIPTOR} in the current folder ({Path.cwd()}); "
                           "run this in the package's folder or give --into PATH")
    return open_package(Path.cwd(), origin="cwd")


def json_schema(path: str | os.PathLike | None = None) -> str:
    """The submission JSON Schema of the package at ``path`` (default: this checkout's or the installed one).

    Examples
    --------
    >>> import json
    >>> json.loads(json_schema())["title"]
    'conflictdata submission'
    """
    from .submission.layout import build_layout
    from .submission.spec import render_json_schema

    return render_json_schema(build_layout(locate(path, prefer_cwd=True)))


def known_source(url: str, path: str | os.PathLike | None = None) -> tuple[str | None, str | None]:
    """``(problem, existing)``: why ``url`` cannot be a source's url, and the row that already has it.

    Both are None for a well-formed url the package (default: this checkout's or the
    installed one) does not have yet.

    Examples
    --------
    >>> known_source("ftp://example.org")[0]  # doctest: +ELLIPSIS
    "the url 'ftp://example.org' does not match the pattern https?://... of sources.url"
    >>> known_source("https://example.org/new")
    (None, None)
    """
    import re

    from .schema import TableSchema
    from .submission.layout import ROOT_TABLE
    from .submission.merge import read_table

    package = locate(path, prefer_cwd=True)
    resource = package.resource(ROOT_TABLE)
    schema = TableSchema.from_dict(resource.schema)
    if "url" not in schema.names:
        return None, None
    pattern = schema.field("url").constraints.get("pattern")
    if pattern and not re.fullmatch(pattern, url):
        return f"the url {url!r} does not match the pattern {pattern} of {ROOT_TABLE}.url", None
    for rec in read_table(resource, schema).records:
        if rec.get("url") == url:
            return None, rec.describe(resource.path)
    return None, None


def template(url: str | None = None, path: str | os.PathLike | None = None, *,
             folder: str | os.PathLike | None = None) -> str:
    """A compact, commented YAML template for a new submission, with ``url`` filled in.

    Its first line points an editor at the package's submission JSON Schema
    (:func:`schema_ref`): relative to ``folder`` (where the file will be) when that is inside
    the package's folder, else by its absolute ``file:`` URI, which works from any folder.

    Examples
    --------
    >>> text = template("https://example.org/a")
    >>> "source:" in text, text.startswith("# yaml-language-server: $schema=file://")
    (True, True)
    """
    from .submission.layout import build_layout
    from .submission.template import render_template

    package = locate(path, prefer_cwd=True)
    return render_template(build_layout(package), url, schema_ref(package, folder))


def schema_ref(package: Package, folder: str | os.PathLike | None = None) -> str | None:
    """Where a submission in ``folder`` finds the package's ``submission.schema.json``; None without one.

    A path relative to ``folder`` when ``folder`` is inside the package's folder (a checkout's
    ``submissions/`` gets ``../schemas/submission.schema.json``, right on every clone), else the
    schema's absolute ``file:`` URI (an installed package's, from any folder).

    Examples
    --------
    >>> from conflictdata.package import locate
    >>> pkg = locate()
    >>> schema_ref(pkg, pkg.root / "submissions")
    '../schemas/submission.schema.json'
    """
    from .submission.template import SCHEMA_FILE

    schemas = {Path(r.schema_path).parent for r in package.resources.values() if r.schema_path}
    found = [package.root / s / SCHEMA_FILE for s in sorted(schemas) if (package.root / s / SCHEMA_FILE).is_file()]
    if not found:
        return None
    schema = found[0].resolve()
    if folder is not None:
        where = Path(folder).resolve()
        if where.is_relative_to(package.root):
            return Path(os.path.relpath(schema, where)).as_posix()
    return schema.as_uri()


def write_template(out: str | os.PathLike, url: str | None = None,
                   path: str | os.PathLike | None = None) -> list[Path]:
    """Write :func:`template` to ``out`` (a new file); return the files written.

    When the package has no ``submission.schema.json`` to point at, the schema is generated
    and written beside ``out`` (and named first in the list), so an editor checks the file
    wherever it is. Raises :class:`FileExistsError` rather than overwrite ``out``.
    """
    from .submission.template import SCHEMA_FILE

    target = Path(out)
    if target.exists():
        raise FileExistsError(f"{target} already exists; choose another name or delete it")
    package = locate(path, prefer_cwd=True)
    written = []
    text = template(url, path, folder=target.parent)
    if schema_ref(package, target.parent) is None:
        from .submission.layout import build_layout
        from .submission.spec import render_json_schema
        from .submission.template import render_template

        beside = target.parent / SCHEMA_FILE
        beside.write_text(render_json_schema(build_layout(package)), encoding="utf-8")
        written.append(beside)
        text = render_template(build_layout(package), url, SCHEMA_FILE)
    target.write_text(text, encoding="utf-8")
    return [*written, target]
