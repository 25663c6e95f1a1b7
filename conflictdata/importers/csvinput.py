"""Read a third-party CSV by column name, with the line each record starts on.

Whatever cannot be read as a table at all (not UTF-8, NUL bytes, broken quoting, a row with
more or fewer cells than the header, a header the importer does not know) raises
:class:`~conflictdata.errors.InputFileError` with one line naming the file, line and column.
Cells are returned as text; interpreting them is the importer's business.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputFileError
from ..feedback import human_size

_MAX_BYTES = 512 * 1024 * 1024
# A first column that pandas' to_csv() adds for the index: blank or "Unnamed: 0".
_INDEX_HEADERS = ("", "Unnamed: 0")


@dataclass(frozen=True)
class Columns:
    """What a file's header may hold: required names, optional names, and old spellings."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    renamed: dict[str, str] = field(default_factory=dict)  # old or alternative name -> current name

    @property
    def known(self) -> tuple[str, ...]:
        return self.required + self.optional


@dataclass
class InputTable:
    """Records of one CSV file as dicts keyed by the *current* column names."""

    path: Path
    header: list[str]  # as written in the file
    columns: list[str]  # the current names of the columns the file has (index column dropped)
    records: list[tuple[int, dict[str, str]]]  # (line the record starts on, cells)

    @property
    def name(self) -> str:
        return self.path.name


def read_input(path: str | os.PathLike, columns: Columns, what: str = "input file") -> InputTable:
    """Read ``path`` and check its header against ``columns``.

    Columns are matched by name, so their order does not matter and an older file that
    lacks optional columns is read all the same. A column under an old name (``renamed``)
    is read under its current one.

    Examples
    --------
    >>> cols = Columns(required=("model",), optional=("category",))
    >>> read_input("missiles_and_uavs.csv", cols).records[0]   # doctest: +SKIP
    (2, {'model': 'Eleron', 'category': 'UAV'})
    """
    p = Path(path)
    text = _text(p, what)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    csv.field_size_limit(sys.maxsize)
    try:
        header = next(reader)
    except StopIteration:
        raise InputFileError(f"{p}: the {what} is empty; it needs a header row") from None
    except csv.Error as exc:
        raise InputFileError(f"{p}:1: the header row is not valid CSV ({exc})") from None
    names = _check_header(p, header, columns, what)
    skip_index = header[0] in _INDEX_HEADERS and len(header) > 1
    width = len(header)
    records: list[tuple[int, dict[str, str]]] = []
    start = reader.line_num + 1
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                start = reader.line_num + 1
                continue  # a blank line holds no record
            if len(row) != width:
                raise InputFileError(f"{p}:{start}: the row has {len(row)} cells but the header has {width}; "
                                     "fix the row (a stray comma or an unquoted cell?)")
            cells = row[1:] if skip_index else row
            records.append((start, dict(zip(names, cells, strict=True))))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InputFileError(f"{p}:{start}: the record is not valid CSV ({exc}); check its quotes") from None
    return InputTable(p, header, names, records)


def _text(p: Path, what: str) -> str:
    try:
        if p.is_dir():
            raise InputFileError(f"{p}: is a folder; give the {what} itself")
        if p.stat().st_size > _MAX_BYTES:
            raise InputFileError(f"{p}: larger than {human_size(_MAX_BYTES)}; refused")
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"{p}: no such file") from None
    except OSError as exc:
        raise InputFileError(f"{p}: cannot read the {what}: {exc.strerror}") from None
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise InputFileError(f"{p}:{line}: holds a NUL byte; it is not a CSV text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputFileError(f"{p}:{line}: not UTF-8 (byte {data[exc.start:exc.start + 1].hex()} at offset "
                             f"{exc.start}); save the file as UTF-8") from None


def _check_header(p: Path, header: list[str], columns: Columns, what: str) -> list[str]:
    cells = header[1:] if header and header[0] in _INDEX_HEADERS and len(header) > 1 else header
    names: list[str] = []
    unknown: list[str] = []
    for i, raw in enumerate(cells, start=1):
        name = columns.renamed.get(raw.strip(), raw.strip())
        if not name:
            raise InputFileError(f"{p}:1: column {i} has a blank header")
        if name in names:
            raise InputFileError(f"{p}:1: the column {name!r} appears twice")
        if name not in columns.known:
            unknown.append(raw)
        names.append(name)
    missing = [c for c in columns.required if c not in names]
    if unknown or missing:
        problems = []
        if unknown:
            problems.append(f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}")
        if missing:
            problems.append(f"no column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}")
        raise InputFileError(
            f"{p}:1: the header of the {what} has {' and '.join(problems)}; the importer reads the columns "
            f"{', '.join(columns.known)} by name (required: {', '.join(columns.required)}) and does not guess "
            "what a new or renamed column holds")
    return names
