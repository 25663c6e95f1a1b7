"""The ``conflictdata`` command: a thin click layer over the library.

Only this package prints or exits. Subcommands live in their own modules and are imported
only when run, so ``conflictdata --help`` stays instant.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from .. import __version__

# name -> (where the command lives, its line in ``conflictdata --help``). This table is the one
# home of a command's short help: the group lists it from here without importing any command
# module (so ``--help`` stays instant), and gives it to the command when it is loaded, so every
# place click shows a short help agrees. The docstring is the full help of ``conflictdata NAME
# --help``.
COMMANDS: dict[str, tuple[str, str]] = {
    "tables": ("conflictdata.cli.data:tables", "List the tables and their row counts."),
    "validate": ("conflictdata.cli.data:validate", "Check a package's data against its schemas and rules."),
    "import": ("conflictdata.cli.imports:import_group",
               "Import a third-party dataset (missile-attacks) into a new, validated package."),
    "rules": ("conflictdata.cli.data:rules", "List every check the validator runs, with its code."),
    "build": ("conflictdata.cli.release:build", "Build a reproducible release: Parquet, CSV, checksums, zip."),
    "diff": ("conflictdata.cli.release:diff", "Compare two versions: rows, schema changes, required version bump."),
    "download": ("conflictdata.cli.release:download", "Download and verify a published release into the cache."),
    "publish": ("conflictdata.cli.publish:publish",
                "Check a built release (checksums, hashes, version, data) and add it to the registry."),
    "add": ("conflictdata.cli.submit:add", "Check submission files and merge them into the package, all or nothing."),
    "new-submission": ("conflictdata.cli.submit:new_submission",
                       "Print a commented YAML template for a new submission."),
    "docs": ("conflictdata.cli.users:docs", "Generate docs/data-dictionary.md from the schemas."),
    "cite": ("conflictdata.cli.users:cite", "Print how to cite the data version in use (text, BibTeX)."),
    "sql": ("conflictdata.cli.users:sql", "Run a read-only SQL query (DuckDB) over tables and views."),
    "export": ("conflictdata.cli.users:export", "Export to a DuckDB or SQLite database or an Excel workbook."),
    "plot": ("conflictdata.cli.users:plot", "Draw each side's figures per event, or running totals per day (--daily)."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        target, short_help = COMMANDS[name]
        module, func = target.split(":")
        command = getattr(importlib.import_module(module), func)
        command.short_help = short_help
        return command

    def format_commands(self, ctx, formatter):
        # The short help from the table, without importing every command module.
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][1]) for name in self.list_commands(ctx)])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="conflictdata")
def cli():
    """conflictdata: curated, sourced claims about the Russia-Ukraine war.

    Every number names the update that states it and the actor who claimed it.
    """


def main() -> None:
    """Entry point: run the CLI; no traceback reaches the user unless CONFLICTDATA_DEBUG is set."""
    try:
        cli.main(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:  # a bug, not bad input: say so in one line
        if os.environ.get("CONFLICTDATA_DEBUG"):
            raise
        click.echo(f"error: internal error: {type(exc).__name__}: {exc} "
                   "(please report it; set CONFLICTDATA_DEBUG=1 for details)", err=True)
        sys.exit(2)
