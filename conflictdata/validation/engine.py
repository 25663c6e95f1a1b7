"""Run every check over a package, table by table and batch by batch, into one Report.

Tables are visited so that a table comes after the tables it refers to. Each is read in
batches (:class:`~conflictdata.read.TableReader`): checks of one row at a time (types,
constraints, foreign keys into other tables, most rules) run on each batch as it arrives;
checks that compare rows (unique fields, keys, self-references, duplicate claims, parent
loops) run once on the columns they need, gathered from every batch. So memory follows the
batch size and the key columns, not the size of the file.
"""

from __future__ import annotations

import contextlib
import datetime
import os
from collections.abc import Collection, Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..feedback import Task, human_size, task
from ..package import MERGE_JOURNAL, Package, Resource, locate
from ..read import LINE, TableReader
from ..report import Fault, Report
from ..schema import TableSchema
from .collect import DEFAULT_CAP, Batch
from .context import REFERRERS, enrich_table, fold_lookups
from .rules import targets_for
from .structure import (
    attach,
    check_header,
    key_columns,
    prepare,
    queue_cell_checks,
    queue_foreign_keys,
    queue_key_checks,
    references,
    typed_view,
)

if TYPE_CHECKING:
    import polars as pl

    from .collect import _Item
    from .rules import Rule, Target
    from .structure import Reference


@dataclass(frozen=True)
class Plan:
    """What one run of the pipeline checks, keeps and who evaluates the checks.

    Every caller goes through :func:`run` with a plan: ``validate`` checks everything,
    ``build`` also keeps every typed table, ``load`` checks one table's structure
    (header, types, constraints, keys, self-references) without reading the others.
    """

    tables: tuple[str, ...] | None = None  # None: every table of the package
    foreign_keys: bool = True  # keys into other tables, and the context columns they carry
    rules: bool = True  # the semantic rules of :mod:`.rules`
    keep: bool = False  # keep every typed table (else only those other tables refer to)
    cap: int = DEFAULT_CAP  # faults kept per check, table and field; the rest are counted
    today: datetime.date | None = None  # fixes the date-in-future rule
    engine: str = "polars"  # who evaluates the checks: "polars" or "pandera"


ENGINES = ("polars", "pandera")


def validate_package(package: Package, *, strict: bool = False, cap: int = DEFAULT_CAP,
                     today: datetime.date | None = None, engine: str = "polars") -> Report:
    """Validate an opened :class:`~conflictdata.package.Package`; every fault in one Report.

    ``cap`` bounds the faults kept per check, table and field (the rest are counted);
    ``today`` fixes the date-in-future rule; ``engine`` says who evaluates the checks (the
    same expressions either way: Polars directly, or wrapped as Pandera checks).
    """
    return run(package, Plan(cap=cap, today=today, engine=engine), strict=strict)[0]


def validate_and_type(package: Package, *, strict: bool = False, cap: int = DEFAULT_CAP,
                      today: datetime.date | None = None,
                      keep_all: bool = True) -> tuple[Report, dict[str, pl.DataFrame]]:
    """Validate, and keep the typed tables (Polars, with ``__line__``) of the same pass.

    What ``conflictdata build`` writes from, so that a release costs one reading of the data.
    Without ``keep_all``, only the tables that other tables refer to are kept.
    """
    return run(package, Plan(cap=cap, today=today, keep=keep_all), strict=strict)


