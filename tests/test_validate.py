"""Broken copies of the shipped package: each fault is found at its resource, line and field."""

import json

import pytest

import conflictdata as cd

from .conftest import line_of, read_rows, set_cell, write_rows


def only(report, code):
    found = [f for f in report.faults if f.code == code]
    assert found, f"no {code} fault in {[(f.code, f.message) for f in report.faults]}"
    return found


def test_shipped_package_is_valid():
    report = cd.validate()
    assert report.valid, report.render()
    assert report.faults == []


def test_copy_is_valid(pkg):
    assert cd.validate(pkg).valid


@pytest.mark.parametrize(
    "table, field, value, code",
    [
        ("munitions", "launched", "two", "type-error"),
        ("munitions", "launched", "-1", "constraint-minimum"),
        ("munitions", "window_start", "2024-13-01T00:00:00", "type-error"),
        ("munitions", "window_precision", "week", "constraint-enum"),
        ("munitions", "claimant_id", "", "constraint-required"),
        ("munitions", "claim_id", "Not A Slug", "constraint-pattern"),
        ("munitions", "attacker_id", "no-such-actor", "foreign-key"),
        ("munitions", "target_place_id", "atlantis", "foreign-key"),
        ("casualty_reports", "event_start", "3 Oct 2024", "type-error"),
        ("casualty_reports", "victim_country", "Korea", "constraint-pattern"),
        ("casualty_reports", "update_id", "no-such-update", "foreign-key"),
        ("actors", "parent_id", "no-such-parent", "foreign-key"),
        ("places", "latitude", "91", "constraint-maximum"),
        ("places", "longitude", "east", "type-error"),
        ("places", "parent_id", "nowhere", "foreign-key"),
        ("updates", "published_time", "25:00:00", "type-error"),
        ("updates", "sequence", "0", "constraint-minimum"),
        ("updates", "source_id", "no-such-source", "foreign-key"),
        ("sources", "kind", "blog", "constraint-enum"),
        ("sources", "language", "English", "constraint-pattern"),
        ("munition_types", "category", "laser", "constraint-enum"),
    ],
)
def test_bad_cell_is_found_at_its_line_and_field(pkg, table, field, value, code):
    line = 3 if table not in ("sources",) else 2
    set_cell(pkg, table, line, field, value)
    report = cd.validate(pkg)
    assert not report.valid
    faults = only(report, code)
    assert [(f.resource, f.path, f.row, f.field, f.value) for f in faults] == [
        (table, f"data/{table}.csv", line, field, value or None)]


def test_duplicate_primary_key(pkg):
    path = pkg / "data" / "actors.csv"
    header, rows = read_rows(path)
    rows.append(list(rows[0]))
    write_rows(path, header, rows)
    report = cd.validate(pkg)
    dup_line = len(rows) + 1
    for code in ("primary-key", "constraint-unique"):
        assert [(f.row, f.value) for f in only(report, code)] == [(dup_line, rows[0][0])]


def test_every_fault_is_reported_in_one_pass(pkg):
    set_cell(pkg, "munitions", 2, "launched", "x")
    set_cell(pkg, "casualty_reports", 4, "killed", "-5")
    set_cell(pkg, "actors", 5, "kind", "alien")
    report = cd.validate(pkg)
    got = {(f.resource, f.row, f.code) for f in report.faults}
    assert got == {("munitions", 2, "type-error"), ("casualty_reports", 4, "constraint-minimum"),
                   ("actors", 5, "constraint-enum")}


def test_self_reference_to_a_removed_parent(pkg):
    # Removing 'ukraine' orphans every actor whose parent it was.
    path = pkg / "data" / "actors.csv"
    header, rows = read_rows(path)
    kept = [r for r in rows if r[0] != "ukraine"]
    write_rows(path, header, kept)
    orphans = {line for line, r in enumerate(kept, start=2) if r[header.index("parent_id")] == "ukraine"}
    report = cd.validate(pkg)
    assert orphans and {f.row for f in only(report, "foreign-key") if f.resource == "actors"} == orphans


