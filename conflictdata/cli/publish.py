"""The ``publish`` command: check a built release and register it."""

from __future__ import annotations

from pathlib import Path

import click

from .common import EXIT_INVALID, friendly, progress_option


@click.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--registry", type=click.Path(dir_okay=False, path_type=Path),
              help="The registry file to add the version to (default: $CONFLICTDATA_REGISTRY, else "
                   "conflictdata/registry.json).")
@click.option("--changelog", type=click.Path(dir_okay=False, path_type=Path),
              help="The CHANGELOG.md that dates the version (default: ./CHANGELOG.md).")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit non-zero unless the registry already holds this release's hash.")
@progress_option
@friendly
def publish(folder, registry, changelog, check_only):
    """Check the release in FOLDER (e.g. dist/1.2.0) and add its version to the registry of releases.

    Checks SHA256SUMS, every hash in datapackage.json and the zip against the files, that the
    folder is named for the descriptor's version and CHANGELOG.md dates it, and validates the
    data. Then adds "VERSION": "sha256:<hash of datapackage.json>" to the registry, all at
    once. A version already registered with another hash is refused: a published version
    never changes.

    Exit codes: 0 published (or, with --check, registered as it is), 1 invalid data,
    2 a file does not match, the version is not dated, or the registry refuses it.
    """
    from ..feedback import human_size
    from ..publish import publish as publish_release

    result = publish_release(folder, registry=registry, changelog=changelog, check_only=check_only)
    if not result.ok:
        click.echo(result.report.render())
        click.echo(f"error: the data of {folder} is invalid; nothing was published", err=True)
        raise SystemExit(EXIT_INVALID)
    total = sum(f.bytes for f in result.files)
    click.echo(f"checked {result.version} in {folder}: {len(result.files)} files, {human_size(total)}, "
               f"valid; datapackage.json sha256:{result.sha256}")
    if check_only:
        click.echo(f"{result.version} is registered in {result.registry} with this hash")
    elif result.added:
        click.echo(f"published {result.version} in {result.registry}; commit it, then tag {result.version}")
    else:
        click.echo(f"{result.version} was already published in {result.registry} with this hash; nothing changed")
