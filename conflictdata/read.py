"""Read a table's CSV into text columns, keeping each row's line in the file.

Cells are read as text first and typed afterwards (:func:`conflictdata.cast.typed_frame`),
so a cell that does not parse becomes a fault at its line, never an exception. The fast path
hands the file to Polars' multi-threaded CSV reader; a file it cannot read cleanly (ragged
rows, quoted line breaks, blank lines, malformed quoting, bad UTF-8) is read again with
Python's ``csv`` module, which knows the line of every record and names every fault.
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass, field

from .package import Resource
from .report import Fault

LINE = "__line__"  # the column that carries each row's line in the file (header = 1)
_MAX_FAULTS_PER_FILE = 1000
BATCH_ROWS = 500_000  # rows per batch when a table is validated in a stream
CAREFUL_FRAME_BYTES = 256 * 2**20  # above this, a broken file gets structural faults only


@dataclass
class RawTable:
    """A table as text: ``frame`` has one String column per header name plus ``__line__``.

    ``frame`` is None when the file could not be read at all (missing, not UTF-8, NUL bytes,
    broken quoting); ``faults`` then says why.
    """

    resource: Resource
    frame: object | None  # polars.DataFrame
    header: list[str] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)

    def fault(self, row, fld, value, code, message) -> None:
        self.faults.append(Fault(self.resource.name, self.resource.path, row, fld, value, code, message))


class TableReader:
    """Read one resource's CSV in batches of rows, or in one careful pass when it must.

    ``faults`` holds what is wrong with the file itself (missing, empty, NUL bytes, header).
    :meth:`batches` yields text frames (missing values null, plus ``__line__``) from Polars'
    streaming reader; once it is exhausted, ``fast_ok`` says whether the file's own counts
    confirmed those lines. When they did not (ragged rows, blank lines, quoted line breaks,
    bad UTF-8), :meth:`careful` reads the file with Python's ``csv`` module, reports each
    such fault at its line and returns the whole frame (or None for a file too large to hold
    that way, whose structural faults are then all it reports).

    Examples
    --------
    >>> from conflictdata.package import locate
    >>> reader = TableReader(locate().resource("actors"))
    >>> frames = list(reader.batches())
    >>> reader.fast_ok, int(frames[0]["__line__"][0])
    (True, 2)
    """

    def __init__(self, resource: Resource, batch_rows: int | None = None):
        self.resource, self.batch_rows = resource, batch_rows or BATCH_ROWS
        self.raw = RawTable(resource, None)
        self.faults, self.header = self.raw.faults, []
        self.missing = [str(v) for v in resource.schema.get("missingValues", [""])]
        self.fast_ok = False
        self.scan = self._open()

    def fault(self, row, fld, value, code, message) -> None:
        self.raw.fault(row, fld, value, code, message)

    @property
    def readable(self) -> bool:
        return bool(self.header)

    def _open(self):
        resource, fault = self.resource, self.raw.fault
        if resource.format == "parquet":
            return self._open_parquet()
        try:
            scan = _scan(resource.file)
        except FileNotFoundError:
            fault(None, None, None, "file-missing", f"the file {resource.path} does not exist")
            return None
        except OSError as exc:
            fault(None, None, None, "file-unreadable", f"cannot read {resource.path}: {exc.strerror}")
            return None
        if scan.empty:
            fault(1, None, None, "empty-file", f"{resource.path} is empty; it needs at least a header row")
        elif scan.nul_line:
            fault(scan.nul_line, None, None, "nul-byte",
                  f"line {scan.nul_line} holds a NUL byte; the file is binary or corrupt")
        else:
            self.header = _header(scan.first_line, self.raw) or []
            self.raw.header = self.header
        return scan

    def _open_parquet(self):
        import polars as pl

        try:
            self.header = list(pl.read_parquet_schema(self.resource.file))
        except FileNotFoundError:
            self.fault(None, None, None, "file-missing", f"the file {self.resource.path} does not exist")
        except (OSError, pl.exceptions.PolarsError) as exc:
            self.fault(None, None, None, "file-unreadable", f"{self.resource.path} is not a readable Parquet "
                                                            f"file: {str(exc).splitlines()[0]}")
        self.raw.header = self.header
        return None

    def _parquet_batches(self):
        """A release's Parquet file as text in the CSV copy's formats; lines as in that copy."""
        import polars as pl

        from .schema import DATE_FORMAT, DATETIME_FORMAT, TIME_FORMAT

        formats = {pl.Date: DATE_FORMAT, pl.Datetime: DATETIME_FORMAT, pl.Time: TIME_FORMAT}
        query = pl.scan_parquet(self.resource.file).with_row_index(LINE, offset=2)
        as_text = [pl.col(n).dt.strftime(formats[dt.base_type()]).alias(n) if dt.base_type() in formats
                   else pl.col(n).cast(pl.String) for n, dt in query.collect_schema().items() if n != LINE]
        text = query.select(*as_text, pl.col(LINE).cast(pl.Int64))
        yield from text.collect_batches(chunk_size=self.batch_rows)
        self.fast_ok = True

    def batches(self):
        """Text frames of up to ``batch_rows`` rows each, in file order."""
        import polars as pl

        if not self.readable:
            return
        if self.resource.format == "parquet":
            yield from self._parquet_batches()
            return
        scan, width = self.scan, len(self.header)
        rows = commas = 0
        try:
            query = (pl.scan_csv(self.resource.file, infer_schema=False, null_values=self.missing or None,
                                 raise_if_empty=False)
                     .with_row_index(LINE, offset=2))
            for frame in query.collect_batches(chunk_size=self.batch_rows):
                if frame.columns[1:] != self.header:
                    return
                counts = frame.select(
                    pl.all_horizontal(pl.exclude(LINE).is_null()).any().alias("blank"),
                    pl.sum_horizontal(pl.exclude(LINE).str.count_matches(",", literal=True).fill_null(0))
                    .sum().alias("commas"),
                ).row(0, named=True)
                if counts["blank"]:
                    return
                rows += frame.height
                commas += counts["commas"] or 0
                yield frame.select(*self.header, pl.col(LINE).cast(pl.Int64))
        except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError):
            return
        # Polars pads a short row with nulls and reads a blank line as a row of nulls without
        # a word: the file's own counts of lines and commas must confirm every record.
        self.fast_ok = rows == scan.lines - 1 and scan.commas == (width - 1) * (rows + 1) + commas
        if self.fast_ok and rows == 0:
            yield pl.DataFrame(schema={**{n: pl.String for n in self.header}, LINE: pl.Int64})

    def careful(self):
        """The whole table through Python's csv module; faults for every structural problem."""
        if not self.readable:
            return None
        path = self.resource.file
        if path.stat().st_size > CAREFUL_FRAME_BYTES:
            _structure_only(path, self.header, self.raw)
            return None
        data = path.read_bytes()
        if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 BOM is fine (spreadsheets write one)
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            _encoding_fault(self.raw, data, exc)
            return None
        return _read_slow(text, self.header, self.raw, self.missing)