def test_removed_update_breaks_claims_pointing_at_it(pkg):
    uid = "dw-2024-10-08-north-korean-troops-fighting-in-ukraine"
    path = pkg / "data" / "updates.csv"
    header, rows = read_rows(path)
    write_rows(path, header, [r for r in rows if r[0] != uid])
    claims_header, claims = read_rows(pkg / "data" / "casualty_reports.csv")
    pointing = [c for c in claims if c[claims_header.index("update_id")] == uid]
    report = cd.validate(pkg)
    faults = [f for f in only(report, "foreign-key") if f.resource == "casualty_reports"]
    assert {f.value for f in faults} == {uid} and len(faults) == len(pointing) >= 2


def test_missing_and_extra_header(pkg):
    path = pkg / "data" / "places.csv"
    header, rows = read_rows(path)
    header[header.index("latitude")] = "lat"
    write_rows(path, header, rows)
    report = cd.validate(pkg)
    assert [(f.row, f.field) for f in only(report, "missing-header")] == [(1, "latitude")]
    assert [(f.row, f.field) for f in only(report, "extra-header")] == [(1, "lat")]


def test_ragged_rows(pkg):
    path = pkg / "data" / "sources.csv"
    text = path.read_text()
    last = text.count("\n")  # the header and every row end with a line feed: the last line's number
    width = len(text.splitlines()[0].split(","))
    path.write_text(text + "a,b\n" + ",".join("x" * (width + 2)) + "\n")
    report = cd.validate(pkg)
    assert [f.row for f in only(report, "missing-cell")] == [last + 1]
    assert [f.row for f in only(report, "extra-cell")] == [last + 2]


def test_missing_data_file_is_a_fault_not_a_crash(pkg):
    (pkg / "data" / "munitions.csv").unlink()
    report = cd.validate(pkg)
    assert [(f.resource, f.path) for f in only(report, "file-missing")] == [("munitions", "data/munitions.csv")]


def test_foreign_key_to_an_undeclared_table(pkg):
    schema = json.loads((pkg / "schemas" / "munitions.json").read_text())
    schema["foreignKeys"][0]["reference"]["resource"] = "bulletins"
    (pkg / "schemas" / "munitions.json").write_text(json.dumps(schema))
    report = cd.validate(pkg)
    assert any("'bulletins'" in f.message for f in only(report, "foreign-key"))


def test_multiline_quoted_cell_keeps_later_lines_right(pkg):
    line = line_of(pkg, "actors", "actor_id", "dw")
    set_cell(pkg, "actors", line, "notes", "first line\nsecond line")
    set_cell(pkg, "actors", line + 1, "kind", "alien")
    report = cd.validate(pkg)
    # The quoted line break pushes the next record one physical line down.
    assert [f.row for f in only(report, "constraint-enum")] == [line + 2]


def test_foreign_key_value_off_pattern_is_both_faults(pkg):
    # The pattern check is skipped only for values found among the keys pointed at.
    set_cell(pkg, "munitions", 2, "claimant_id", "Oleh Kiper")
    report = cd.validate(pkg)
    assert [(f.row, f.value) for f in only(report, "constraint-pattern")] == [(2, "Oleh Kiper")]
    assert [(f.row, f.value) for f in only(report, "foreign-key")] == [(2, "Oleh Kiper")]


def test_claim_pointing_at_an_off_pattern_key_is_still_checked(pkg):
    # When a referenced key breaks the pattern itself, matching it proves nothing.
    line = line_of(pkg, "actors", "actor_id", "oleh-kiper")
    set_cell(pkg, "actors", line, "actor_id", "Oleh_Kiper")
    path = pkg / "data" / "munitions.csv"
    header, rows = read_rows(path)
    i = header.index("claimant_id")
    for r in rows:
        if r[i] == "oleh-kiper":
            r[i] = "Oleh_Kiper"
    write_rows(path, header, rows)
    report = cd.validate(pkg)
    patterns = {(f.resource, f.field) for f in only(report, "constraint-pattern")}
    assert ("actors", "actor_id") in patterns and ("munitions", "claimant_id") in patterns
    assert not [f for f in only(report, "foreign-key") if f.resource == "munitions"]


def test_may_repeat_agrees_with_an_exact_count():
    import polars as pl

    from conflictdata.validation.structure import may_repeat

    frame = pl.DataFrame({"once": ["a", "b", None, None], "twice": ["a", "b", "a", None],
                          "n": [1, 2, 3, 1]})
    keys = {"once": pl.col("once").drop_nulls(), "nulls too": pl.col("once"),
            "twice": pl.col("twice").drop_nulls(), "n": pl.col("n"), "pair": pl.struct("once", "n")}
    exact = {name: frame.select(e.is_duplicated().any()).item() for name, e in keys.items()}
    assert may_repeat(frame, keys) == {name for name, hit in exact.items() if hit} == {"nulls too", "twice", "n"}


