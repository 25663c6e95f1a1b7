"""`conflictdata import general-staff`: the real input, the merge, --check, input faults, the download.

Figures are computed here from the JSON files themselves, never taken from the importer.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import json
import shutil
import threading
from collections import Counter
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from conflictdata.cli import cli
from conflictdata.importers import general_staff as gs

from .conftest import FIXTURES, ROOT, SHARED, copy_package

REAL = SHARED / "external" / "russia-losses"
SMALL = FIXTURES / "general_staff"
EQ, PE, CO = "russia_losses_equipment.json", "russia_losses_personnel.json", "russia_losses_equipment_correction.json"
SOURCE = "petroivaniuk-2022-ukraine-russia-war-dataset-37655f8"
TABLES = ("sources", "updates", "casualty_reports", "equipment_losses", "loss_directions", "loss_adjustments",
          "actors", "munition_types", "loss_categories")

needs_real = pytest.mark.skipif(not (REAL / EQ).is_file(), reason="../shared/external/russia-losses is not here")


def rows(folder: Path, table: str) -> list[dict[str, str]]:
    with open(folder / "data" / f"{table}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def texts(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "data").glob("*.csv"))}


def run(*args: str):
    return CliRunner().invoke(cli, ["import", "general-staff", *args])


def load(name: str, folder: Path = REAL) -> list[dict]:
    return json.loads((folder / name).read_text(encoding="utf-8"))


# --- the shipped data against the real input ------------------------------------------------

@needs_real
def test_the_shipped_updates_and_last_day_are_what_the_input_says():
    equipment, personnel = load(EQ), load(PE)
    updates = [r for r in rows(ROOT, "updates") if r["source_id"] == SOURCE]
    assert len(updates) == len(equipment) == len(personnel) == 1626
    assert sorted(u["published_date"] for u in updates) == [r["date"] for r in equipment]
    last_p, last_e = personnel[-1], equipment[-1]
    assert (last_p["date"], last_p["personnel"], last_p["personnel*"]) == ("2026-08-08", 1456610, "about")
    report = {r["report_id"]: r for r in rows(ROOT, "casualty_reports")}["general-staff-2026-08-08-personnel"]
    assert (report["casualties"], report["approximation"], report["event_start"], report["event_end"]) == (
        "1456610", "about", "2022-02-24", "2026-08-08")
    assert report["killed"] == report["killed_low"] == report["captured"] == ""
    tank = {r["claim_id"]: r for r in rows(ROOT, "equipment_losses")}["general-staff-2026-08-08-tank"]
    assert last_e["tank"] == 12251 and tank["lost"] == "12251" and tank["quote"] == '"tank": 12251'
    # day 1 of every running total: the date of any report minus its day, plus one
    assert {dt.date.fromisoformat(r["date"]) - dt.timedelta(days=r["day"] - 1) for r in equipment} == {
        dt.date(2022, 2, 24)}


@needs_real
def test_the_shipped_sums_and_revisions_are_what_the_input_says():
    equipment, personnel, corrections = load(EQ), load(PE), load(CO)
    alias = {r["aliases"]: r["category_id"] for r in rows(ROOT, "loss_categories")}
    want: Counter = Counter()
    for rec in equipment:
        for key, value in rec.items():
            if isinstance(value, int) and key != "day":
                want[alias[key]] += value
    got: Counter = Counter()
    lost = [r for r in rows(ROOT, "equipment_losses") if r["update_id"].startswith("general-staff-")]
    for r in lost:
        got[r["category_id"]] += int(r["lost"])
    assert got == want and len(lost) == sum(1 for rec in equipment for k in rec if k not in
                                            ("date", "day", "greatest losses direction"))
    # decreases: a running total below the same key's previous value
    previous: dict[str, int] = {}
    decreases = 0
    for rec in equipment:
        for key, value in rec.items():
            if isinstance(value, int) and key != "day":
                decreases += key in previous and value < previous[key]
                previous[key] = value
    assert decreases == 13 == sum("(a revision)" in r["notes"] for r in lost)
    reports = [r for r in rows(ROOT, "casualty_reports") if r["update_id"].startswith("general-staff-")]
    about = sum(r["personnel"] for r in personnel if r["personnel*"] == "about")
    more = [r["personnel"] for r in personnel if r["personnel*"] == "more"]
    assert sum(int(r["casualties"] or 0) for r in reports) == about
    assert sorted(int(r["casualties_low"]) for r in reports if r["casualties_low"]) == sorted(m + 1 for m in more)
    assert all(r["killed"] == "" and r["figure_kind"] == "running_total" for r in reports)
    assert sum(int(r["captured"] or 0) for r in reports) == sum(r.get("POW") or 0 for r in personnel)
    # POW: a row of its own per record that gives it, claimed by the source the upstream README names for it
    pows = [r for r in reports if r["captured"]]
    assert len(pows) == sum(r.get("POW") is not None for r in personnel)
    assert {r["claimant_id"] for r in pows} == {gs.POW_CLAIMANT} != {gs.CLAIMANT}
    assert all(r["captured"] == "" for r in reports if r["claimant_id"] == gs.CLAIMANT)
    assert max(r["event_end"] for r in pows) == max(r["date"] for r in personnel if r.get("POW") is not None)
    adjustments = rows(ROOT, "loss_adjustments")
    assert len(adjustments) == sum(len(r) - 2 for r in corrections)
    assert sum(int(r["change"]) for r in adjustments) == sum(v for r in corrections for k, v in r.items()
                                                            if k not in ("date", "day"))
    directions = rows(ROOT, "loss_directions")
    stated = [r.get("greatest losses direction") for r in equipment if r.get("greatest losses direction")]
    assert len(directions) == sum(len(s.replace(",", " and ").split(" and ")) for s in stated)
    assert {r["place_id"] for r in directions} == {""}  # a direction of the front is not a place
    assert {r["direction_id"] for r in directions} >= {"general-staff-2022-07-04-direction-donetsk"}


@needs_real
def test_check_passes_on_the_shipped_data():
    result = run("--from", str(REAL), "--into", str(ROOT), "--check")
    assert result.exit_code == 0, result.output


# --- the merge ------------------------------------------------------------------------------

def strip(folder: Path) -> None:
    """Remove this source's rows and the catalogue rows the importer adds."""
    pins = json.loads(gs.PINS_FILE.read_text(encoding="utf-8"))["catalogue"]
    for table in TABLES:
        path = folder / "data" / f"{table}.csv"
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader)
            body = list(reader)
        pk = header[0]
        drop = {r[pk] for r in pins.get(table, [])}
        kept = [r for r in body if r[0] not in drop and SOURCE not in r and not r[0].startswith("general-staff-")]
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(kept)