def run(package: Package, plan: Plan = Plan(), *, strict: bool = False) -> tuple[Report, dict[str, pl.DataFrame]]:
    """The one pipeline: read, type and check the tables of ``plan``; the report and typed tables."""
    if plan.engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {plan.engine!r}")
    report = Report(checked=package.describe(), strict=strict)
    if (package.root / MERGE_JOURNAL).exists() and plan.tables is None:
        report.add(Fault("", MERGE_JOURNAL, None, None, None, "merge-journal",
                         f"the package carries a merge journal ({MERGE_JOURNAL}); a journal that came with the "
                         "data is never replayed: delete it (and, if a merge was interrupted on this machine, "
                         "run `conflictdata add` there to finish it)"))
    schemas = {name: TableSchema.from_dict(r.schema) for name, r in package.resources.items()}
    referenced: set[str] = set()
    if plan.foreign_keys:
        for name, schema in schemas.items():
            # Context columns ride on foreign keys (a claim's update date), so these are all.
            referenced |= {fk.resource for fk in schema.foreign_keys if fk.resource not in ("", name)}
    whole: dict[str, pl.DataFrame] = {}  # typed tables that other tables look into
    memo: dict[Any, Any] = {}  # their keys, prepared once for every table that points at them
    order = _order(schemas, plan.tables, plan.foreign_keys)
    # Rules that ask how many rows point at a row (an event no claim points at) run once
    # every table is read; only a run over the whole package can count them.
    wanted = _counted(schemas, order, plan) if plan.tables is None and plan.foreign_keys else set()
    pointers: dict[str, list[pl.DataFrame]] = {name: [] for name in wanted}
    deferred: list[_TableRun] = []
    readers = {name: TableReader(package.resources[name]) for name in order}
    # One thread reads every table, in order, a batch ahead of the checks: the next table's
    # first batch is parsed while this one's checks across rows run.
    stream = _prefetch(_every_batch([readers[name] for name in order]))
    # On a terminal (see conflictdata.feedback) one step per table, and one for the rules
    # across tables; elsewhere these cost next to nothing.
    with task(f"validate {package.root.name}: {len(order)} tables", total=len(order) + bool(wanted)) as overall:
        try:
            for name in order:
                run_ = _TableRun(package.resources[name], schemas, whole, plan, plan.keep or name in referenced,
                                 memo, wanted)
                report.merge(run_.check(readers[name], stream))
                overall.advance()
                if run_.typed is not None:
                    whole[name] = run_.typed
                for target, keys in run_.pointers:
                    pointers[target].append(keys)
                if name in wanted:
                    deferred.append(run_)
        finally:
            stream.close()  # stops the reading thread if a check raised
        if wanted:
            with task(f"rules across tables: rows pointing at {', '.join(r.name for r in deferred)}",
                      total=len(deferred)) as step:
                for run_ in deferred:
                    report.merge(run_.finish(pointers[run_.name]))
                    step.advance()
            overall.advance()
    return report, whole


def _table_task(name: str, reader: TableReader) -> tuple[str, contextlib.AbstractContextManager[Task]]:
    """The step that reads and checks one table, and its label: its bar counts the file's
    bytes where blocks of a known size are read (CSV), else it shows that work goes on (Parquet)."""
    size = None
    with contextlib.suppress(OSError):
        size = os.stat(reader.resource.file).st_size
    label = f"validate {name}" + (f" ({human_size(size)})" if size is not None else "")
    return label, task(label, total=size if size is not None and getattr(reader, "block_bytes", None) else None)


def _counted(schemas: dict[str, TableSchema], order: list[str], plan: Plan) -> set[str]:
    """The tables whose rules read :data:`~.context.REFERRERS` (how many rows point at each row)."""
    if not plan.rules:
        return set()
    options = {"today": plan.today}
    return {name for name in order
            if any(REFERRERS in (t.across_rows or ()) for _, t in targets_for(name, schemas[name], options))}


_END = object()  # ends one table's batches in the stream of every table's


def _every_batch(readers: Iterable[TableReader]) -> Iterator[pl.DataFrame | object]:
    for reader in readers:
        yield from reader.batches()
        yield _END


