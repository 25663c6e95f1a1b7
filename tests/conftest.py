"""Shared fixtures: copies of the shipped package to break, and a helper to edit CSV cells."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_55eb0604234025d4.txt"
FIXTURES = Path(__file__).parent / "data"


def copy_package(dest: Path) -> Path:
    """Copy datapackage.json, data/ and schemas/ of this checkout into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "datapackage.json", dest / "datapackage.json")
    shutil.copytree(ROOT / "data", dest / "data")
    shutil.copytree(ROOT / "schemas", dest / "schemas")
    return dest


def seed_only(pkg: Path) -> Path:
    """``pkg`` without the imported rows: the sources of kind ``dataset``, their updates and the
    rows pointing at those updates (the General Staff's 23,000). Catalogue rows stay.

    For tests that replace a whole table with a fixture: the fixture stays a few lines long.
    """
    def table(name):
        with open(pkg / "data" / f"{name}.csv", newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        return rows[0], rows[1:]

    header, rows = table("sources")
    imported = {r[0] for r in rows if r[header.index("kind")] == "dataset"}
    write_rows(pkg / "data" / "sources.csv", header, [r for r in rows if r[0] not in imported])
    header, rows = table("updates")
    dropped = {r[0] for r in rows if r[header.index("source_id")] in imported}
    write_rows(pkg / "data" / "updates.csv", header, [r for r in rows if r[0] not in dropped])
    for path in sorted((pkg / "data").glob("*.csv")):
        header, rows = table(path.stem)
        if "update_id" in header and path.stem != "updates":
            at = header.index("update_id")
            write_rows(path, header, [r for r in rows if r[at] not in dropped])
    return pkg


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch) -> Path:
    """This machine's merge records (``conflictdata add``), in a folder of each test's own.

    No test writes into the real state folder; subprocesses inherit the setting.
    """
    from conflictdata.submission.write import STATE_ENV

    folder = tmp_path / "state"
    monkeypatch.setenv(STATE_ENV, str(folder))
    return folder


@pytest.fixture
def pkg(tmp_path) -> Path:
    """A fresh, valid copy of the shipped package, without its imported rows (:func:`seed_only`).

    Most tests break one seed row on purpose; the 23,000 imported rows would only make every
    validation of the copy slower. Tests about the imported rows use ``full_pkg``.
    """
    return seed_only(copy_package(tmp_path / "pkg"))


@pytest.fixture
def full_pkg(tmp_path) -> Path:
    """A fresh, valid copy of the whole shipped package, imported rows included."""
    return copy_package(tmp_path / "pkg")


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def set_cell(pkg: Path, table: str, line: int, field: str, value: str) -> str:
    """Set one cell (``line`` as an editor shows it: header = 1); return the old value."""
    path = pkg / "data" / f"{table}.csv"
    header, rows = read_rows(path)
    i = header.index(field)
    old = rows[line - 2][i]
    rows[line - 2][i] = value
    write_rows(path, header, rows)
    return old


def line_of(pkg: Path, table: str, field: str, value: str) -> int:
    """The line (header = 1) of the first row whose ``field`` is ``value``."""
    header, rows = read_rows(pkg / "data" / f"{table}.csv")
    i = header.index(field)
    for n, row in enumerate(rows, start=2):
        if row[i] == value:
            return n
    raise LookupError(f"{table}.{field} = {value!r} not found")


def pytest_sessionfinish(session, exitstatus):
    """On a whole, passing run of the suite: every registered check code was emitted by some test.

    A code in the catalogue that no test ever makes a Fault with is a check nobody has seen
    fire (or a code that nothing emits any more): the run fails and names it.
    """
    from conflictdata.catalogue import EMITTED, REGISTRY
    from conflictdata.validation import rules  # noqa: F401  (registers the rules)

    whole = session.config.args_source == pytest.Config.ArgsSource.TESTPATHS and not session.config.option.keyword \
        and not session.config.option.markexpr and not session.config.getoption("deselect")
    if exitstatus != 0 or not whole or session.testscollected == 0:
        return
    never = sorted(set(REGISTRY) - set(EMITTED))
    if never:
        session.config.get_terminal_writer().line(
            f"\nregistered check codes that no test emitted: {', '.join(never)} (test them, or unregister them)",
            red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