@needs_real
def test_importing_into_a_package_without_it_gives_the_shipped_files_and_twice_changes_nothing(tmp_path):
    pkg = copy_package(tmp_path / "pkg")
    strip(pkg)
    assert texts(pkg) != texts(ROOT)
    assert not any(r["actor_id"] == gs.CLAIMANT for r in rows(pkg, "actors"))
    result = run("--from", str(REAL), "--into", str(pkg))
    assert result.exit_code == 0, result.output
    assert texts(pkg) == texts(ROOT)  # catalogue rows and imported rows, byte for byte
    again = run("--from", str(REAL), "--into", str(pkg))
    assert again.exit_code == 0 and "unchanged" in again.output
    assert texts(pkg) == texts(ROOT)


def test_a_new_input_replaces_every_row_of_the_source_and_keeps_the_others(tmp_path, monkeypatch):
    pkg = copy_package(tmp_path / "pkg")
    for name in gs.FILES:
        monkeypatch.setitem(gs.FILES, name, hashlib.sha256((SMALL / name).read_bytes()).hexdigest())
    others = {t: [r for r in rows(pkg, t) if not r[next(iter(r))].startswith("general-staff-")
                  and SOURCE not in r.values()] for t in TABLES}
    result = run("--from", str(SMALL), "--into", str(pkg))
    assert result.exit_code == 0, result.output
    small = load(EQ, SMALL)
    ours = [r for r in rows(pkg, "updates") if r["source_id"] == SOURCE]
    assert [u["update_id"] for u in ours] == [f"general-staff-{r['date']}" for r in small]
    assert [u["sequence"] for u in ours] == [str(i) for i in range(1, len(small) + 1)]
    for t in TABLES:  # every other row is still there
        assert all(r in rows(pkg, t) for r in others[t]), t
    lost = rows(pkg, "equipment_losses")
    assert len(lost) == sum(len(r) - 2 - ("greatest losses direction" in r) for r in small)
    # the revision is measured against the previous report in this input
    apc = {r["claim_id"]: r for r in lost}["general-staff-2022-10-13-apc"]
    assert apc["notes"].endswith("Lower than the previous report's 5181: kept as reported (a revision).")
    more = {r["report_id"]: r for r in rows(pkg, "casualty_reports")}["general-staff-2022-03-07-personnel"]
    assert (more["casualties"], more["casualties_low"], more["approximation"]) == ("", "11001", "more")
    assert "'more' than 11000 gives casualties_low 11001" in more["notes"]
    assert more["quote"] == '"personnel": 11000, "personnel*": "more"' and more["captured"] == ""
    pow_ = {r["report_id"]: r for r in rows(pkg, "casualty_reports")}["general-staff-2022-03-07-pow"]
    assert (pow_["captured"], pow_["claimant_id"], pow_["quote"]) == ("259", gs.POW_CLAIMANT, '"POW": 259')
    assert "invaders-rf.com" in pow_["notes"] and gs.PINS["attribution"]["POW"]["readme_commit"] == gs.COMMIT
    may = {r["report_id"]: r for r in rows(pkg, "casualty_reports")}["general-staff-2022-05-01-personnel"]
    assert may["captured"] == ""  # POW is no longer given
    directions = {r["direction_id"]: r for r in rows(pkg, "loss_directions")}
    assert directions["general-staff-2022-07-04-direction-donetsk"]["place_id"] == ""  # not the city
    assert directions["general-staff-2022-07-04-direction-sloviansk"]["place_id"] == ""
    assert directions["general-staff-2022-07-04-direction-sloviansk"]["stated"] == "Sloviansk"
    adj = {r["adjustment_id"]: r for r in rows(pkg, "loss_adjustments")}["general-staff-2022-10-13-correction-apc"]
    assert (adj["change"], adj["claimant_id"], adj["update_id"]) == ("-25", "petro-ivaniuk", "general-staff-2022-10-13")
    assert "day 231" in adj["notes"]  # the file's day for that date is one off: kept in the notes


