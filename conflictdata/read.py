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


def read_raw(resource: Resource) -> RawTable:
    """Read ``resource``'s CSV file as text columns with line numbers.

    Missing values (the schema's ``missingValues``, by default the empty string) are null.

    Examples
    --------
    >>> from conflictdata.package import locate
    >>> raw = read_raw(locate().resource("actors"))
    >>> int(raw.frame["__line__"][0])
    2
    """
    raw = RawTable(resource, None)
    missing = [str(v) for v in resource.schema.get("missingValues", [""])]
    try:
        scan = _scan(resource.file)
    except FileNotFoundError:
        raw.fault(None, None, None, "file-missing", f"the file {resource.path} does not exist")
        return raw
    except OSError as exc:
        raw.fault(None, None, None, "file-unreadable", f"cannot read {resource.path}: {exc.strerror}")
        return raw
    if scan.empty:
        raw.fault(1, None, None, "empty-file", f"{resource.path} is empty; it needs at least a header row")
        return raw
    if scan.nul_line:
        raw.fault(scan.nul_line, None, None, "nul-byte",
                  f"line {scan.nul_line} holds a NUL byte; the file is binary or corrupt")
        return raw
    header = _header(scan.first_line, raw)
    if header is None:
        return raw
    raw.header = header
    frame = _read_fast(resource.file, header, scan, missing)
    if frame is None:
        data = resource.file.read_bytes()
        if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 BOM is fine (spreadsheets write one)
            data = data[3:]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            bad = data[exc.start:exc.start + 4]
            raw.fault(line, None, repr(bad), "encoding-error",
                      f"line {line} is not UTF-8 (byte {bad[:1].hex()} at offset {exc.start}); save the file as UTF-8")
            return raw
        frame = _read_slow(text, header, raw, missing)
    if frame is not None:
        raw.frame = frame
    return raw


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


def _read_fast(path, header: list[str], scan: _Scan, missing: list[str]):
    """Polars' multi-threaded reader; None when the file needs the careful path.

    Polars pads a short row with nulls and reads a blank line as a row of nulls without a
    word, so the file's own counts decide: as many records as lines, no all-null row, and as
    many commas in the file as the header's width and the cells' own commas account for.
    Anything else (ragged rows, blank lines, quoted line breaks, bad UTF-8) goes the slow way.
    """
    import polars as pl

    try:
        frame = pl.read_csv(path, infer_schema=False, null_values=missing or None, raise_if_empty=False)
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError):
        return None
    if frame.columns != header or frame.height != scan.lines - 1:
        return None
    if not frame.is_empty():
        counts = frame.select(
            pl.all_horizontal(pl.all().is_null()).any().alias("blank"),
            pl.sum_horizontal(pl.all().str.count_matches(",", literal=True).fill_null(0)).sum().alias("commas"),
        ).row(0, named=True)
        if counts["blank"] or scan.commas != (len(header) - 1) * (frame.height + 1) + counts["commas"]:
            return None
    return frame.with_columns(pl.int_range(2, frame.height + 2, dtype=pl.Int64).alias(LINE))


def _read_slow(text: str, header: list[str], raw: RawTable, missing: list[str]):
    """Python's csv module: exact lines, ragged rows padded or cut and reported."""
    import polars as pl

    csv.field_size_limit(sys.maxsize)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    width = len(header)
    columns: list[list[str]] = [[] for _ in header]
    lines: list[int] = []
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
                    missing = header[len(record)]
                    raw.fault(start, missing, None, "missing-cell",
                              f"line {start} has {len(record)} cells but the header has {width}; "
                              f"'{missing}' and later fields are missing")
            record = (record + [""] * width)[:width]
            for col, cell in zip(columns, record, strict=True):
                col.append(cell)
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raw.fault(start, None, None, "malformed-csv",
                  f"the record starting on line {start} is not valid CSV ({exc}); check its quotes")
        return None
    frame = pl.DataFrame(dict(zip(header, columns, strict=True)), schema={n: pl.String for n in header})
    nulled = [pl.when(pl.any_horizontal([pl.col(n) == m for m in missing])).then(None).otherwise(pl.col(n)).alias(n)
              for n in header]
    return frame.with_columns(*nulled, pl.Series(LINE, lines, dtype=pl.Int64))


def _clip(value: str, n: int = 80) -> str:
    return value if len(value) <= n else value[: n - 1] + "…"