def test_sorted_distinct_keeps_the_first_row_of_each_key():
    import polars as pl

    from conflictdata.validation.structure import sorted_distinct

    frame = pl.DataFrame({"k": ["b", "a", "b", None, "a", "c", None], "v": [1, 2, 3, 4, 5, 6, 7]})
    assert sorted_distinct(frame, "k").rows() == [("a", 2), ("b", 1), ("c", 6)]


@pytest.mark.parametrize("late_first", [False, True])
def test_a_claim_is_dated_by_the_first_of_two_updates_sharing_an_id(pkg, late_first):
    # Both rows of the update are faults (primary key); the claims' date check reads the first.
    path = pkg / "data" / "updates.csv"
    header, rows = read_rows(path)
    uid, date = header.index("update_id"), header.index("published_date")
    claims_header, claims = read_rows(pkg / "data" / "munitions.csv")
    start, claim_update = claims_header.index("window_start"), claims_header.index("update_id")
    dated = [c for c in claims if c[start]]  # window_start given
    late = list(next(r for r in rows if r[uid] == dated[0][claim_update]))
    late[date] = "1999-01-01"  # were this the update's date, its dated claims would come after it
    write_rows(path, header, [late, *rows] if late_first else [*rows, late])
    report = cd.validate(pkg)
    after = [f for f in report.faults if f.code == "event-after-update"]
    assert len(only(report, "primary-key")) == 1
    expected = len([c for c in dated if c[claim_update] == late[uid]]) if late_first else 0
    assert len(after) == expected and (after or not late_first)


def test_a_validation_stopped_early_leaves_no_reading_thread(pkg, monkeypatch):
    import threading

    from conflictdata.validation import engine

    def broken(*args, **kwargs):
        raise RuntimeError("a check failed")

    monkeypatch.setattr(engine._TableRun, "_batch", broken)
    before = threading.active_count()
    with pytest.raises(RuntimeError):
        cd.validate(pkg)
    assert threading.active_count() == before


# --- the summary and the listing cap ---------------------------------------------------------

def _cli(*args):
    from click.testing import CliRunner

    from conflictdata.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _many_faults(pkg, lines=range(2, 5)):
    """Faults in three files, several in each."""
    for line in lines:
        set_cell(pkg, "munitions", line, "launched", "x")
        set_cell(pkg, "actors", line, "kind", "alien")
        set_cell(pkg, "casualty_reports", line, "killed", "-5")


def _listed(text: str) -> dict[str, list[str]]:
    """The text report's listing: file -> its lines (faults and the 'not listed' line)."""
    groups: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines()[1:]:  # after "checked: ..."
        if line == "summary:":
            break
        if not line.startswith("  "):
            current = groups.setdefault(line, [])
        elif current is not None:
            current.append(line.strip())
    return groups


def _per_file(report) -> dict[str, int]:
    from collections import Counter

    return dict(Counter(f.path for f in report.faults))


def test_max_errors_shares_the_listing_between_files(pkg):
    _many_faults(pkg)
    totals = _per_file(cd.validate(pkg))
    assert len(totals) == 3 and min(totals.values()) > 2
    r = _cli("validate", pkg, "--max-errors", "5")
    assert r.exit_code == 1
    groups = _listed(r.stdout)
    files = sorted(totals)
    assert list(groups) == files  # every file with faults is there, in file order
    listed = [sum(not line.startswith("...") for line in groups[f]) for f in files]
    assert listed == [2, 2, 1]  # round-robin over the files
    for f, n in zip(files, listed, strict=True):
        assert groups[f][-1] == f"... and {totals[f] - n} more not listed in {f}"


def test_a_file_with_few_faults_leaves_its_share_to_the_others(pkg):
    set_cell(pkg, "actors", 2, "kind", "alien")
    for line in range(2, 8):
        set_cell(pkg, "munitions", line, "launched", "x")
    totals = _per_file(cd.validate(pkg))
    groups = _listed(_cli("validate", pkg, "--max-errors", "4").stdout)
    assert [sum(not line.startswith("...") for line in groups[f]) for f in sorted(totals)] == [
        1, 3] == [min(1, totals["data/actors.csv"]), 4 - totals["data/actors.csv"]]


