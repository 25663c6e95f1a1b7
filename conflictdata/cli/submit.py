"""Commands for contributors: ``add`` (check and merge submissions) and ``new-submission``."""

from __future__ import annotations

import json

import click

from .common import EXIT_INVALID, EXIT_OK, EXIT_UNREADABLE, fail, friendly


@click.command()
# Not click.Path(dir_okay=False): a folder, like a FIFO, is one fault line of the file, not a usage error.
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--into", type=click.Path(path_type=str), default=None,
              help="The package to merge into: a folder holding datapackage.json (default: the current folder).")
@click.option("--dry-run", is_flag=True, help="Check only; write nothing.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="text for people, json for programs, github for annotations on the submission's lines.")
@click.option("--lock-timeout", type=click.FloatRange(min=0), default=60.0, show_default=True,
              help="Seconds to wait for another merge into the same package to finish.")
@friendly
def add(files, into, dry_run, fmt, lock_timeout):
    """Check submission FILES and merge them into the package, all tables at once or nothing.

    Each file is checked against the submission format, turned into rows, and the package as
    it would be after the merge is validated with every rule; faults point at the
    submission's lines. Nothing is written unless every file is valid.

    After a merge into a repository's package (one with docs/data-dictionary.md), the
    generated documents follow the data: the data dictionary and the README's data card are
    refreshed as `conflictdata docs` would, so that they are committed with the new rows.

    With --dry-run, the new claims that have no event_id are each listed with the events they
    may belong to, and each new event with the events it may duplicate, ranked, with their
    reasons (windows overlap, same place, same attacker side, same munition class): proposals
    only; nothing is linked.

    Exit codes: 0 merged (or valid, with --dry-run), 1 a file has faults, 2 a file or the
    package cannot be read, or the package is locked.
    """
    from ..submission.propose import render_proposals
    from ..submit import add as add_files

    result = add_files(list(files), into, dry_run=dry_run, lock_timeout=lock_timeout)
    if result.recovered:
        click.echo(f"finished an interrupted merge first: {', '.join(result.recovered)}", err=True)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        for f in result.files:
            if lines := f.render(fmt):
                click.echo(lines)
        click.echo(result.summary())
        if fmt == "text" and (block := render_proposals([p for f in result.files for p in f.proposals])):
            click.echo(block)
    if result.written:
        _refresh_docs(result.package)
    raise SystemExit(EXIT_UNREADABLE if result.unreadable else EXIT_OK if result.valid else EXIT_INVALID)


def _refresh_docs(root) -> None:
    """Regenerate the merged package's documents, or say exactly what to run when that fails."""
    from ..docs import refresh
    from ..errors import ConflictDataError
    from ..package import open_package

    try:
        written = refresh(open_package(root))
    except (ConflictDataError, OSError) as e:
        # the rows are merged either way; the documents are regenerated from them at any time
        click.echo(f"warning: the data card and data dictionary were not refreshed ({e}); "
                   f"run `conflictdata docs {root}`", err=True)
        return
    for file in written:
        click.echo(f"refreshed {file}", err=True)


@click.command("new-submission")
@click.option("--url", default=None, help="The web address of the source document (http or https).")
@click.option("--out", type=click.Path(path_type=str, dir_okay=False), default=None,
              help="Write the template to this new file (its first line then points at the JSON Schema "
                   "relative to it inside the package's folder) instead of printing it.")
@click.option("--json-schema", "schema", is_flag=True,
              help="Print the submission JSON Schema (generated from the Table Schemas) instead.")
@friendly
def new_submission(url, out, schema):
    """Print (or --out: write) a compact, commented YAML template for one source document.

    \b
        conflictdata new-submission --url https://example.org/live --out submissions/example.yaml

    Fill it in, then check it with `conflictdata add --dry-run FILE`. Its first line points
    editors at the submission JSON Schema, which describes every other field: relative to the
    file when it is inside the package's folder, else by the schema's absolute file: URI (so
    it works from any folder). The template and the JSON Schema come from the package in the
    current folder, else the installed one.
    """
    from ..submit import json_schema, known_source, template, write_template

    if schema:
        click.echo(json_schema(), nl=False)
        return
    if url is not None:
        problem, existing = known_source(url)
        if problem:
            fail(problem, EXIT_UNREADABLE)
        if existing:
            fail(f"{url} is already in the package ({existing}); a source is submitted once", EXIT_INVALID)
    if out is None:
        click.echo(template(url), nl=False)
        return
    try:
        written = write_template(out, url)
    except FileExistsError as exc:
        fail(str(exc), EXIT_UNREADABLE)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}", EXIT_UNREADABLE)
    for path in written:
        click.echo(f"wrote {path}", err=True)