def read_raw(resource: Resource) -> RawTable:
    """Read ``resource``'s CSV file whole, as text columns with line numbers.

    Missing values (the schema's ``missingValues``, by default the empty string) are null.

    Examples
    --------
    >>> from conflictdata.package import locate
    >>> raw = read_raw(locate().resource("actors"))
    >>> int(raw.frame["__line__"][0])
    2
    """
    import polars as pl

    reader = TableReader(resource, batch_rows=1 << 30)
    frames = list(reader.batches())
    if reader.fast_ok:
        reader.raw.frame = pl.concat(frames) if len(frames) != 1 else frames[0]
    else:
        del frames
        reader.raw.frame = reader.careful()
    return reader.raw


@dataclass
class _Scan:
    empty: bool = True
    nul_line: int | None = None
    lines: int = 0  # physical lines, a last line without "\n" included
    commas: int = 0
    first_line: str = ""


def _scan(path, chunk: int = 1 << 24) -> _Scan:
    """One streaming pass over the bytes: line count, NUL bytes, the header line."""
    scan = _Scan()
    newlines, last, head = 0, b"", b""
    with open(path, "rb") as f:
        while block := f.read(chunk):
            if not head:
                head = block[:1 << 20]
            nul = block.find(b"\x00")
            if nul >= 0 and scan.nul_line is None:
                scan.nul_line = newlines + block.count(b"\n", 0, nul) + 1
            newlines += block.count(b"\n")
            scan.commas += block.count(b",")
            if scan.empty and block.strip():
                scan.empty = False
            last = block[-1:]
    scan.lines = newlines + (1 if last and last != b"\n" else 0)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    # The header may hold quoted line breaks: hand the whole head to the csv module.
    scan.first_line = head.decode("utf-8", errors="replace")
    return scan


