"""Commands that read a package: ``tables`` and ``validate``."""

from __future__ import annotations

import click

from .common import EXIT_INVALID, EXIT_OK, friendly

PATH = click.argument("path", required=False, type=click.Path(path_type=str))


@click.command()
@PATH
@friendly
def tables(path):
    """List the tables of the package at PATH (default: the installed data) with row counts."""
    from ..package import locate
    from ..read import TableReader

    package = locate(path)
    width = max(len(n) for n in package.resources)
    for name, resource in package.resources.items():
        reader = TableReader(resource)
        rows = sum(frame.height for frame in reader.batches())  # a block at a time: any size
        shown = "unreadable" if not reader.readable or reader.broken else f"{rows} rows"
        click.echo(f"{name:<{width}}  {shown}")


@click.command()
@PATH
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="text for people, json for programs, github for GitHub Actions annotations.")
@click.option("--max-errors", type=click.IntRange(min=1), default=None,
              help="Show at most this many faults (text and github); the rest are counted.")
@click.option("--strict", is_flag=True, help="Warnings fail the run too.")
@click.option("--engine", type=click.Choice(["polars", "pandera"]), default="polars", show_default=True,
              help="polars: the fast vectorised engine; pandera: the same checks run as Pandera schemas.")
@friendly
def validate(path, fmt, max_errors, strict, engine):
    """Check every table of the package at PATH against its schema and rules.

    PATH is a folder holding datapackage.json, or the file itself. Without PATH: the
    datapackage.json in the current folder if there is one, else the installed data.

    Exit codes: 0 valid, 1 invalid data, 2 the package cannot be read.
    """
    from ..package import locate
    from ..validation import validate_package

    package = locate(path, prefer_cwd=True)
    if engine == "pandera":
        from ..validation.pandera_schemas import validate_with_pandera as validate_package  # noqa: F811
    report = validate_package(package, strict=strict)
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
