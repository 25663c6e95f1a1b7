"""Commands for the people who use the data: ``docs``, ``cite``, ``sql``, ``export`` and ``plot``."""

from __future__ import annotations

from pathlib import Path

import click

from ..cite import FORMATS
from .common import EXIT_INVALID, EXIT_OK, fail, friendly, usage_errors

PACKAGE_PATH = click.option("--path", type=click.Path(path_type=str),
                            help="A package or release folder instead of the installed data.")
VERSION = click.option("--version", "version", metavar="VERSION",
                       help="A published release (e.g. 1.2.0), downloaded and verified once, then cached.")


def _one_source(path, version) -> None:
    # Before any work, in the options' names: --path and --version together is the first thing said.
    from ..load import check_one_source

    try:
        check_one_source(path, version, names=("--path", "--version"))
    except ValueError as exc:
        fail(str(exc))


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=str))
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=str),
              help="The file to write ('-' prints it); default: docs/data-dictionary.md in the package's folder.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when a generated file is out of date.")
@friendly
def docs(path, out, check):
    """Generate the data dictionary (docs/data-dictionary.md) from the Table Schemas and the checks.

    PATH is a package folder; without it, the datapackage.json in the current folder if there
    is one, else the installed data. A README.md beside datapackage.json with the markers
    <!-- data-card:begin --> and <!-- data-card:end --> gets its coverage block refreshed from
    the data too. With --check (for CI), write nothing and exit 1, showing the difference,
    when a committed file is out of date.

    Exit codes: 0 written or current, 1 out of date (--check), 2 the package cannot be read.
    """
    from ..docs import coverage, data_dictionary, default_file, stale, with_card, write
    from ..package import locate

    package = locate(path, prefer_cwd=True)
    text = data_dictionary(package)
    target = out or default_file(package)
    if target is None or str(target) == "-":
        if check:
            fail("--check needs a file: give --out")
        click.echo(text, nl=False)
        return
    outputs = [(Path(target), text)]
    readme = package.root / "README.md"
    if out is None and readme.is_file():
        current = readme.read_text(encoding="utf-8")
        card = with_card(current, coverage(package))
        if card != current or check:
            outputs.append((readme, card))
    if check:
        diffs = [line for file, content in outputs for line in stale(content, file)]
        if diffs:
            click.echo("\n".join(diffs))
            click.echo("error: generated documentation is out of date; run 'conflictdata docs' and commit it",
                       err=True)
            raise SystemExit(EXIT_INVALID)
        click.echo(f"{target} is up to date")
        raise SystemExit(EXIT_OK)
    for file, content in outputs:
        write(content, file)
        click.echo(f"wrote {file}")


@click.command()
@VERSION
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@friendly
def cite(version, fmt):
    """Print how to cite the data: the installed version, or --version VERSION.

    Title, authors and licence come from datapackage.json and CITATION.cff; a published
    version is cited with its release page and the sha256 of its datapackage.json (from the
    registry installed with the library; nothing is downloaded).
    """
    from ..cite import citation

    c = citation(version)
    click.echo(c.render(fmt))
    if not c.published:
        click.echo(f"note: {c.version} is not a published release; say which copy you used (e.g. the git "
                   "commit), or cite a published version", err=True)


@click.command()
@click.argument("query")
@PACKAGE_PATH
@VERSION
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="table for people, csv or json for programs.")
@friendly
def sql(query, path, version, fmt):
    """Run a read-only SQL QUERY (DuckDB) over the package's tables and claim views.

    Every table is there under its name (sources, updates, actors, places, munition_types,
    events, munitions, casualty_reports, damage_reports); the views munitions_claims,
    casualty_claims and damage_claims add the names of the claimant, event, attacker, munition
    type, places, update and source to each claim. event_figures has one row per event,
    measure and claim (best, low, high, claimant, side, claim table and key), event_disputes
    the rows of the events whose claimants' figures cannot all be true, with their spread:
    the same rows as conflictdata.event_figures() and conflictdata.disputes(). Datetimes are
    Kyiv local time (TIMESTAMP WITH TIME ZONE). The query cannot read or write files.

    Example: conflictdata sql "SELECT claimant_name, launched, intercepted FROM munitions_claims"

    Exit codes: 0 ok, 2 the query is refused (one line from DuckDB, with its hints such as the
    candidate column names) or the package cannot be read.
    Needs DuckDB (the 'sql' extra: pip install '.[sql]' in a checkout).
    """
    from ..sql import query as run
    from ..sql import render

    _one_source(path, version)
    table = run(query, path, version=version)
    click.echo(render(table, fmt), nl=False)


@click.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["duckdb", "sqlite", "xlsx"]),
              help="Default: from OUT's suffix (.duckdb, .sqlite or .db, .xlsx).")