def test_github_listing_is_shared_and_says_what_each_file_hides(pkg):
    _many_faults(pkg)
    totals = _per_file(cd.validate(pkg))
    lines = _cli("validate", pkg, "--format", "github", "--max-errors", "5").stdout.splitlines()
    listed = {f: sum(line.startswith(f"::error file={f},line=") for line in lines) for f in totals}
    assert sorted(listed.values(), reverse=True) == [2, 2, 1]
    for f, n in listed.items():
        assert f"::error file={f},title=more-faults::... and {totals[f] - n} more faults not shown in {f}" in lines


def test_the_summary_counts_every_fault_per_file_and_code(pkg):
    from collections import Counter

    _many_faults(pkg, lines=(2, 3))
    report = cd.validate(pkg)
    r = _cli("validate", pkg, "--max-errors", "1")
    out = r.stdout.splitlines()
    at = out.index("summary:")
    codes: dict[str, Counter] = {}
    for f in report.faults:
        codes.setdefault(f.path, Counter())[f.code] += 1
    for path, counted in codes.items():
        detail = ", ".join(f"{c} {n}" for c, n in sorted(counted.items(), key=lambda kv: (-kv[1], kv[0])))
        assert f"  {path}: {sum(counted.values())} errors ({detail})" in out[at:]
    assert "  data/munitions.csv: 2 errors (type-error 2)" in out[at:]
    assert out[-2].startswith(f"  total: {len(report.faults)} errors (") and out[-2].endswith(" in 3 files")
    assert out[-1] == f"INVALID: {len(report.faults)} error(s), 0 warning(s)"


def test_the_summary_counts_the_faults_past_a_checks_cap(pkg):
    for line in range(2, 6):
        set_cell(pkg, "munitions", line, "launched", "x")
    report = cd.validate(pkg, cap=1)
    assert len([f for f in report.faults if f.code == "type-error"]) == 1
    assert report.omitted_by[("data/munitions.csv", "type-error", "error")] == 3
    text = report.render("text")
    assert "  data/munitions.csv: 4 errors (type-error 4)" in text
    assert "  ... and 3 more not listed in data/munitions.csv" in text
    summary = json.loads(report.render("json"))["summary"]
    assert summary["errors"] == 4 and summary["warnings"] == 0
    assert summary["files"] == [{"path": "data/munitions.csv", "errors": 4, "warnings": 0,
                                 "error_codes": {"type-error": 4}, "warning_codes": {}, "omitted": 3}]
    notice = report.render("github").splitlines()[-1]
    assert notice == "::notice title=summary::4 errors in 1 file: data/munitions.csv 4 errors (type-error 4)"


def test_json_and_github_carry_the_summary_of_the_cli(pkg):
    _many_faults(pkg, lines=(2,))
    report = cd.validate(pkg)
    doc = json.loads(_cli("validate", pkg, "--format", "json").stdout)
    assert doc["summary"]["errors"] == len(report.faults) == len(doc["errors"])
    assert {f["path"]: f["errors"] for f in doc["summary"]["files"]} == _per_file(report)
    last = _cli("validate", pkg, "--format", "github").stdout.splitlines()[-1]
    assert last.startswith(f"::notice title=summary::{len(report.faults)} errors in 3 files: data/actors.csv ")


def test_a_valid_package_has_no_summary(pkg):
    r = _cli("validate", pkg)
    assert r.exit_code == 0 and "summary" not in r.stdout
    assert _cli("validate", pkg, "--format", "github").stdout.strip() == ""


def test_faults_counted_without_their_file_still_count_in_the_summary():
    # A caller that only counts past its cap by severity (report.omitted[...] += n) keeps the totals true.
    from conflictdata.report import UNATTRIBUTED, Fault, Report

    report = Report()
    report.add(Fault("t", "data/t.csv", 2, None, None, "type-error", "bad"))
    report.omitted["error"] += 3
    summary = report.summary()
    assert summary.totals()["error"] == {"type-error": 1, "(code not kept)": 3}
    assert report.render("text").splitlines()[-2:] == [
        "  total: 4 errors ((code not kept) 3, type-error 1) in 1 file", "INVALID: 4 error(s), 0 warning(s)"]
    assert f"... and 3 more not listed in {UNATTRIBUTED}" in report.render("text")