# --- --check ---------------------------------------------------------------------------------

@needs_real
def test_check_fails_after_a_hand_edit_naming_table_key_and_field(tmp_path):
    pkg = copy_package(tmp_path / "pkg")
    path = pkg / "data" / "equipment_losses.csv"
    text = path.read_text(encoding="utf-8")
    edited = text.replace("general-staff-2026-08-08-tank,general-staff-2026-08-08,general-staff-of-the-armed-"
                          "forces-of-ukraine,tank,russian-armed-forces,2022-02-24,2026-08-08,running_total,12251,",
                          "general-staff-2026-08-08-tank,general-staff-2026-08-08,general-staff-of-the-armed-"
                          "forces-of-ukraine,tank,russian-armed-forces,2022-02-24,2026-08-08,running_total,12250,")
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    before = texts(pkg)
    result = run("--from", str(REAL), "--into", str(pkg), "--check")
    assert result.exit_code == 1
    assert "equipment_losses general-staff-2026-08-08-tank lost: '12250'" in result.output
    assert "'12251'" in result.output
    assert texts(pkg) == before  # --check writes nothing
    # a row added by hand under one of the source's updates is found too, and the import removes it
    with open(pkg / "data" / "loss_directions.csv", "a", encoding="utf-8") as f:
        f.write("general-staff-2026-08-08-direction-x,general-staff-2026-08-08,"
                "general-staff-of-the-armed-forces-of-ukraine,X,,,\n")
    result = run("--from", str(REAL), "--into", str(pkg), "--check")
    assert result.exit_code == 1
    assert "loss_directions general-staff-2026-08-08-direction-x: not what the input gives" in result.output
    assert run("--from", str(REAL), "--into", str(pkg)).exit_code == 0
    assert texts(pkg) == texts(ROOT)


