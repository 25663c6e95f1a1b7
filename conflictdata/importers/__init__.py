"""Importers: someone else's dataset in, a validated conflictdata package out.

Each importer reads a third-party file as it is published, maps it onto conflictdata's seven
tables without guessing (what the source does not say stays empty or ``unresolved``), writes a
complete package folder atomically with a ``lineage`` table (the input line of every row) and
validates it, reporting faults at the input's lines.

>>> from conflictdata.importers import import_missile_attacks
>>> result = import_missile_attacks("missile_attacks_daily.csv", "attacks",
...                                 catalog="missiles_and_uavs.csv")      # doctest: +SKIP
>>> result.report.valid                                                   # doctest: +SKIP
False
"""

from .missile_attacks import import_missile_attacks

__all__ = ["import_missile_attacks"]
