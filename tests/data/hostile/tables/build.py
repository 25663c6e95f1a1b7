"""Write the hostile table fixtures from the shipped tables (run it after the seed data changes).

    python tests/data/hostile/tables/build.py

Each fixture is ``data/<table>.csv`` as it is now (the seed's rows: the imported updates left
out) with exactly one fault put in (a byte, a
cell, a line end or an encoding): so the rest of the file stays valid against the current
schemas and every other table, and ``tests/test_hostile_tables.py`` finds only the fault the
fixture is about. A cell fault is in the first data row (line 2) unless its entry says
otherwise. The shipped tables are ASCII, comma-separated, with ``\\n`` line ends.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[3]
BOM = b"\xef\xbb\xbf"


def _read(table: str) -> list[list[str]]:
    with open(ROOT / "data" / f"{table}.csv", newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def rows(table: str) -> list[list[str]]:
    """The seed's rows of ``table``: the imported sources' updates left out, as the tests'
    ``seed_only`` package does (tests/conftest.py), so a fixture stays a few lines long."""
    table_rows = _read(table)
    if table != "updates":
        return table_rows
    sources = _read("sources")
    imported = {r[0] for r in sources[1:] if r[sources[0].index("kind")] == "dataset"}
    at = table_rows[0].index("source_id")
    return [table_rows[0], *(r for r in table_rows[1:] if r[at] not in imported)]


def text(table_rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(table_rows)
    return out.getvalue()


def with_cell(table: str, field: str, value: str, row: int = 0) -> list[list[str]]:
    """The table with one cell changed (``row`` counts data rows from 0: line ``row + 2``)."""
    table_rows = rows(table)
    table_rows[row + 1][table_rows[0].index(field)] = value
    return table_rows


def cell(table: str, field: str, value: str, row: int = 0) -> str:
    return text(with_cell(table, field, value, row))


def updates() -> str:
    return text(rows("updates"))


def crlf(s: str) -> str:
    return s.replace("\n", "\r\n")


def utf8(s: str) -> bytes:
    return s.encode("utf-8")


def marked(s: str, mark: str, raw: bytes) -> bytes:
    """``s`` as UTF-8 with the one ``mark`` (a placeholder in a cell) replaced by ``raw`` bytes."""
    assert s.count(mark) == 1, mark
    return utf8(s).replace(mark.encode(), raw)


def _headline(row: int = 0) -> str:
    table_rows = rows("updates")
    return table_rows[row + 1][table_rows[0].index("headline")]


def _one_cr_row_end() -> bytes:
    first, second, rest = updates().split("\n", 2)
    return utf8(f"{first}\n{second}\r{rest}")


def _blank_row_after_line_3() -> bytes:
    lines = updates().split("\n")
    return utf8(crlf("\n".join([*lines[:3], "", *lines[3:]])))


BAD_DATE = cell("updates", "published_date", "2024-13-01")

FIXTURES: dict[str, Callable[[], bytes]] = {
    # a blank line above the header, and a bad date in the first row (line 3)
    "updates/blank-before-header-lf.csv": lambda: utf8("\n" + BAD_DATE),
    "updates/blank-before-header-crlf.csv": lambda: utf8(crlf("\n" + BAD_DATE)),
    "updates/blank-lines-before-header.csv": lambda: utf8("\n\n\n" + BAD_DATE),
    "updates/bom-blank-before-header.csv": lambda: BOM + utf8("\n" + BAD_DATE),
    "updates/whitespace-line-before-header.csv": lambda: utf8("   \n" + updates()),
    # line ends
    "updates/cr-only.csv": lambda: utf8(updates().replace("\n", "\r")),
    "updates/cr-only-blank-first.csv": lambda: utf8("\r" + updates().replace("\n", "\r")),
    "updates/cr-only-mac-roman.csv": lambda: cell("updates", "headline", "Caf\u00e9s").replace(
        "\n", "\r").encode("mac_roman"),
    "updates/cr-ends-one-row.csv": _one_cr_row_end,
    "updates/lone-cr-in-cell.csv": lambda: marked(cell("updates", "source_id", "dw-2024-10-08-ukraine-updates@CR@"),
                                                  "@CR@", b"\r"),
    # inside quotes (a cell with a CR is quoted), the first space of the headline a CR
    "updates/quoted-cr-in-cell.csv": lambda: marked(cell("updates", "headline", "@CELL@"), "@CELL@",
                                                    utf8('"' + _headline().replace(" ", "\r", 1) + '"')),
    "updates/mixed-lf-crlf.csv": lambda: utf8(updates().replace("\n", "\r\n", 1)),
    "updates/crlf-blank-row-middle.csv": _blank_row_after_line_3,
    "updates/trailing-blank-lines.csv": lambda: utf8(updates() + "\n\n"),
    # encodings
    "updates/utf16-le-bom.csv": lambda: b"\xff\xfe" + updates().encode("utf-16-le"),
    "updates/utf16-be-bom.csv": lambda: b"\xfe\xff" + updates().encode("utf-16-be"),
    "updates/utf16-le-no-bom.csv": lambda: updates().encode("utf-16-le"),
    "updates/utf32-bom.csv": lambda: b"\xff\xfe\x00\x00" + updates().encode("utf-32-le"),
    "updates/latin1-header.csv": lambda: updates().replace("headline", "headl\u00efne", 1).encode("latin-1"),
    # a Windows-1252 cell (curly quotes) in the second row, line 3, of a CRLF file
    "updates/cp1252-cell.csv": lambda: crlf(cell("updates", "headline", "\u201cquoted\u201d", row=1)).encode("cp1252"),
    "updates/double-bom.csv": lambda: BOM + BOM + utf8(updates()),
    # delimiters
    "updates/semicolon.csv": lambda: utf8(updates().replace(",", ";")),
    "updates/tab.csv": lambda: utf8(text(rows("updates"), delimiter="\t")),
    # dates and times that are no value
    "updates/year-zero-date.csv": lambda: utf8(cell("updates", "published_date", "0000-10-08")),
    "updates/negative-year-date.csv": lambda: utf8(cell("updates", "published_date", "-001-10-08")),
    "updates/signed-year-date.csv": lambda: utf8(cell("updates", "published_date", "+002-10-08")),
    "updates/space-in-year-date.csv": lambda: utf8(cell("updates", "published_date", " 024-10-08")),
    "updates/leap-second-time.csv": lambda: utf8(cell("updates", "published_time", "23:59:60")),
    "updates/hour-24-time.csv": lambda: utf8(cell("updates", "published_time", "24:00:00")),
    # munitions: a blank line above the header and a negative count in the second row (line 4)
    "munitions/blank-before-header.csv": lambda: utf8("\n" + cell("munitions", "launched", "-3", row=1)),
    "munitions/year-zero-datetime.csv": lambda: utf8(cell("munitions", "window_start", "0000-10-07T00:00:00")),
    "munitions/negative-year-datetime.csv": lambda: utf8(cell("munitions", "window_end", "-001-10-08T06:00:00")),
}


def main() -> int:
    for name, make in FIXTURES.items():
        (HERE / name).write_bytes(make())
    print(f"wrote {len(FIXTURES)} fixtures under {HERE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