# --- input faults ----------------------------------------------------------------------------

def faulty(tmp_path: Path, monkeypatch, edit) -> Path:
    """The small fixture with ``edit(equipment, personnel, corrections)`` applied, pinned as it is."""
    folder = tmp_path / "in"
    folder.mkdir()
    data = {n: load(n, SMALL) for n in (EQ, PE, CO)}
    edit(data[EQ], data[PE], data[CO])
    for name, value in data.items():
        (folder / name).write_text(json.dumps(value, indent=4), encoding="utf-8")
        monkeypatch.setitem(gs.FILES, name, hashlib.sha256((folder / name).read_bytes()).hexdigest())
    return folder


def _set(rec: dict, **kw) -> None:
    rec.update(kw)


def _rename(rec: dict, old: str, new: str) -> None:
    rec[new] = rec.pop(old)


FAULTS = [
    ("not-integer", lambda e, p, c: _set(e[1], tank="146x"), f"{EQ} index 1, key 'tank': the count \"146x\" is "
                                                             "not an integer"),
    ("float", lambda e, p, c: _set(p[2], personnel=5300.5), f"{PE} index 2, key 'personnel': the count 5300.5"),
    ("negative", lambda e, p, c: _set(e[0], MRL=-1), f"{EQ} index 0, key 'MRL': the running total -1 is negative"),
    ("out-of-order", lambda e, p, c: (_set(e[2], date="2022-02-25", day=2), _set(p[2], date="2022-02-25", day=2)),
     f"{EQ} index 2, key 'date': 2022-02-25 does not come after"),
    ("day", lambda e, p, c: _set(e[3], day=13), f"{EQ} index 3, key 'day': day 13 is not the date 2022-03-07"),
    ("bad-date", lambda e, p, c: _set(e[1], date="2022-02-30"), f"{EQ} index 1, key 'date'"),
    ("unknown-key", lambda e, p, c: _rename(e[4], "tank", "tanks"), f"{EQ} index 4, key 'tanks': an unknown key"),
    ("unknown-personnel-key", lambda e, p, c: _set(p[0], wounded=1), f"{PE} index 0, key 'wounded': an unknown key"),
    ("pow", lambda e, p, c: _set(p[0], POW="0"), f"{PE} index 0, key 'POW': the count \"0\" is not an integer"),
    ("hedge", lambda e, p, c: _set(p[1], **{"personnel*": "approx"}), f"{PE} index 1, key 'personnel*'"),
    ("after-merge", lambda e, p, c: _set(e[4], **{"fuel tank": 76}),
     f"{EQ} index 4, key 'fuel tank': the category fuel-tank is reported on 2022-05-01, on or after its merge date "
     "2022-05-01"),
    ("dates-disagree", lambda e, p, c: _set(p[5], date="2022-05-07", day=73),
     f"{PE} index 5, key 'date': '2022-05-07' is not the date of {EQ} index 5 (2022-05-06)"),
    ("lengths-disagree", lambda e, p, c: p.pop(), f"{EQ} index 8, key 'date'"),
    ("correction-no-report", lambda e, p, c: _set(c[0], date="2022-10-14", day=233),
     f"{CO} index 0, key 'date': 2022-10-14 is the date of no daily report"),
    ("correction-not-integer", lambda e, p, c: _set(c[0], APC="-25"), f"{CO} index 0, key 'APC': the count \"-25\""),
    ("correction-unknown", lambda e, p, c: _set(c[0], ships=1), f"{CO} index 0, key 'ships': an unknown key"),
    ("direction", lambda e, p, c: _set(e[5], **{"greatest losses direction": 3}),
     f"{EQ} index 5, key 'greatest losses direction'"),
]


