"""Read a table's CSV into text columns, keeping each row's line in the file.

Cells are read as text first and typed afterwards (:func:`conflictdata.cast.parse`),
so a cell that does not parse becomes a fault at its line, never an exception.

The file is read in blocks of about :data:`BLOCK_BYTES`, each cut at the end of a record
(a line break outside quotes), so memory follows the block size, not the file size. Each
block goes to Polars' multi-threaded CSV parser; the block's own counts of line breaks and
commas must confirm what Polars made of it (Polars pads a short row with nulls and reads a
blank line as a row of nulls without a word). A block they do not confirm (ragged rows,
blank lines, quoted line breaks, malformed quoting, bad UTF-8) is read again with Python's
``csv`` module, which knows the line of every record and names every fault.

:class:`TableReader` is the one entry point and the protocol (``header``, ``faults``,
``broken``, ``readable``, ``batches()``): ``TableReader(resource)`` gives a
:class:`CsvSource`, which does the above, or a :class:`ParquetSource` for a release's
Parquet file, read as its CSV copy would be.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .files import NotRegularFileError, open_regular
from .package import Resource
from .report import Fault

if TYPE_CHECKING:
    import polars as pl

LINE = "__line__"  # the column that carries each row's line in the file (header = 1)
# A column that is true on every row of a batch whose block of the file is all ASCII: what
# lets the checks of non-ASCII text (NFC, invisible and bidirectional characters) skip it.
ASCII = "\x1fascii"
# Bytes per block when a table is read in a stream. A block in flight costs many times its
# size (text, typed columns, masks; the next block is read meanwhile): on 1M rows, 8 MiB
# blocks validated as fast as 16 MiB ones with two thirds of the peak memory (360/540 MiB).
BLOCK_BYTES = 8 * 2**20
_MAX_FAULTS_PER_FILE = 1000
_BOM = b"\xef\xbb\xbf"


@dataclass
class RawTable:
    """A table as text: ``frame`` has one String column per header name plus ``__line__``.

    ``frame`` is None when the file could not be read at all (missing, not UTF-8, NUL bytes,
    broken quoting); ``faults`` then says why.
    """

    resource: Resource
    frame: pl.DataFrame | None
    header: list[str] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    header_line: int = 1  # where the header is (blank lines above it are a fault, not a skip)

    def fault(self, row, fld, value, code, message) -> None:
        self.faults.append(Fault(self.resource.name, self.resource.path, row, fld, value, code, message))


class TableReader:
    """Read one resource in batches: text frames with ``__line__``, faults for the file itself.

    ``TableReader(resource)`` is the one entry point: it gives a :class:`CsvSource` or a
    :class:`ParquetSource`, by ``resource.format``; both keep the attributes below and differ
    only in how they open the file and cut it into batches.

    ``faults`` holds what is wrong with the file (missing, empty, header, NUL bytes, bad
    UTF-8, broken quoting, ragged or blank rows); ``broken`` is true when reading had to stop
    before the end. A release's Parquet file is read as its CSV copy would be.

    Examples
    --------
    >>> from conflictdata.package import locate
    >>> reader = TableReader(locate().resource("actors"))
    >>> type(reader).__name__
    'CsvSource'
    >>> frames = list(reader.batches())
    >>> int(frames[0]["__line__"][0]), reader.broken
    (2, False)
    """

    def __new__(cls, resource: Resource, block_bytes: int | None = None) -> TableReader:
        # As pathlib.Path picks its flavour: callers name one class, the format picks the source.
        if cls is TableReader:
            cls = ParquetSource if resource.format == "parquet" else CsvSource
        return super().__new__(cls)

    def __init__(self, resource: Resource, block_bytes: int | None = None) -> None:
        self.resource = resource
        self.raw = RawTable(resource, None)
        self.faults = self.raw.faults  # the same list: a fault added to either is in both
        self.header: list[str] = []
        self.broken = False
        self._open()
        self.raw.header = self.header

    def fault(self, row, fld, value, code, message) -> None:
        self.raw.fault(row, fld, value, code, message)

    @property
    def readable(self) -> bool:
        """True when the file has a header to check rows against (its faults say why not)."""
        return bool(self.header)

    def batches(self) -> Iterator[pl.DataFrame]:
        """Text frames in file order (at least one, maybe empty, when the file is readable)."""
        if self.readable:
            yield from self._batches()

    def _open(self) -> None:
        """Read the header into ``header``, or say in ``faults`` why the file cannot be read."""
        raise NotImplementedError

    def _batches(self) -> Iterator[pl.DataFrame]:
        """The frames of a readable file (``batches`` has checked that it is)."""
        raise NotImplementedError


class CsvSource(TableReader):
    """A CSV file, read in blocks of about ``block_bytes`` cut at record ends (see the module)."""

    def __init__(self, resource: Resource, block_bytes: int | None = None) -> None:
        self.block_bytes = block_bytes or BLOCK_BYTES
        self.missing = [str(v) for v in resource.schema.get("missingValues", [""])]
        self._start = 0  # byte offset of the first record after the header
        self._first_line = 2
        super().__init__(resource, block_bytes)

    # --- opening -----------------------------------------------------------------------

    def _open(self) -> None:
        path = self.resource.path
        try:
            with open_regular(self.resource.file, path) as f:
                head = f.read(1 << 20)
        except FileNotFoundError:
            self.fault(None, None, None, "file-missing", f"the file {path} does not exist")
            return
        except NotRegularFileError as exc:
            self.fault(None, None, None, "file-unreadable", str(exc))
            return
        except OSError as exc:
            self.fault(None, None, None, "file-unreadable", f"cannot read {path}: {exc.strerror}")
            return
        if (wide := _wide_encoding(head)) is not None:
            self.fault(1, None, None, "encoding-error", f"{path} is {wide}, not UTF-8; save it as 'CSV UTF-8'")
            return
        bom = len(_BOM) if head.startswith(_BOM) else 0  # a UTF-8 BOM is fine (spreadsheets write one)
        if not head[bom:].strip():
            self.fault(1, None, None, "empty-file", f"{path} is empty; it needs at least a header row")
            return
        # Blank lines above the header would make an empty header, and a table nobody checks:
        # the header is read where it is (so every line keeps its number), and they are a fault.
        start, blank = _skip_blank_lines(head, bom)
        if blank:
            lines = "line 1 is" if blank == 1 else f"lines 1 to {blank} are"
            self.fault(1, None, None, "blank-row", f"{lines} blank above the header; the header must be the first "
                                                   "line: delete the blank lines")
        end = _record_end(head, start)
        if end < 0:
            end = len(head)
        text = head[start:end]
        line = blank + 1
        if b"\x00" in text:
            self.fault(line, None, None, "nul-byte", f"line {line} holds a NUL byte; the file is binary or corrupt")
            return
        if _lone_cr_outside_quotes(text) >= 0:
            self.fault(line, None, None, "line-ending",
                       f"line {line} ends in a carriage return alone (old Mac line ends, as Excel's 'CSV "
                       "(Macintosh)' writes); save the file as 'CSV UTF-8', with LF or CRLF line ends")
            return
        try:
            decoded = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = text[exc.start:exc.start + 4]
            self.fault(line, None, repr(bad), "encoding-error",
                       f"line {line} (the header) is not UTF-8 (byte {bad[:1].hex()}); save the file as 'CSV UTF-8'")
            return
        self.raw.header_line = line
        self.header = _header(decoded, self.raw) or []
        if len(self.header) == 1 and len(self.resource.schema.get("fields", ())) > 1:
            if sep := _other_separator(self.header[0]):
                # Read on, every row would be one cell: say what the file is instead.
                self.fault(line, None, clip(self.header[0]), "wrong-delimiter",
                           f"the header is one column that holds {sep}: the file is separated by {sep}, not "
                           "commas; save it as 'CSV UTF-8 (comma delimited)'")
                self.header = []
                return
        self._start = end
        self._first_line = line + _lines_spanned(text)

    # --- reading -----------------------------------------------------------------------

    def _batches(self) -> Iterator[pl.DataFrame]:
        any_rows, line = False, self._first_line
        for block in self._blocks():
            frame, breaks = self._parse(block, line)
            if frame is None:
                self.broken = True
                return
            # Every block with rows is a batch; a file without rows still gives one (empty) frame.
            if frame.height or not any_rows:
                any_rows = any_rows or frame.height > 0
                yield frame
            line += breaks

    def _blocks(self) -> Iterator[bytes]:
        """Blocks of bytes, each cut where a record ends (the last one maybe empty)."""
        at, size, first = self._start, self.block_bytes, True
        with open_regular(self.resource.file, self.resource.path) as f:
            while True:
                # The next block starts where the last one was cut: the bytes after the cut are
                # read again, which costs less than copying them onto the next read.
                f.seek(at)
                data = f.read(size)
                if len(data) < size:  # the rest of the file
                    if data or first:
                        yield data
                    return
                cut = _last_record_end(data)
                if cut <= 0:  # one record longer than a block: read more at once
                    size *= 2
                    continue
                yield data[:cut] if cut < len(data) else data
                at, size, first = at + cut, self.block_bytes, False

    def _parse(self, block: bytes, line: int) -> tuple[pl.DataFrame | None, int]:
        """(frame, line breaks in the block): fast when its counts agree, else carefully.

        The frame is None when the block cannot be read.
        """
        nul = block.find(b"\x00")
        if nul >= 0:
            at = line + block.count(b"\n", 0, nul)
            self.fault(at, None, None, "nul-byte", f"line {at} holds a NUL byte; the file is binary or corrupt")
            return None, 0
        if (cr := _lone_cr_outside_quotes(block)) >= 0:
            # Polars drops a carriage return at the end of an unquoted cell, and Python's csv
            # module ends a record there: neither reads what an editor shows. Refuse the file.
            at = line + block.count(b"\n", 0, cr)
            self.fault(at, None, None, "line-ending",
                       f"line {at} holds a carriage return alone, outside quotes (a mix of line ends); save the "
                       "file as 'CSV UTF-8', with LF or CRLF line ends")
            return None, 0
        import polars as pl

        frame = _parse_fast(block, self.header, self.missing)
        if frame is not None:
            # Confirmed: one row per line, so the rows count the line breaks too (all but a
            # last line without its line break).
            breaks = frame.height - (0 if block.endswith(b"\n") or not block else 1)
            return frame.with_columns(pl.int_range(line, line + frame.height, dtype=pl.Int64).alias(LINE),
                                      pl.lit(block.isascii()).alias(ASCII)), breaks
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError as exc:
            at = line + block.count(b"\n", 0, exc.start)
            bad = block[exc.start:exc.start + 4]
            self.fault(at, None, repr(bad), "encoding-error",
                       f"line {at} is not UTF-8 (byte {bad[:1].hex()}); save the file as UTF-8")
            return None, 0
        frame = _parse_careful(text, self.header, self.raw, self.missing, line)
        if frame is not None:
            frame = frame.with_columns(pl.lit(block.isascii()).alias(ASCII))
        return frame, block.count(b"\n")


class ParquetSource(TableReader):
    """A release's Parquet file, as text in the CSV copy's formats, with the lines of that copy."""

    def _open(self) -> None:
        import polars as pl

        try:
            with open_regular(self.resource.file, self.resource.path):
                pass  # Parquet is read by path: refuse a FIFO before a reader would wait on it
            self.header = list(pl.read_parquet_schema(self.resource.file))
        except NotRegularFileError as exc:
            self.fault(None, None, None, "file-unreadable", str(exc))
        except FileNotFoundError:
            self.fault(None, None, None, "file-missing", f"the file {self.resource.path} does not exist")
        except (OSError, pl.exceptions.PolarsError) as exc:
            self.fault(None, None, None, "file-unreadable", f"{self.resource.path} is not a readable Parquet "
                                                            f"file: {str(exc).splitlines()[0]}")

    def _batches(self) -> Iterator[pl.DataFrame]:
        import polars as pl

        query = pl.scan_parquet(self.resource.file).with_row_index(LINE, offset=2)  # line 1 is the CSV's header
        as_text = [_as_csv_text(name, dtype) for name, dtype in query.collect_schema().items() if name != LINE]
        text = query.select(*as_text, pl.col(LINE).cast(pl.Int64))
        yield from text.collect_batches(chunk_size=500_000)


def _as_csv_text(name: str, dtype: pl.DataType) -> pl.Expr:
    """Column ``name`` as text, the way the release's CSV copy writes it (dates in the schema's formats)."""
    import polars as pl

    from .schema import DATE_FORMAT, DATETIME_FORMAT, TIME_FORMAT

    formats: dict[Any, str] = {pl.Date: DATE_FORMAT, pl.Datetime: DATETIME_FORMAT, pl.Time: TIME_FORMAT}
    if (fmt := formats.get(dtype.base_type())) is not None:
        return pl.col(name).dt.strftime(fmt).alias(name)
    return pl.col(name).cast(pl.String)


def read_raw(resource: Resource) -> RawTable:
    """Read ``resource``'s file whole, as text columns with line numbers.

    Missing values (the schema's ``missingValues``, by default the empty string) are null.

    Examples
    --------
    >>> from conflictdata.package import locate
    >>> raw = read_raw(locate().resource("actors"))
    >>> int(raw.frame["__line__"][0])
    2
    """
    import polars as pl

    reader = TableReader(resource)
    frames = list(reader.batches())
    if frames and not reader.broken:
        reader.raw.frame = pl.concat(frames) if len(frames) > 1 else frames[0]
    return reader.raw


# --- encodings and line ends -------------------------------------------------------------

# Byte-order marks of the encodings a spreadsheet's "Unicode text" or an editor may write.
_WIDE_BOMS = ((b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"), (b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"),
              (b"\xfe\xff", "UTF-16 (big-endian)"), (b"\xff\xfe", "UTF-16 (little-endian)"))


def _wide_encoding(head: bytes) -> str | None:
    """The name of a UTF-16 or UTF-32 encoding ``head`` is in (by its BOM or its NUL bytes), else None."""
    for bom, name in _WIDE_BOMS:
        if head.startswith(bom):
            return name
    sample = head[:400]
    # ASCII text in UTF-16 has a NUL in every other byte; a stray NUL in UTF-8 is another fault.
    if len(sample) >= 8 and sample.count(b"\x00") * 3 >= len(sample):
        return "UTF-16 or UTF-32 (every other byte is NUL)"
    return None


def _other_separator(cell: str) -> str | None:
    """The separator a one-column header was written with instead of commas, if any."""
    for sep, name in (("\t", "tabs"), (";", "semicolons"), ("|", "vertical bars")):
        if sep in cell:
            return name
    return None


def _lone_cr_outside_quotes(block: bytes) -> int:
    """Offset of the first carriage return that no line feed follows and no quotes enclose, or -1.

    A byte search decides it for an LF file, two counts for a CRLF one (as many CRLF as CR).
    """
    if b"\r" not in block:  # memchr: a fifth of the cost of counting
        return -1
    if block.count(b"\r") == block.count(b"\r\n"):
        return -1
    at, quotes, counted = block.find(b"\r"), 0, 0
    while at >= 0:
        quotes += block.count(b'"', counted, at)  # counted once, however many CRs: no quadratic walk
        counted = at
        if block[at + 1:at + 2] != b"\n" and quotes % 2 == 0:
            return at
        at = block.find(b"\r", at + 1)
    return -1


def _skip_blank_lines(head: bytes, start: int) -> tuple[int, int]:
    """(offset of the first line that is not blank, how many blank lines came before it)."""
    blank = 0
    while head.startswith((b"\n", b"\r\n"), start):
        start += 1 if head[start] == 0x0A else 2
        blank += 1
    return start, blank


def _lines_spanned(record: bytes) -> int:
    """How many lines of the file one record takes (its last may lack a line break: the file's end)."""
    return record.count(b"\n") + (0 if record.endswith(b"\n") else 1)


# --- record boundaries -----------------------------------------------------------------

def _record_end(data: bytes, start: int = 0) -> int:
    """Offset just after the first line break outside quotes from ``start``, or -1."""
    at = start
    while (nl := data.find(b"\n", at)) >= 0:
        if data.count(b'"', start, nl) % 2 == 0:
            return nl + 1
        at = nl + 1
    return -1


def _last_record_end(data: bytes) -> int:
    """Offset just after the last line break outside quotes (``data`` starts a record), or -1.

    A quote inside a quoted cell is doubled, so a line break is outside quotes exactly when
    the quotes before it are even in number.
    """
    if b'"' not in data:  # a byte search, far cheaper than counting
        nl = data.rfind(b"\n")
        return nl + 1 if nl >= 0 else -1
    quotes = data.count(b'"')
    nl = data.rfind(b"\n")
    while nl >= 0:
        if (quotes - data.count(b'"', nl)) % 2 == 0:
            return nl + 1
        nl = data.rfind(b"\n", 0, nl)
    return -1


# --- parsing ---------------------------------------------------------------------------

def _parse_fast(block: bytes, header: list[str], missing: list[str]):
    """Polars' parser; None unless the block's own counts confirm one row per line.

    Polars makes a row of every line (a blank one is a row of nulls) unless a quoted cell
    holds a line break, so the count of commas confirms every row: a short or blank line
    lacks some (a long one is an error in Polars). Without quotes no cell holds a comma or a
    line break; with quotes, the quoted parts of the block (or of the cells, when there are
    many) are searched for both.
    """
    import polars as pl

    if not block:
        return pl.DataFrame(schema={n: pl.String for n in header})
    try:
        frame = pl.read_csv(io.BytesIO(block), has_header=False, new_columns=header,
                            schema={n: pl.String for n in header}, null_values=missing or None,
                            raise_if_empty=False)
    except (pl.exceptions.PolarsError, UnicodeDecodeError, ValueError):
        return None
    if frame.width != len(header):
        return None
    inner = 0
    if b'"' in block:
        # A quoted cell may hold commas, and line breaks: then the rows do not count the
        # lines, and the careful reader is needed for the line of each row.
        counted = _quoted_commas(block)
        if counted is None:
            counted = _commas_in_cells(frame)
        if counted is None or counted < 0:
            return None
        inner = counted
    # A one-column table has no commas to miss: its blank lines are searched for (a costly
    # search, as costly as the parse, so only here).
    if len(header) == 1 and _may_hold_blank_line(block, frame):
        return None
    # Every row holds one comma fewer than it has cells, besides the commas inside its cells:
    # a short or blank line Polars padded has fewer.
    separators = (len(header) - 1) * frame.height
    if block.count(b",") != separators + inner:
        return None
    return frame


def _commas_in_cells(frame: pl.DataFrame) -> int | None:
    """The commas in the parsed cells of ``frame``; None when a cell holds a line break.

    Cheaper than :func:`_quoted_commas` on a block with many quoted cells: one pass of
    Polars over every column.
    """
    import polars as pl

    cells = pl.all().str
    # One select for both, so that Polars reads each column once: the commas per column,
    # then whether each column holds a line break.
    row = frame.select(cells.count_matches(",", literal=True).sum().name.suffix(","),
                       cells.contains("\n", literal=True).any().name.suffix("\n")).row(0)
    commas, breaks = row[:frame.width], row[frame.width:]
    if any(breaks):
        return None
    return sum(n or 0 for n in commas)


def _may_hold_blank_line(block: bytes, frame: pl.DataFrame) -> bool:
    """Whether a one-column block may hold a blank line, which its comma count cannot show.

    Without quotes, a blank line is a line break at the start or two in a row (LF or CRLF).
    With quotes the parsed cells are asked instead: a blank line became a null cell. So did
    an empty cell; the careful reader, which then reads the block, tells the two apart.
    """
    if b'"' in block:
        return frame.null_count().row(0)[0] > 0
    return block.startswith((b"\n", b"\r\n")) or b"\n\n" in block or b"\n\r\n" in block


_AFTER_QUOTE = (b"", b",", b"\n", b"\r", b'"')  # what may follow the quote that closes a cell


def _quoted_commas(block: bytes, most: int = 2000) -> int | None:
    """Commas between pairs of quotes: inside quoted cells (a doubled quote is an empty pair).

    -1 when a pair holds a line break, a quote has no partner or stands inside an unquoted
    cell (where Polars and this count could disagree about what is quoted); None past
    ``most`` pairs, where counting in the parsed cells is cheaper than this walk.
    """
    inner, at = 0, 0
    for _ in range(most):
        start = block.find(b'"', at)
        if start < 0:
            return inner
        end = block.find(b'"', start + 1)
        if end < 0 or block.find(b"\n", start, end) >= 0:
            return -1
        if block[start - 1:start] not in (b"", b",", b"\n", b'"') or block[end + 1:end + 2] not in _AFTER_QUOTE:
            return -1
        inner += block.count(b",", start, end)
        at = end + 1
    return None if block.find(b'"', at) >= 0 else inner


def _parse_careful(text: str, header: list[str], raw: RawTable, missing: list[str], first_line: int):
    """Python's csv module: exact lines; ragged rows padded or cut and reported; None on broken quoting."""
    import polars as pl

    columns: list[list[str]] = [[] for _ in header]
    lines: list[int] = []

    def sink(line, record):
        for col, cell in zip(columns, record, strict=True):
            col.append(cell)
        lines.append(line)

    if not _records(csv.reader(io.StringIO(text, newline=""), strict=True), header, raw, sink, first_line):
        return None
    frame = pl.DataFrame(dict(zip(header, columns, strict=True)), schema={n: pl.String for n in header})
    # A cell that spells one of the schema's missing values is null, as Polars' null_values makes it.
    nulled = [pl.when(pl.any_horizontal([pl.col(n) == m for m in missing])).then(None).otherwise(pl.col(n)).alias(n)
              for n in header]
    return frame.with_columns(*nulled, pl.Series(LINE, lines, dtype=pl.Int64))


def _header(text: str, raw: RawTable) -> list[str] | None:
    try:
        first = next(csv.reader(io.StringIO(text, newline=""), strict=True))
    except (csv.Error, StopIteration) as exc:
        raw.fault(raw.header_line, None, None, "malformed-csv", f"the header row cannot be read as CSV: {exc}")
        return None
    seen: set[str] = set()
    ok = True
    for i, name in enumerate(first, start=1):
        if not name.strip():
            raw.fault(raw.header_line, None, name, "blank-header", f"column {i} has a blank header")
            ok = False
        elif name in seen:
            raw.fault(raw.header_line, name, name, "duplicate-header", f"the header {name!r} appears more than once")
            ok = False
        seen.add(name)
    return first if ok else None


def _records(reader, header: list[str], raw: RawTable, sink, first_line: int) -> bool:
    """Walk the records, reporting blank and ragged rows; False on broken quoting."""
    csv.field_size_limit(sys.maxsize)
    width = len(header)
    start = first_line
    reported = sum(1 for f in raw.faults if f.code in ("blank-row", "extra-cell", "missing-cell"))
    try:
        for record in reader:
            if not record:
                if reported < _MAX_FAULTS_PER_FILE:
                    raw.fault(start, None, None, "blank-row", f"line {start} is blank; remove it")
                    reported += 1
                start = first_line + reader.line_num
                continue
            if len(record) != width and reported < _MAX_FAULTS_PER_FILE:
                reported += 1
                if len(record) > width:
                    extra = record[width]
                    raw.fault(start, None, clip(extra), "extra-cell",
                              f"line {start} has {len(record)} cells but the header has {width}; "
                              f"the first extra cell is {clip(extra)!r}")
                else:
                    absent = header[len(record)]
                    raw.fault(start, absent, None, "missing-cell",
                              f"line {start} has {len(record)} cells but the header has {width}; "
                              f"'{absent}' and later fields are missing")
            sink(start, _to_width(record, width))
            start = first_line + reader.line_num
    except csv.Error as exc:
        raw.fault(start, None, None, "malformed-csv",
                  f"the record starting on line {start} is not valid CSV ({exc}); check its quotes")
        return False
    return True


def _to_width(record: list[str], width: int) -> list[str]:
    """``record`` padded with empty cells, or cut, to ``width`` cells (a ragged row is reported, then read)."""
    return (record + [""] * width)[:width]


def clip(value: str, n: int = 80) -> str:
    """``value``, cut to ``n`` characters with an ellipsis: what a message shows of a long cell."""
    return value if len(value) <= n else value[: n - 1] + "…"