@PACKAGE_PATH
@VERSION
@click.option("--force", is_flag=True, help="Replace OUT (and its metadata) when it exists.")
@click.option("--allow-invalid", is_flag=True,
              help="Export data that 'conflictdata validate' faults all the same, with a one-line warning.")
@friendly
@usage_errors
def export(out, fmt, path, version, force, allow_invalid):
    """Export the package to OUT: a DuckDB or SQLite database, or an Excel workbook.

    duckdb and sqlite: every table with its primary and foreign keys, the claim views
    (munitions_claims, casualty_claims, damage_claims) and the tables event_figures and
    event_disputes; SQLite also gets OUT's name with .metadata.json, the table and column
    descriptions for Datasette. xlsx: one sheet per table, an 'event_figures' sheet and a
    'fields' sheet; datetimes are Kyiv local wall-clock time (Excel has no time zones); cells
    a spreadsheet would run as formulas are stored as text.

    The data is validated first, as for 'conflictdata build': invalid data is refused with the
    validator's report and nothing is written, unless --allow-invalid (written, with a warning).
    Written beside OUT and renamed into place: a failed export leaves nothing half-written.
    Exit codes: 0 written, 1 invalid data (nothing written), 2 nothing written (unreadable
    package, OUT exists, missing extra).
    """
    import warnings

    from ..export import InvalidDataError, InvalidDataWarning
    from ..export import export as write_export

    _one_source(path, version)
    try:
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always", InvalidDataWarning)
            files = write_export(out, fmt, path=path, version=version, force=force, allow_invalid=allow_invalid)
    except InvalidDataError as exc:
        click.echo(exc.report.render())
        click.echo(f"error: {exc} (--allow-invalid exports it anyway)", err=True)
        raise SystemExit(EXIT_INVALID) from None
    for w in said:
        if issubclass(w.category, InvalidDataWarning):
            click.echo(f"warning: {w.message}", err=True)
        else:  # any other warning, as Python would show it
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    for f in files:
        click.echo(f"wrote {f}")
    if len(files) == 2:
        click.echo(f"browse it: datasette {files[0]} --metadata {files[1]}")


@click.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@PACKAGE_PATH
@VERSION
@click.option("--title", help="A title instead of the default one.")
@click.option("--event", "event_id", metavar="EVENT_ID",
              help="Draw one event instead, claim by claimant: a bar per claimant, disputes and contradictions "
                   "marked.")
@click.option("--daily", "series", metavar="SERIES",
              help="Draw running totals per day instead: comma-separated loss categories (tank, apc, ...) "
                   "or personnel, captured; e.g. --daily tank,personnel.")
@friendly
@usage_errors
def plot(out, path, version, title, event_id, series):
    """Draw each side's figures per event into OUT (.png, .svg, .pdf): one panel per event.

    In each panel, bars per measure (launched, intercepted, returned, hit, killed, ...) and
    side (the party a claimant speaks for, or a non-party by kind), from the latest claims; a
    range is drawn low to high.
    With --event EVENT_ID, that one event instead: a bar per claimant's latest claim in each
    group, coloured by side, a red bracket with the spread over a dispute, and each
    contradiction across measures written under the panel.
    With --daily SERIES, one panel per series instead: the change of a running total (the
    General Staff's daily reports) since the report before, derived per day, with revisions
    (a total lower than the one before, kept as reported) in another colour and counted.
    From whatever package is given: the installed data, --path or --version. An existing OUT
    is replaced. Needs matplotlib (the 'plot' extra).
    """
    _one_source(path, version)
    if event_id is not None and series is not None:
        raise click.UsageError("give --event or --daily, not both")
    if event_id is not None:
        from ..plot import plot_event

        try:
            claims = plot_event(out, event_id, path, version=version, title=title)
        except ValueError as e:
            raise click.UsageError(str(e)) from None
        from ..plot import count

        click.echo(f"wrote {out}: {count(len({r['claimant_id'] for r in claims.rows}), 'claimant')}, "
                   f"{count(len(claims.disputes), 'dispute')}, "
                   f"{count(len(claims.contradictions), 'contradiction')}")
        return
    if series is not None:
        from ..plot import plot_daily

        daily = plot_daily(out, series, path, version=version, title=title)
        empty = f"; no running totals of {', '.join(daily.empty)}" if daily.empty else ""
        revisions = f"{daily.revisions} revision" + ("" if daily.revisions == 1 else "s")
        click.echo(f"wrote {out}: {len(daily.series)} series, {daily.reports} reports, {revisions}{empty}",
                   err=not daily.series)
        return
    from ..plot import plot as draw

    data = draw(out, path, version=version, title=title)
    if not data.events:
        click.echo(f"wrote {out}: no event has a claimed figure to draw", err=True)
        return
    more = f" ({data.left_out} more not drawn)" if data.left_out else ""
    click.echo(f"wrote {out}: {len(data.events)} events{more}, {len(data.sides)} sides, {data.claims} claims")
