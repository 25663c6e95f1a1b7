"""Commands that read a package: ``tables`` and ``validate``."""

from __future__ import annotations

import contextlib
import json

import click

from ..catalogue import emit
from ..errors import ConflictDataError
from .common import EXIT_INVALID, EXIT_OK, friendly, progress_option
from .common import _describe as describe  # the one line friendly prints, for the JSON object too

PATH = click.argument("path", required=False, type=click.Path(path_type=str))


@click.command()
@PATH
@progress_option
@friendly
def tables(path):
    """List the tables of the package at PATH (default: the installed data) with row counts."""
    from ..feedback import task
    from ..package import locate
    from ..read import TableReader

    package = locate(path)
    width = max(len(n) for n in package.resources)
    with task(f"count the rows of {package.root.name}", total=len(package.resources)) as step:
        for name, resource in package.resources.items():
            reader = TableReader(resource)
            rows = sum(frame.height for frame in reader.batches())  # a block at a time: any size
            shown = "unreadable" if not reader.readable or reader.broken else f"{rows} rows"
            click.echo(f"{name:<{width}}  {shown}")
            step.advance()


def _wants_json(args) -> bool:
    """Whether the command line asks for ``--format json`` (read before click has parsed it)."""
    args = list(args)
    return "--format=json" in args or any(a == "--format" and b == "json" for a, b in zip(args, args[1:], strict=False))


def _json_error(code: str, message: str) -> None:
    """The one JSON object a program reading ``--format json`` gets when there is no report."""
    click.echo(json.dumps({"valid": False, "error": {"code": code, "message": message}}, ensure_ascii=False))


class _JSONCommand(click.Command):
    """A command whose ``--format json`` prints a JSON object even for a usage error (exit 2)."""

    def parse_args(self, ctx, args):
        wants = _wants_json(args)
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            if wants:
                _json_error("usage-error", exc.format_message())
            raise


@contextlib.contextmanager
def _errors_as_json(fmt: str):
    """With ``--format json``, an error that stops the run is also a JSON object on stdout.

    The one line on stderr and the exit code (2) stay as for every command: ``friendly``
    (outside) prints and exits; this only adds the object, so that a program reading stdout
    always gets one. Its code is ``package-invalid`` (the catalogue's) for a package that
    cannot be read, ``internal-error`` for a bug; :class:`_JSONCommand` uses ``usage-error``.
    """
    try:
        yield
    except (ConflictDataError, OSError) as exc:
        if fmt == "json":
            emit("package-invalid")  # a registered code (see conflictdata.catalogue), emitted here
            _json_error("package-invalid", describe(exc))
        raise
    except Exception as exc:  # a bug: main() reports it; the program still gets an object
        if fmt == "json":
            _json_error("internal-error", f"{type(exc).__name__}: {exc}")
        raise


@click.command(cls=_JSONCommand)
@PATH
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="text for people, json for programs, github for GitHub Actions annotations.")
@click.option("--max-errors", type=click.IntRange(min=1), default=None,
              help="List at most this many faults (text and github), shared between the files that have "
                   "faults; the summary at the end counts them all.")
@click.option("--strict", is_flag=True, help="Warnings fail the run too.")
@click.option("--engine", type=click.Choice(["polars", "pandera"]), default="polars", show_default=True,
              help="polars: the fast vectorised engine; pandera: the same checks run as Pandera schemas.")
@click.option("--base", type=click.Path(path_type=str), default=None, metavar="BASE",
              help="Also compare the schemas with those of the package at BASE (a folder, e.g. a worktree of "
                   "the base branch, or a release zip): each table, field, key or constraint removed or "
                   "loosened is a schema-weakened error.")
@progress_option
@friendly
def validate(path, fmt, max_errors, strict, engine, base):
    """Check every table of the package at PATH against its schema and rules.

    PATH is a folder holding datapackage.json, or the file itself. Without PATH: the
    datapackage.json in the current folder if there is one, else the installed data.
    With --base, a schema that accepts data BASE's schema refuses is an error too.
    The report ends with a summary: per file, the count of each fault code. On a terminal,
    the progress of each table is shown on stderr while it runs (--quiet: not).

    Exit codes: 0 valid, 1 invalid data (or a weakened schema), 2 the package (or BASE)
    cannot be read. With --format json, stdout always holds one JSON object: the report,
    or {"valid": false, "error": {"code": ..., "message": ...}}.
    """
    with _errors_as_json(fmt):
        from ..package import locate
        from ..validation import validate_package

        package = locate(path, prefer_cwd=True)
        weakened = []
        if base is not None:
            from ..diff import opened
            from ..weaken import weakenings

            with opened(base) as old:
                weakened = weakenings(package, old)
        report = validate_package(package, strict=strict, engine=engine)
        report.extend(weakened)
    output = report.render(fmt, max_errors=max_errors if fmt != "json" else None)
    if output:
        click.echo(output)
    raise SystemExit(EXIT_OK if report.valid else EXIT_INVALID)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
def rules(fmt):
    """List every check of the validator, structural and semantic, with its code and severity."""
    import json

    from ..validation.checks import all_checks

    checks = all_checks()
    if fmt == "json":
        click.echo(json.dumps([c.__dict__ | {"tables": list(c.tables)} for c in checks], indent=2))
        return
    if fmt == "markdown":
        click.echo("| code | kind | severity | tables | what it checks |\n| --- | --- | --- | --- | --- |")
        for c in checks:
            click.echo(f"| `{c.code}` | {c.kind} | {c.severity} | {', '.join(c.tables) or 'any table'} | "
                       f"{c.description} |")
        return
    width = max(len(c.code) for c in checks)
    for c in checks:
        where = f" [{', '.join(c.tables)}]" if c.tables else ""
        click.echo(f"{c.code:<{width}}  {c.kind:<10}  {c.severity:<7}  {c.description}{where}")
