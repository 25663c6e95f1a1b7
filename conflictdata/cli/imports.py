"""``conflictdata import``: turn someone else's dataset into a validated conflictdata package."""

from __future__ import annotations

import click

from .common import EXIT_INVALID, EXIT_OK, friendly, progress_option


@click.group("import")
def import_group():
    """Import a third-party dataset into conflictdata's tables (a new package folder)."""


@import_group.command("missile-attacks", short_help="The 'Massive Missile Attacks on Ukraine' daily CSV.")
@click.argument("daily_csv", type=click.Path(dir_okay=False, path_type=str))
@click.option("--catalog", "catalog", type=click.Path(dir_okay=False, path_type=str), default=None,
              metavar="MODELS_CSV", help="The models catalogue (missiles_and_uavs.csv): categories and other names "
                                         "of the weapons. Without it every weapon's category is 'other'.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=str), metavar="DIR",
              help="Folder to write the package into; it must not exist or be empty.")
@click.option("--force", is_flag=True, help="Replace the package already in DIR.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="How to print the faults found: text for people, json for programs, github for annotations.")
@click.option("--max-errors", type=click.IntRange(min=1), default=None,
              help="List at most this many faults (text and github), shared between the files that have "
                   "faults; the summary at the end counts them all.")
@progress_option
@friendly
def missile_attacks(daily_csv, catalog, out, force, fmt, max_errors):
    """Import the "Massive Missile Attacks on Ukraine" dataset (DAILY_CSV: missile_attacks_daily.csv).

    Writes a complete package into DIR (datapackage.json, schemas/, data/: conflictdata's
    seven tables plus 'lineage', the input line of every row), then validates it. Faults are
    reported at the input file's lines; the rows stay as the source gave them.

    Exit codes: 0 imported and valid, 1 imported but the data has faults, 2 nothing written
    (an input cannot be read or has an unknown header, or DIR is not empty).
    """
    from pathlib import Path

    from ..importers.missile_attacks import import_missile_attacks
    from ..report import ERROR, WARNING, Report

    if catalog is None and (Path(daily_csv).parent / "missiles_and_uavs.csv").is_file():
        click.echo("note: no --catalog given, so every weapon's category is 'other'; "
                   f"pass --catalog {Path(daily_csv).parent / 'missiles_and_uavs.csv'} to use the catalogue", err=True)
    result = import_missile_attacks(daily_csv, out, catalog=catalog, force=force)
    counts = ", ".join(f"{n} {name}" for name, n in result.counts.items() if name != "lineage")
    click.echo(f"imported {daily_csv} into {result.out} in {result.seconds:.1f} s: {counts}", err=True)
    # Warnings (every claim lacks a quote: the dataset has none) are counted here, not listed.
    errors = Report(checked=result.report.checked, faults=result.report.errors, strict=False)
    errors.omitted[ERROR] = result.report.omitted.get(ERROR, 0)
    # Faults past a check's cap have no row to trace to an input line: the summary counts them
    # at the written package's file, where the listing names a fault it cannot trace too.
    for (path, code, severity), n in result.output_report.omitted_by.items():
        if severity == ERROR:
            errors.omitted_by[(str(result.out / path), code, severity)] += n
    n_warnings = len(result.report.warnings) + result.report.omitted.get(WARNING, 0)
    output = errors.render(fmt, max_errors=max_errors if fmt != "json" else None, verdict=False)
    if fmt == "text":  # the verdict in the importer's words: the warnings are said below
        n_errors = len(errors.errors) + errors.omitted.get(ERROR, 0)
        output = "\n".join([*output.splitlines(), f"{'valid' if errors.valid else 'INVALID'}: {n_errors} error(s) "
                                                 "at input lines"])
    if output:
        click.echo(output)
    if n_warnings:
        codes = ", ".join(sorted({w.code for w in result.report.warnings}))
        click.echo(f"{n_warnings} warning(s) not listed ({codes}); 'conflictdata validate {result.out}' lists them",
                   err=True)
    raise SystemExit(EXIT_OK if errors.valid else EXIT_INVALID)


@import_group.command("general-staff", short_help="The General Staff's daily loss tallies (2022-Ukraine-Russia-War-"
                                                  "Dataset, pinned commit).")
@click.option("--from", "from_dir", type=click.Path(file_okay=False, path_type=str), default=None, metavar="DIR",
              help="Read the three pinned files from DIR (checked against their pinned sha256) instead of "
                   "downloading them.")
@click.option("--into", "into", type=click.Path(path_type=str), default=None, metavar="PKG",
              help="The package folder to merge into; default: the one in the current folder.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 and say what differs when the package's data "
                                            "is not exactly what the pinned input gives.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="How to print the faults validation finds in the merged package.")
@progress_option
@friendly
def general_staff(from_dir, into, check, fmt):
    """Merge the General Staff's daily tallies of Russian losses into a package.

    Reads russia_losses_equipment.json, russia_losses_personnel.json and
    russia_losses_equipment_correction.json of PetroIvaniuk/2022-Ukraine-Russia-War-Dataset at
    the pinned commit (downloaded once and verified, or from --from DIR), replaces every row of
    that source (its source, its updates and their claims), adds the catalogue rows it needs,
    validates the result and writes all tables at once. Running it twice changes nothing.

    Exit codes: 0 imported (or, with --check, the data is what the input gives), 1 an input
    fault, a failed validation or (--check) a difference; nothing is written then; 2 the
    package cannot be read or written.
    """
    from ..errors import InputFileError, IntegrityError
    from ..importers.general_staff import differences, import_general_staff

    try:
        outcome = import_general_staff(into, from_dir=from_dir, check=check)
    except (InputFileError, IntegrityError) as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(EXIT_INVALID) from None
    counts = ", ".join(f"{n} {name}" for name, n in outcome.merge.rows.counts.items())
    if check:
        diffs = differences(outcome.merge)
        if diffs:
            click.echo("\n".join(diffs))
            click.echo(f"differs: {outcome.root} is not what the pinned input gives ({len(outcome.merge.changed)} "
                       "file(s)); run `conflictdata import general-staff` to rewrite the imported rows", err=True)
            raise SystemExit(EXIT_INVALID)
        click.echo(f"up to date: the data of {outcome.root} is what the pinned input gives ({counts}), checked in "
                   f"{outcome.seconds:.1f} s", err=True)
        raise SystemExit(EXIT_OK)
    if outcome.report is not None and not outcome.report.valid:
        click.echo(outcome.report.render(fmt))
        click.echo("nothing written: the package as the import would leave it is not valid", err=True)
        raise SystemExit(EXIT_INVALID)
    if not outcome.written:
        click.echo(f"unchanged: {outcome.root} already holds what the pinned input gives ({counts}); "
                   f"{outcome.seconds:.1f} s", err=True)
    else:
        click.echo(f"imported into {outcome.root} in {outcome.seconds:.1f} s: {counts}; rewrote "
                   f"{', '.join(outcome.written)}", err=True)
    raise SystemExit(EXIT_OK)