def _prefetch(batches: Iterable[Any]) -> Generator[Any, None, None]:
    """Read the next batch in a thread while this one is checked (Polars releases the GIL).

    When the consumer stops early (a fault it raises, a generator closed), the reading
    thread is told to stop too, so no thread stays blocked holding a batch.
    """
    import queue
    import threading

    box: queue.Queue[Any] = queue.Queue(maxsize=1)
    done, stop = object(), threading.Event()

    def produce() -> None:
        try:
            for item in batches:
                box.put(item)
                if stop.is_set():
                    return
        except BaseException as exc:  # handed to the consumer, which re-raises it
            box.put(exc)
        box.put(done)

    reader = threading.Thread(target=produce, daemon=True)
    reader.start()
    try:
        while (item := box.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while reader.is_alive():  # unblock a put, then let the thread see the stop
            try:
                box.get(timeout=0.05)
            except queue.Empty:
                pass


def _order(schemas: dict[str, TableSchema], tables: tuple[str, ...] | None = None,
           follow: bool = True) -> list[str]:
    """Table names, each after the tables its foreign keys point at (context columns ride on them).

    ``tables`` limits the run to those tables (and, when ``follow``, the tables they point at).
    """
    done: list[str] = []

    def visit(name: str, path: tuple[str, ...] = ()) -> None:
        if name in done or name in path or name not in schemas:
            return
        schema = schemas[name]
        for target in [fk.resource for fk in schema.foreign_keys] if follow else []:
            if target not in ("", name):
                visit(target, (*path, name))
        done.append(name)

    for name in schemas if tables is None else tables:
        visit(name)
    return done


class _TableRun:
    """Everything checked for one table, whatever the number of batches it arrives in."""

    def __init__(self, resource: Resource, schemas: dict[str, TableSchema], whole: dict[str, pl.DataFrame],
                 plan: Plan, keep: bool, memo: dict[Any, Any], counted: Collection[str] = ()) -> None:
        self.resource, self.name, self.path = resource, resource.name, resource.path
        self.schema, self.schemas, self.whole = schemas[resource.name], schemas, whole
        self.plan, self.cap, self.keep = plan, plan.cap, keep
        # Prepared once, used by every batch: the referenced keys, with looked-up context
        # (a claim's update date) riding on the same join.
        self.refs: list[Reference] = (references(self.schema, self.name, whole, declared=set(schemas), memo=memo)
                     if plan.foreign_keys else [])
        # Without foreign keys the context columns are still there, null: a rule that compares
        # with another table then finds nothing to say, rather than a column it cannot find.
        self.lookups = fold_lookups(self.name, self.refs, whole if plan.foreign_keys else {}, schemas, memo)
        self.rules: list[tuple[Rule, Target]] = (
            list(targets_for(self.name, self.schema, {"today": plan.today})) if plan.rules else [])
        across = key_columns(self.schema)
        self.digests: list[str] = []
        for _, target in self.rules:
            across |= set(target.across_rows or ())
            self.digests += list(target.digests)
        # Keys into the tables whose referrers are counted (events): gathered to count them.
        self.pointing = [(fk.fields[0], fk.resource, fk.reference_fields[0]) for fk in self.schema.foreign_keys
                         if fk.resource in counted and fk.resource not in ("", self.name) and len(fk.fields) == 1]
        across |= {own for own, _, _ in self.pointing}
        # Schema fields, then the context columns a check across rows reads (a claimant's side).
        self.across = [f for f in self.schema.names if f in across]
        self.across += sorted(c for c in across if c.startswith("__") and c not in (LINE, REFERRERS))
        self.deferred = self.name in counted
        self.gathered: pl.DataFrame | None = None
        self.pointers: list[tuple[str, pl.DataFrame]] = []
        self.typed: pl.DataFrame | None = None
        self.checks: list[_Item] | None = None  # the checks of one row at a time, built on the first batch

    def check(self, reader: TableReader, stream: Iterator[Any]) -> Report:
        """Check the batches of ``reader`` as they come out of ``stream`` (up to ``_END``)."""
        label, shown = _table_task(self.name, reader)
        with shown as step:
            return self._check(reader, stream, step, label)

    def _check(self, reader: TableReader, stream: Iterator[Any], step: Task, label: str) -> Report:
        if reader.header:
            check_header(reader.raw, self.schema)
        scratch = Report()
        parts: list[pl.DataFrame] = []
        gathered: list[pl.DataFrame] = []
        # A CSV block is block_bytes long but for the end of its last record: the bytes read so
        # far, closely enough for a bar (the reader does not count them itself).
        block = getattr(reader, "block_bytes", 0)
        rows = 0
        while (frame := next(stream)) is not _END:
            typed, work = self._batch(frame, scratch)
            gathered.append(self._gather(work))
            if self.keep:
                parts.append(typed)
            rows += frame.height
            step.advance(block)
            step.update(description=f"{label}: {rows:,} rows")
        report = Report()
        report.extend(reader.faults)
        if gathered:
            import polars as pl

            if parts:
                self.typed = pl.concat(parts) if len(parts) > 1 else parts[0]
            del parts
            table = pl.concat(gathered) if len(gathered) > 1 else gathered[0]
            self.pointers = [(target, table.select(pl.col(own).alias(key)).drop_nulls())
                             for own, target, key in self.pointing]
            if self.deferred:
                self.gathered = table  # checked by finish, once the tables pointing here are read
            # Its own step, without a total: the time it takes is not in bytes or rows read.
            with task(f"{self.name}: keys and rules across {rows:,} rows"):
                self._across_rows(table, scratch)
        report.merge(scratch)
        return report

    def finish(self, pointers: list[pl.DataFrame]) -> Report:
        """The checks across rows that count the rows pointing here, given those keys."""
        import polars as pl

        scratch = Report()
        if self.gathered is None or not self.schema.primary_key:
            return scratch
        key = self.schema.primary_key[0]
        keys = pl.concat(pointers) if pointers else pl.DataFrame({key: []}, schema={key: pl.String})
        counts = keys.group_by(key).len(name=REFERRERS)
        table = self.gathered.join(counts, on=key, how="left", maintain_order="left")
        self._across_rows(table.with_columns(pl.col(REFERRERS).fill_null(0)), scratch, referrers=True)
        return scratch

    def _gather(self, work: pl.DataFrame) -> pl.DataFrame:
        """What the checks across rows need from a batch: key columns, context, digests, lines."""
        return work.select(*self.across, *self.digests, LINE)

    def _batch(self, frame: pl.DataFrame, scratch: Report) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Every check of one row at a time, in one pass over one frame; the typed batch."""
        work = enrich_table(attach(prepare(frame, self.schema), self.refs), self.lookups)
        batch = Batch(work, self.name, self.path, engine=self.plan.engine)
        if self.checks is None:
            # Built once per table: every batch has the same columns, and a check of one row
            # at a time is an expression that does not look at the data it will run on.
            queue_cell_checks(batch, self.schema, set(frame.columns), self.refs)
            queue_foreign_keys(batch, self.refs)
            for rule, target in self.rules:
                if target.across_rows is None:
                    batch.add(target.violation(work), field=target.field, code=rule.code, message=target.message,
                              value_of=target.value_of, severity=rule.severity, extra=target.extra, clean=target.clean)
            self.checks = list(batch.items)
        batch.items = list(self.checks)
        batch.run(scratch, self.cap)
        return typed_view(work, self.schema), work

    def _across_rows(self, table: pl.DataFrame, scratch: Report, referrers: bool = False) -> None:
        """The checks across rows: keys and rules; with ``referrers``, only the rules that count them."""
        batch = Batch(table, self.name, self.path, engine=self.plan.engine)
        if not referrers:
            queue_key_checks(batch, self.schema, self.name)
        for rule, target in self.rules:
            if target.across_rows is not None and (REFERRERS in target.across_rows) == referrers:
                batch.add(target.violation(table), field=target.field, code=rule.code, message=target.message,
                          value_of=target.value_of, severity=rule.severity, extra=target.extra, clean=target.clean)
        batch.run(scratch, self.cap)


def validate(path: str | os.PathLike | None = None, *, strict: bool = False, cap: int = DEFAULT_CAP,
             today: datetime.date | None = None, engine: str = "polars") -> Report:
    """Validate the package at ``path`` (default: the installed data).

    Returns a :class:`~conflictdata.report.Report`; raises
    :class:`~conflictdata.errors.PackageError` only when the package cannot be read at all.

    Examples
    --------
    >>> import conflictdata as cd
    >>> cd.validate().valid
    True
    """
    return validate_package(locate(path), strict=strict, cap=cap, today=today, engine=engine)