@pytest.mark.parametrize(("edit", "message"), [f[1:] for f in FAULTS], ids=[f[0] for f in FAULTS])
def test_an_input_fault_is_one_line_at_its_file_index_and_key_and_nothing_is_written(tmp_path, monkeypatch, edit,
                                                                                      message):
    pkg = copy_package(tmp_path / "pkg")
    before = texts(pkg)
    folder = faulty(tmp_path, monkeypatch, edit)
    for extra in ([], ["--check"]):
        result = run("--from", str(folder), "--into", str(pkg), *extra)
        assert result.exit_code == 1, result.output
        assert message in result.output
        assert result.output.strip().count("\n") == 0 and "nothing was written" in result.output
        assert texts(pkg) == before


def test_a_local_copy_that_is_not_the_pinned_file_is_refused_naming_it(tmp_path):
    pkg = copy_package(tmp_path / "pkg")
    before = texts(pkg)
    folder = tmp_path / "in"
    shutil.copytree(SMALL, folder)  # the fixture is not the pinned upstream file
    result = run("--from", str(folder), "--into", str(pkg))
    assert result.exit_code == 1
    assert str(folder / EQ) in result.output and gs.FILES[EQ] in result.output and "refused" in result.output
    assert texts(pkg) == before
    (folder / EQ).unlink()
    result = run("--from", str(folder), "--into", str(pkg))
    assert result.exit_code == 1 and f"{folder / EQ}: no such file" in result.output


def broken_merge(tmp_path, monkeypatch):
    """A package the small input would merge into, with a catalogue row the import keeps (it is
    there already) but that breaks the package: the General Staff's parent is unknown."""
    pkg = copy_package(tmp_path / "pkg")
    for name in gs.FILES:
        monkeypatch.setitem(gs.FILES, name, hashlib.sha256((SMALL / name).read_bytes()).hexdigest())
    path = pkg / "data" / "actors.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",UKR,armed-forces-of-ukraine,", ",UKR,no-such-actor,"),
                    encoding="utf-8")
    return pkg


def test_an_invalid_merged_package_is_not_written(tmp_path, monkeypatch):
    pkg = broken_merge(tmp_path, monkeypatch)
    before = texts(pkg)
    result = run("--from", str(SMALL), "--into", str(pkg))
    assert result.exit_code == 1 and "foreign-key" in result.output and "nothing written" in result.output
    assert texts(pkg) == before


# --- the download ------------------------------------------------------------------------------

class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def upstream(tmp_path, monkeypatch):
    """The pinned files served at {url}/{commit}/data/ by a real HTTP server on 127.0.0.1; a fresh cache."""
    pytest.importorskip("pooch")
    if not (REAL / EQ).is_file():
        pytest.skip("../shared/external/russia-losses is not here")
    root = tmp_path / "www"
    served = root / gs.COMMIT / "data"
    served.mkdir(parents=True)
    for name in gs.FILES:
        shutil.copy(REAL / name, served / name)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    cache = tmp_path / "cache"
    monkeypatch.setenv(gs.ENV_URL, f"http://127.0.0.1:{httpd.server_address[1]}")
    monkeypatch.setenv("CONFLICTDATA_CACHE", str(cache))

    class Site:
        def stop(self):
            if thread.is_alive():
                httpd.shutdown()
                httpd.server_close()
                thread.join()

    site = Site()
    site.served, site.cache = served, cache / "general-staff" / gs.COMMIT / "data"  # type: ignore[attr-defined]
    yield site
    site.stop()


