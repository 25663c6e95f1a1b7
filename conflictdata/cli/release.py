"""Commands for releases: ``build``, ``diff`` and ``download``."""

from __future__ import annotations

from pathlib import Path

import click

from .common import EXIT_INVALID, EXIT_OK, friendly, progress_option


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=str))
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The release folder to write (created; must be empty unless --overwrite).")
@click.option("--overwrite", is_flag=True, help="Replace release files already in --out.")
@progress_option
@friendly
def build(path, out, overwrite):
    """Build a release of the package at PATH into --out: Parquet, CSV, datapackage.json, SHA256SUMS, zip.

    PATH is a folder holding datapackage.json, or the file itself; without it, the
    datapackage.json in the current folder if there is one, else the installed data. Invalid
    data is refused with the validator's report. The same data always gives the same bytes;
    the one date comes from SOURCE_DATE_EPOCH or the version's CHANGELOG.md entry.

    Exit codes: 0 built, 1 invalid data (nothing written), 2 the package or folder cannot be used.
    """
    from ..feedback import human_size
    from ..package import locate
    from ..release import build as build_release

    package = locate(path, prefer_cwd=True)
    result = build_release(package, out, overwrite=overwrite)
    if not result.ok:
        click.echo(result.report.render())
        click.echo("error: the data is invalid; nothing was built", err=True)
        raise SystemExit(EXIT_INVALID)
    click.echo(f"built {package.descriptor.get('name', 'conflictdata')} {result.version} into {result.out}")
    width = max(len(f.name) for f in result.files)
    sizes = [human_size(f.bytes) for f in result.files]
    size_width = max(len(s) for s in sizes)
    for f, size in zip(result.files, sizes, strict=True):
        click.echo(f"  {f.name:<{width}}  {size:>{size_width}}  sha256:{f.sha256}")


@click.command()
@click.argument("old", type=click.Path(exists=True, path_type=str))
@click.argument("new", type=click.Path(exists=True, path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="text for people, json for programs, markdown for the changelog.")
@click.option("--check-version", is_flag=True,
              help="Exit 1 when NEW's declared version is not a large enough bump over OLD's for the change.")
@friendly
def diff(old, new, fmt, check_version):
    """Compare two versions of the data: rows added, removed and changed, schema changes, required bump.

    OLD and NEW are each a package folder, a release folder or a release zip.

    Exit codes: 0 compared (with --check-version: and the version covers the change),
    1 the declared version does not cover the change, 2 a side cannot be read.
    """
    from ..diff import diff as compare

    result = compare(old, new)
    click.echo(result.render(fmt))
    if check_version and not result.covered:
        click.echo(f"error: {result.verdict()}", err=True)
        raise SystemExit(EXIT_INVALID)
    raise SystemExit(EXIT_OK)


@click.command()
@click.argument("version")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="Also copy the verified release into this folder.")
@progress_option
@friendly
def download(version, out):
    """Download release VERSION (e.g. 1.2.0), verify every file's sha256 and cache it.

    Files come from $CONFLICTDATA_BASE_URL/VERSION/ (default: the project's GitHub
    releases) into the user cache folder ($CONFLICTDATA_CACHE overrides it). A file whose
    sha256 does not match is refused and not kept. Afterwards
    conflictdata.load(name, version=VERSION) works offline.
    """
    from ..feedback import human_size
    from ..package import DESCRIPTOR, open_package
    from ..remote import download as fetch_release

    folder = fetch_release(version, out)
    package = open_package(folder)
    files = [folder / DESCRIPTOR, *(folder / r.path for r in package.resources.values())]
    size = human_size(sum(f.stat().st_size for f in files))
    click.echo(f"conflictdata {version}: verified, in {folder} ({len(files)} files, {size})")
