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

    Exit codes: 0 merged (or valid, with --dry-run), 1 a file has faults, 2 a file or the
    package cannot be read, or the package is locked.
    """
    from ..submit import add as add_files

    result = add_files(list(files), into, dry_run=dry_run, lock_timeout=lock_timeout)
    if result.recovered:
        click.echo(f"finished an interrupted merge first: {', '.join(result.recovered)}", err=True)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        for f in result.files:
            lines = _github(f) if fmt == "github" else _text(f)
            if lines:
                click.echo(lines)
        click.echo(_summary(result))
    raise SystemExit(EXIT_UNREADABLE if result.unreadable else EXIT_OK if result.valid else EXIT_INVALID)


def _adds(rows: dict[str, list[str]]) -> str:
    total = sum(len(ids) for ids in rows.values())
    return f"{total} rows (" + ", ".join(f"{table} {len(ids)}" for table, ids in rows.items()) + ")"


def _text(f) -> str:
    """One line per fault, ``file:line: severity code [where]: message``, as compilers write them."""
    lines = []
    for fault in f.report.sorted():
        at = f"{fault.path}:{fault.row}" if fault.row is not None else fault.path
        where = f" [{fault.field}]" if fault.field else ""
        lines.append(f"{at}: {fault.severity} {fault.code}{where}: {fault.message}")
    hidden = sum(f.report.omitted.values())
    if hidden:
        lines.append(f"{f.path}: ... and {hidden} more")
    if f.valid:
        lines.append(f"{f.path}: valid; adds {_adds(f.rows)}")
    elif not f.unreadable:
        lines.append(f"{f.path}: INVALID: {len(f.report.errors)} error(s), {len(f.report.warnings)} warning(s)")
    return "\n".join(lines)


def _github(f) -> str:
    lines = [f.report.render("github")] if f.report.faults or f.report.omitted else []
    if f.valid:
        lines.append(f"::notice file={f.path},title=submission::valid; adds {_adds(f.rows)}")
    return "\n".join(line for line in lines if line)


def _summary(result) -> str:
    bad = sum(not f.valid for f in result.files)
    unreadable = sum(f.unreadable for f in result.files)
    if bad:
        why = f"{bad} of {len(result.files)} file(s) have faults"
        return f"nothing written: {why}" + (f" ({unreadable} cannot be read)" if unreadable else "")
    if result.dry_run:
        return "dry run: valid, nothing written"
    if not result.written:
        return "nothing to write"
    total = sum(len(ids) for f in result.files for ids in f.rows.values())
    return f"added {total} rows to {result.package}"


@click.command("new-submission")
@click.option("--url", default=None, help="The web address of the source document (http or https).")
@click.option("--json-schema", "schema", is_flag=True,
              help="Print the submission JSON Schema (generated from the Table Schemas) instead.")
@friendly
def new_submission(url, schema):
    """Print a commented YAML template for one source document.

    \b
        conflictdata new-submission --url https://example.org/live > submissions/example.yaml

    Fill it in, then check it with `conflictdata add --dry-run FILE`. The template and the
    JSON Schema come from the package in the current folder, else the installed one.
    """
    from ..submit import json_schema, known_source, template

    if schema:
        click.echo(json_schema(), nl=False)
        return
    if url is not None:
        problem, existing = known_source(url)
        if problem:
            fail(problem, EXIT_UNREADABLE)
        if existing:
            fail(f"{url} is already in the package ({existing}); a source is submitted once", EXIT_INVALID)
    click.echo(template(url), nl=False)
