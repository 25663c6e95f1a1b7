"""Turn boolean masks over a table into Faults: the one place rows become Faults.

Checks are gathered in a :class:`Batch` and counted in one pass over the table (Polars runs
the expressions in parallel and shares common work); only the checks that found something
go back to the table to pick out their rows, at most ``cap`` of them each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..read import LINE
from ..report import ERROR, Fault, Report

if TYPE_CHECKING:
    import polars as pl

DEFAULT_CAP = 1000  # faults kept per check and table; the rest are counted, not listed
TEXT = "\x1ftext"  # suffix of the text a typed column was parsed from, while both are needed


@dataclass
class _Item:
    mask: pl.Expr  # true on faulty rows
    field: str | None
    code: str
    message: Callable[[dict], str]
    value_of: str | None
    severity: str
    extra: tuple
    # (frame) -> True when the check cannot fail on it, known without looking at the rows
    # (from the null counts Polars keeps with each column): the check is then not counted.
    clean: Callable | None = None
    _totals: dict | None = None

    def total(self, i: int):
        """The expression that counts the faulty rows, named ``i`` (kept: a table's checks
        are counted on every batch, and building expressions costs time in Python)."""
        if self._totals is None:
            self._totals = {}
        if i not in self._totals:
            self._totals[i] = self.mask.fill_null(False).sum().alias(str(i))
        return self._totals[i]


class Batch:
    """Checks over one table, evaluated together.

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({"n": [1, -2], "__line__": [2, 3]})
    >>> report = Report()
    >>> batch = Batch(frame, "t", "data/t.csv")
    >>> batch.add(pl.col("n") < 0, field="n", code="constraint-minimum", message=lambda r: "negative")
    >>> batch.run(report)
    1
    >>> report.faults[0].row
    3
    """

    def __init__(self, frame: pl.DataFrame, resource: str, path: str, engine: str = "polars") -> None:
        self.frame, self.resource, self.path, self.engine = frame, resource, path, engine
        self.items: list[_Item] = []

    def add(self, mask: pl.Expr, *, field: str | None, code: str, message: Callable[[dict], str],
            value_of: str | None = None, severity: str = ERROR, extra: tuple = (),
            clean: Callable | None = None) -> None:
        """Queue a check; ``extra`` holds column names or Polars expressions the message needs.

        ``clean(frame)``, when given, says cheaply that the check has nothing to find.
        """
        self.items.append(_Item(mask, field, code, message, value_of, severity, extra, clean))

    def run(self, report: Report, cap: int = DEFAULT_CAP) -> int:
        """Count every queued check in one pass, then collect the faults; return the total.

        ``cap`` bounds the faults kept per (table, check, field) over every batch that
        reports into ``report`` (counted in ``report.caps``); the rest are counted in
        ``report.omitted`` (and, per file and code, ``report.omitted_by``).
        """
        if not self.items:
            return 0
        live = [(i, item) for i, item in enumerate(self.items) if item.clean is None or not item.clean(self.frame)]
        if self.engine == "pandera" and live:
            live = self._by_pandera(live)
        counts = self.frame.select([item.total(i) for i, item in live]).row(0) if live else ()
        total = sum(counts)
        failing = [(i, item, n) for (i, item), n in zip(live, counts, strict=True) if n]
        self.items = []
        if failing:
            self._collect(report, failing, cap)
        return total

    def _by_pandera(self, live: list) -> list:
        """The same checks with Pandera deciding which rows fail: each mask becomes those rows.

        Only who evaluates the expressions changes; the faults are then made here, the same way.
        """
        import polars as pl

        rows = failing_rows(self.frame, live)
        index = pl.int_range(pl.len(), dtype=pl.Int64)
        return [(i, replace(item, mask=index.is_in(pl.Series(rows.get(i, []), dtype=pl.Int64).implode()),
                            _totals=None)) for i, item in live]

    def _as_written(self, column: str) -> str:
        """The column holding ``column`` as the file wrote it, where the frame keeps that text.

        A message quotes a date or a count as the cell says it ("2024-10-07T00:00:00"), not as
        the typed value prints ("2024-10-07 00:00:00.000000").
        """
        return column + TEXT if column + TEXT in self.frame.columns else column

    def _collect(self, report: Report, failing: list, cap: int) -> None:
        """The rows of the checks that found faults, at most ``cap`` per check, as Faults.

        The masks and computed columns are evaluated on the whole frame (some look at other
        rows: "first of its kind", "the earliest line of this claim"), once, and only the
        rows that fail some check are kept: picking each check's rows from those is cheap.
        """
        import polars as pl

        wanted = []
        for i, item, n in failing:
            # The cap is per (table, check, field) over every batch of the table: report.caps
            # remembers what the earlier batches kept.
            room = report.caps.take((self.resource, item.code, item.field), n, cap)
            if n > room:
                report.omit(self.path, item.code, item.severity, n - room)
            if room:
                wanted.append((f"\x1fbad{i}", item, room))
        if not wanted:
            return
        computed = {c.meta.output_name(): c for _, item, _ in wanted for c in item.extra if not isinstance(c, str)}
        picks = []
        for flag, item, room in wanted:
            value_col = item.value_of or item.field
            cols = [pl.col(LINE)]
            if value_col is not None:
                cols.append(pl.col(self._as_written(value_col)).cast(pl.String).alias("value"))
            cols += [pl.col(self._as_written(c)).alias(c) if isinstance(c, str) else pl.col(c.meta.output_name())
                     for c in item.extra if not (isinstance(c, str) and c == value_col)]
            picks.append((flag, item, room, cols))
        # Only the columns the faults show are filtered, not the whole (wide) frame.
        shown = {LINE} | {n for *_, cols in picks for c in cols for n in c.meta.root_names()}
        bad = (self.frame.lazy()
               .with_columns(*computed.values(), *[item.mask.fill_null(False).alias(f) for f, item, _ in wanted])
               .select(*sorted(shown), *[f for f, _, _ in wanted])
               .filter(pl.any_horizontal([f for f, _, _ in wanted])).collect())
        for flag, item, room, cols in picks:
            for row in bad.filter(pl.col(flag)).select(cols).head(room).iter_rows(named=True):
                report.add(Fault(self.resource, self.path, row[LINE], item.field, row.get("value"), item.code,
                                 item.message(row), item.severity))


def failing_rows(frame: pl.DataFrame, items: list) -> dict[int, list[int]]:
    """Which rows of ``frame`` fail each check, as Pandera finds them: ``{i: [row index, ...]}``.

    ``items`` are ``(i, item)`` pairs of the pipeline's checks (see
    :class:`Batch`); each becomes a ``pandera.polars.Check``
    named ``i`` that wraps the item's very expression, and the whole frame is validated once.
    """
    import pandera.polars as pa

    def wrap(mask):
        return lambda data: data.lazyframe.select((~mask.fill_null(False)).alias("ok"))

    import polars as pl

    schema = pa.DataFrameSchema(checks=[pa.Check(wrap(item.mask), name=str(i)) for i, item in items], strict=False)
    # Pandera builds its failure cases through Int64, where a 64-bit digest (a claim's hash,
    # UInt64) above 2^63 does not fit: the same bits as Int64 compare and group alike.
    frame = frame.with_columns(pl.col(pl.UInt64).reinterpret(signed=True))
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        out: dict[int, list[int]] = {}
        for check, index in exc.failure_cases.select("check", "index").iter_rows():
            if index is not None and check is not None and check.isdigit():
                out.setdefault(int(check), []).append(int(index))
        return out
    return {}