def _header(text: str, raw: RawTable) -> list[str] | None:
    try:
        first = next(csv.reader(io.StringIO(text, newline=""), strict=True))
    except (csv.Error, StopIteration) as exc:
        raw.fault(1, None, None, "malformed-csv", f"the header row cannot be read as CSV: {exc}")
        return None
    seen: set[str] = set()
    ok = True
    for i, name in enumerate(first, start=1):
        if not name.strip():
            raw.fault(1, None, name, "blank-header", f"column {i} has a blank header")
            ok = False
        elif name in seen:
            raw.fault(1, name, name, "duplicate-header", f"the header {name!r} appears more than once")
            ok = False
        seen.add(name)
    return first if ok else None


def _encoding_fault(raw: RawTable, data: bytes, exc: UnicodeDecodeError, offset: int = 0, lines: int = 0):
    line = lines + data.count(b"\n", 0, exc.start) + 1
    bad = data[exc.start:exc.start + 4]
    raw.fault(line, None, repr(bad), "encoding-error",
              f"line {line} is not UTF-8 (byte {bad[:1].hex()} at offset {offset + exc.start}); "
              "save the file as UTF-8")


def _structure_only(path, header: list[str], raw: RawTable) -> None:
    """Stream a file too large to hold as Python lists: report its structural faults only."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            _records(csv.reader(f, strict=True), header, raw, sink=None)
    except UnicodeDecodeError:
        # Find the line without holding the file: decode it again in chunks.
        import codecs

        decoder, lines, offset = codecs.getincrementaldecoder("utf-8")(), 0, 0
        with open(path, "rb") as f:
            while block := f.read(1 << 24):
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as exc:
                    _encoding_fault(raw, block, exc, offset, lines)
                    return
                lines += block.count(b"\n")
                offset += len(block)


def _read_slow(text: str, header: list[str], raw: RawTable, missing: list[str]):
    """Python's csv module: exact lines, ragged rows padded or cut and reported."""
    import polars as pl

    columns: list[list[str]] = [[] for _ in header]
    lines: list[int] = []

    def sink(line, record):
        for col, cell in zip(columns, record, strict=True):
            col.append(cell)
        lines.append(line)

    if not _records(csv.reader(io.StringIO(text, newline=""), strict=True), header, raw, sink):
        return None
    frame = pl.DataFrame(dict(zip(header, columns, strict=True)), schema={n: pl.String for n in header})
    nulled = [pl.when(pl.any_horizontal([pl.col(n) == m for m in missing])).then(None).otherwise(pl.col(n)).alias(n)
              for n in header]
    return frame.with_columns(*nulled, pl.Series(LINE, lines, dtype=pl.Int64))


def _records(reader, header: list[str], raw: RawTable, sink) -> bool:
    """Walk the records after the header, reporting blank and ragged rows; False on broken quoting."""
    csv.field_size_limit(sys.maxsize)
    width = len(header)
    start, reported = 1, 0
    try:
        next(reader)
        start = reader.line_num + 1
        for record in reader:
            if not record:
                if reported < _MAX_FAULTS_PER_FILE:
                    raw.fault(start, None, None, "blank-row", f"line {start} is blank; remove it")
                    reported += 1
                start = reader.line_num + 1
                continue
            if len(record) != width and reported < _MAX_FAULTS_PER_FILE:
                reported += 1
                if len(record) > width:
                    extra = record[width]
                    raw.fault(start, None, _clip(extra), "extra-cell",
                              f"line {start} has {len(record)} cells but the header has {width}; "
                              f"the first extra cell is {_clip(extra)!r}")
                else:
                    absent = header[len(record)]
                    raw.fault(start, absent, None, "missing-cell",
                              f"line {start} has {len(record)} cells but the header has {width}; "
                              f"'{absent}' and later fields are missing")
            if sink is not None:
                sink(start, (record + [""] * width)[:width])
            start = reader.line_num + 1
    except csv.Error as exc:
        raw.fault(start, None, None, "malformed-csv",
                  f"the record starting on line {start} is not valid CSV ({exc}); check its quotes")
        return False
    return True


def _clip(value: str, n: int = 80) -> str:
    return value if len(value) <= n else value[: n - 1] + "…"