def test_download_verifies_caches_and_then_works_offline(upstream, tmp_path):
    pkg = copy_package(tmp_path / "pkg")
    result = run("--into", str(pkg), "--check")
    assert result.exit_code == 0, result.output
    for name, want in gs.FILES.items():
        assert hashlib.sha256((upstream.cache / name).read_bytes()).hexdigest() == want
    upstream.stop()
    offline = run("--into", str(pkg), "--check")
    assert offline.exit_code == 0, offline.output
    strip(pkg)
    assert run("--into", str(pkg)).exit_code == 0  # an import, offline, from the cache
    assert texts(pkg) == texts(ROOT)


def test_a_tampered_download_is_refused_and_not_cached(upstream, tmp_path):
    pkg = copy_package(tmp_path / "pkg")
    before = texts(pkg)
    with open(upstream.served / PE, "ab") as f:
        f.write(b" ")
    result = run("--into", str(pkg))
    assert result.exit_code == 1
    assert "tampered" in result.output and PE in result.output and gs.FILES[PE] in result.output
    assert not (upstream.cache / PE).exists()
    assert texts(pkg) == before


def test_offline_without_a_cache_says_so(upstream, tmp_path):
    upstream.stop()
    result = run("--into", str(copy_package(tmp_path / "pkg")), "--check")
    assert result.exit_code != 0 and "not in the cache" in result.output


def test_a_null_pow_states_no_figure(tmp_path, monkeypatch):
    pkg = copy_package(tmp_path / "pkg")
    folder = faulty(tmp_path, monkeypatch, lambda e, p, c: _set(p[1], POW=None))
    assert run("--from", str(folder), "--into", str(pkg)).exit_code == 0
    reports = {r["report_id"]: r for r in rows(pkg, "casualty_reports")}
    assert "general-staff-2022-02-26-pow" not in reports and reports["general-staff-2022-02-25-pow"]["captured"] == "0"
    assert reports["general-staff-2022-02-26-personnel"]["notes"].count("POW is null: no figure") == 1


# --- what a person sees ------------------------------------------------------------------------

def _terminal():
    import io

    from rich.console import Console

    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=True, width=160, color_system=None), buffer


def test_the_import_shows_its_steps_on_a_terminal_and_nothing_elsewhere(tmp_path, monkeypatch):
    from conflictdata import feedback

    pkg = copy_package(tmp_path / "pkg")
    for name in gs.FILES:
        monkeypatch.setitem(gs.FILES, name, hashlib.sha256((SMALL / name).read_bytes()).hexdigest())
    console, buffer = _terminal()
    with feedback.shown(True, console=console):
        result = run("--from", str(SMALL), "--into", str(pkg))
    assert result.exit_code == 0, result.output
    drawn = buffer.getvalue()
    for step in ("read the tables of pkg", "build the rows of the General Staff files", "stage the merged package",
                 "validate updates", "write "):
        assert step in drawn, step
    assert "validate" not in result.stderr and result.stderr.startswith("imported into ")  # CliRunner: no terminal
    with feedback.shown(True, console=console):
        quiet = run("--from", str(SMALL), "--into", str(pkg), "--quiet")
    assert quiet.exit_code == 0 and buffer.getvalue() == drawn  # --quiet: not one more character


def test_an_invalid_merged_package_ends_with_the_summary(tmp_path, monkeypatch):
    pkg = broken_merge(tmp_path, monkeypatch)
    result = run("--from", str(SMALL), "--into", str(pkg))
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    n = sum(" error foreign-key: " in line for line in out)
    assert n and out[out.index("summary:") + 1] == f"  data/actors.csv: {n} error{'s' * (n != 1)} (foreign-key {n})"
    doc = json.loads(run("--from", str(SMALL), "--into", str(pkg), "--format", "json").stdout)
    assert doc["summary"]["files"] == [{"path": "data/actors.csv", "errors": n, "warnings": 0,
                                        "error_codes": {"foreign-key": n}, "warning_codes": {}, "omitted": 0}]
