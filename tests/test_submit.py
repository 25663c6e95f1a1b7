"""Submissions: parsed with lines, checked, merged all-or-nothing, even when killed or run twice at once."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import conflictdata as cd
from conflictdata.cli import cli
from conflictdata.package import open_package
from conflictdata.submission.layout import build_layout
from conflictdata.submission.parse import MAX_BYTES, parse_file, parse_text
from conflictdata.submission.rows import build_rows, check_shape
from conflictdata.submission.spec import render_json_schema
from conflictdata.submission.write import JOURNAL, LOCK, PAUSE_ENV, TMP_SUFFIX, prepare, recover
from conflictdata.submit import add

from .conftest import FIXTURES, ROOT, SHARED, copy_package, read_rows

EXAMPLES = ROOT / "examples" / "submissions"
DW = EXAMPLES / "dw-2024-10-08.yaml"
FICTIONAL = EXAMPLES / "fictional-vague-quantities.yaml"
MALFORMED = sorted((FIXTURES / "submissions").glob("*.yaml"))
CLI = [sys.executable, "-c", "from conflictdata.cli import main; main()"]



def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def snapshot(pkg: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((pkg / "data").glob("*.csv"))}


def empty_package(dest: Path) -> Path:
    """A copy of the package whose tables hold their header only."""
    copy_package(dest)
    for path in (dest / "data").glob("*.csv"):
        path.write_bytes(path.read_bytes().split(b"\n", 1)[0] + b"\n")
    return dest


def fictional(tag: str, **extra) -> str:
    """A small valid submission about made-up actors and places; ``tag`` makes its names unique."""
    return f"""\
source:
  publisher: Test Gazette {tag}
  title: Fictional test report {tag}
  url: https://example.org/test/{tag}
  kind: article
  published_date: 2024-02-01
actors:
  - name: Testland {tag}
    kind: state
places:
  - name: Testville {tag}
    kind: city
updates:
  - headline: Test headline {tag}
    summary: Synthetic test data, never merged into data/.
    munitions:
      - claimant_id: testland-{tag}
        munition_type_id: drone-type-not-stated
        target_place_id: testville-{tag}
        launched: {extra.get("launched", 3)}
        certainty: asserted
        quote: three test drones {tag}
        target_place_precision: within
        scope: whole
"""


# --- the format: JSON Schema, template, parsing ---------------------------------------------


def test_committed_json_schema_is_generated_from_the_table_schemas():
    generated = render_json_schema(build_layout(open_package(ROOT)))
    assert (ROOT / "schemas" / "submission.schema.json").read_text(encoding="utf-8") == generated
    assert run("new-submission", "--json-schema").output == generated


def test_json_schema_follows_every_table_schema_field():
    schema = json.loads((ROOT / "schemas" / "submission.schema.json").read_text(encoding="utf-8"))
    layout = build_layout(open_package(ROOT))
    for table, table_schema in layout.schemas.items():
        props = schema["$defs"][table]["properties"]
        for f in table_schema.fields:
            if f.name in layout.implied(table):
                assert f.name not in props
                continue
            prop = props[f.name]
            assert prop["description"].startswith(f.description)
            for key in ("minimum", "maximum", "maxLength"):
                assert prop.get(key) == f.constraints.get(key)
            if f.enum:
                assert [v for v in prop["enum"] if v is not None] == f.enum


def test_committed_json_schema_accepts_the_examples_and_rejects_a_fixture():
    from jsonschema import Draft202012Validator

    schema = json.loads((ROOT / "schemas" / "submission.schema.json").read_text())
    Draft202012Validator.check_schema(schema)  # a valid JSON Schema in itself
    validator = Draft202012Validator(schema)
    for path in (DW, FICTIONAL):
        assert list(validator.iter_errors(parse_file(path).value)) == []
    bad = parse_file(FIXTURES / "submissions" / "unknown-key.yaml").value
    assert [e.validator for e in validator.iter_errors(bad)] == ["additionalProperties"]


@pytest.mark.parametrize("path", MALFORMED, ids=lambda p: p.stem)
def test_malformed_submission_gets_one_clear_line(path, pkg):
    found = re.match(r"# expect: exit=(\d) line=(\d+) code=(\S+) text=(.+)$", path.read_text().splitlines()[0])
    expect = dict(zip(("exit", "line", "code", "text"), found.groups(), strict=True))
    r = run("add", path, "--into", pkg, "--dry-run")
    assert r.exit_code == int(expect["exit"]), r.output
    assert "Traceback" not in r.output
    first = r.output.splitlines()[0]
    assert first.startswith(f"{path}:{expect['line']}: error {expect['code']}"), r.output
    assert expect["text"] in first
    r = run("add", path, "--into", pkg, "--dry-run", "--format", "github")
    assert f"::error file={path},line={expect['line']},title={expect['code']}::" in r.output


def test_a_50_mb_file_is_refused_without_reading_it(tmp_path, pkg):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as f:
        f.truncate(50 * 1024 * 1024)
    r = run("add", big, "--into", pkg)
    assert r.exit_code == 2
    assert r.output.startswith(f"{big}: error file-too-large: ") and f"{MAX_BYTES // 1024} KiB" in r.output


def test_unreadable_files_exit_2(tmp_path, pkg):
    r = run("add", tmp_path / "nowhere.yaml", "--into", pkg)
    assert r.exit_code == 2 and "no such file" in r.output
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(b"source:\n  publisher: Caf\xe9\n")
    r = run("add", latin1, "--into", pkg)
    assert r.exit_code == 2 and f"{latin1}:2: error encoding-error" in r.output


def test_yaml_12_scalars_no_norway_problem():
    parsed = parse_text("a: no\nb: 2024-10-08\nc: 14:30:00\nd: 019\ne: 1.5\nf:\ng: true\nh: 0x1A\n")
    assert parsed.value == {"a": "no", "b": "2024-10-08", "c": "14:30:00", "d": 19, "e": 1.5, "f": None,
                            "g": True, "h": "0x1A"}
    assert parsed.key_lines[("c",)] == 3


def test_template_parses_and_asks_only_for_the_required_fields(tmp_path, pkg):
    r = run("new-submission", "--url", "https://example.org/a?b=1#c")
    assert r.exit_code == 0
    path = tmp_path / "new.yaml"
    path.write_text(r.output)
    layout = build_layout(open_package(pkg))
    parsed = parse_file(path)
    assert parsed.faults == [] and parsed.value["source"]["url"] == "https://example.org/a?b=1#c"
    check_shape(parsed, layout)
    assert {f.code for f in parsed.faults} == {"constraint-required"}
    required = {f.field.rsplit(".", 1)[-1] for f in parsed.faults}
    # every required field of the tables the compact template writes a row of (the source, an update
    # and one claim of the first claims table), but the ids (derived), the fields nesting fills in and
    # the url the command was given; the other tables are described by the JSON Schema
    update = layout.branches[layout.root].children[0]
    written = (layout.root, update, layout.branches[update].children[0])
    expected = set()
    for table in written:
        schema = layout.schemas[table]
        given = {*schema.primary_key, *layout.implied(table), "url"}
        expected |= {f.name for f in schema.fields if f.required and f.name not in given}
    assert required == expected
    assert {"publisher", "summary", "claimant_id", "munition_type_id", "certainty"} <= required
    assert "casualty_reports:" not in r.output and len(r.output.splitlines()) < 60
    lines = path.read_text().splitlines()
    for f in parsed.faults:  # each fault is on the line of its key
        assert lines[f.row - 1].strip().removeprefix("- ").startswith(f.field.rsplit(".", 1)[-1] + ":")


def test_new_submission_refuses_a_known_or_malformed_url(monkeypatch, pkg):
    monkeypatch.chdir(pkg)
    assert run("add", FICTIONAL).exit_code == 0
    r = run("new-submission", "--url", "https://example.org/fictional/drones-over-exampleville")
    assert r.exit_code == 1 and "already in the package (data/sources.csv line 3)" in r.output
    r = run("new-submission", "--url", "ftp://example.org/x")
    assert r.exit_code == 2 and "does not match the pattern" in r.output


# --- ids and rows ---------------------------------------------------------------------------


def test_ids_are_derived_deterministically_from_the_file():
    layout = build_layout(open_package(ROOT))

    def ids():
        parsed = parse_file(FICTIONAL)
        check_shape(parsed, layout)
        return [(r.table, r.cells[layout.schemas[r.table].primary_key[0]]) for r in build_rows(parsed, layout)]

    first = ids()
    assert first == ids()
    assert ("sources", "example-daily-2024-01-02-fictional-example-drones-over-exampleville") in first
    assert ("updates", "example-daily-2024-01-02-drones-over-exampleville") in first
    assert ("actors", "exampleland-air-defence") in first and ("places", "exampleville") in first
    assert ("munitions", "example-daily-2024-01-02-dozens-of-drones-flew-at-exampleville") in first


def test_derived_ids_that_clash_in_the_file_get_a_number(tmp_path):
    text = fictional("a").replace("    munitions:\n", "    munitions:\n" + """\
      - claimant_id: testland-a
        munition_type_id: drone-type-not-stated
        launched: 4
        certainty: asserted
        quote: three test drones a
""")
    path = tmp_path / "s.yaml"
    path.write_text(text)
    layout = build_layout(open_package(ROOT))
    parsed = parse_file(path)
    check_shape(parsed, layout)
    claims = [r.cells["claim_id"] for r in build_rows(parsed, layout) if r.table == "munitions"]
    assert claims == ["test-gazette-a-2024-02-01-three-test-drones-a",
                      "test-gazette-a-2024-02-01-three-test-drones-a-2"]


# --- merging ----------------------------------------------------------------------------------


def test_dw_example_reproduces_the_data_byte_for_byte(tmp_path):
    """An empty package + ``add`` of the DW example + ``import general-staff`` of the pinned input is data/."""
    losses = SHARED / "external" / "russia-losses"
    if not losses.is_dir():
        pytest.skip(f"{losses} is absent: the General Staff's rows in data/ cannot be reproduced without it")
    empty = empty_package(tmp_path / "empty")
    result = add([DW], into=empty)
    assert result.valid and result.written, result.files[0].report.render()
    r = run("import", "general-staff", "--from", str(losses), "--into", str(empty))
    assert r.exit_code == 0, r.output
    assert snapshot(empty) == snapshot(ROOT)
    assert cd.validate(empty).valid


def test_merge_adds_only_new_lines_in_key_order(tmp_path):
    repo = copy_package(tmp_path / "repo")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "base"], check=True)
    r = run("add", FICTIONAL, "--into", repo)
    assert r.exit_code == 0, r.output
    numstat = subprocess.run([*git, "diff", "--numstat"], capture_output=True, text=True, check=True).stdout
    changed = {line.split("\t")[2]: (int(line.split("\t")[0]), int(line.split("\t")[1]))
               for line in numstat.splitlines()}
    assert changed == {"data/actors.csv": (4, 0), "data/places.csv": (2, 0), "data/sources.csv": (1, 0),
                       "data/updates.csv": (1, 0), "data/munitions.csv": (1, 0), "data/casualty_reports.csv": (1, 0)}
    status = subprocess.run([*git, "status", "--porcelain", "--untracked-files=all"], capture_output=True,
                            text=True, check=True).stdout
    assert {line[3:] for line in status.splitlines()} == set(changed) | {LOCK}  # no temporary file, no journal
    for path in (repo / "data").glob("*.csv"):
        data = path.read_bytes()
        assert b"\r" not in data and data.endswith(b"\n")
        header, rows = read_rows(path)
        keys = [row[0] for row in rows]
        assert keys == sorted(keys), path.name
    assert cd.validate(repo).valid


def test_dry_run_writes_nothing(pkg):
    before = snapshot(pkg)
    r = run("add", FICTIONAL, "--into", pkg, "--dry-run")
    assert r.exit_code == 0 and "dry run" in r.output and "adds 10 rows" in r.output
    assert snapshot(pkg) == before


def test_add_defaults_to_the_current_folder(monkeypatch, pkg, tmp_path):
    monkeypatch.chdir(pkg)
    r = run("add", FICTIONAL)
    assert r.exit_code == 0 and f"added 10 rows to {pkg}" in r.output
    monkeypatch.chdir(tmp_path)
    r = run("add", FICTIONAL)
    assert r.exit_code == 2 and "no datapackage.json in the current folder" in r.output


def test_add_refreshes_the_data_card_and_the_dictionary_of_a_repository(full_pkg, tmp_path):
    # A repository's layout: the README with its data card and the data dictionary beside the data.
    shutil.copy(ROOT / "README.md", full_pkg / "README.md")
    (full_pkg / "docs").mkdir()
    shutil.copy(ROOT / "docs" / "data-dictionary.md", full_pkg / "docs" / "data-dictionary.md")
    assert run("docs", full_pkg, "--check").exit_code == 0
    new = tmp_path / "new.yaml"
    new.write_text(fictional("card"))
    r = run("add", new, "--into", full_pkg)
    assert r.exit_code == 0 and "added 5 rows" in r.output, r.output
    assert f"refreshed {full_pkg.resolve() / 'README.md'}" in r.output
    assert "Test Gazette card" in (full_pkg / "README.md").read_text()  # the card counts the new source
    assert run("docs", full_pkg, "--check").exit_code == 0
    # a package folder of one's own has no generated documents: none appear
    own = copy_package(tmp_path / "own")
    r = run("add", new, "--into", own)
    assert r.exit_code == 0 and "refreshed" not in r.output
    assert not (own / "docs").exists() and not (own / "README.md").exists()


def test_a_known_source_is_refused_naming_the_existing_row(pkg):
    assert run("add", FICTIONAL, "--into", pkg).exit_code == 0
    before = snapshot(pkg)
    r = run("add", FICTIONAL, "--into", pkg)
    assert r.exit_code == 1
    assert (f"{FICTIONAL}:15: error duplicate-source [source.url]: the source "
            "https://example.org/fictional/drones-over-exampleville is already in the package "
            "(data/sources.csv line 3") in r.output
    assert snapshot(pkg) == before
    # without a url, publisher, title and date identify the source
    r = run("add", DW, "--into", pkg, "--format", "json")
    doc = json.loads(r.output)
    codes = {e["code"] for e in doc["files"][0]["errors"]}
    assert {"duplicate-source", "duplicate-id", "claim-in-package"} <= codes and doc["written"] is False


def test_a_repeated_claim_is_refused_naming_the_existing_row(pkg, tmp_path):
    assert run("add", FICTIONAL, "--into", pkg).exit_code == 0
    text = FICTIONAL.read_text()
    text = text.replace("https://example.org/fictional/drones-over-exampleville", "https://example.org/other")
    text = text.replace("title: 'Fictional example", "title: 'Another fictional example")
    text = re.sub(r"\nactors:.*?\nupdates:", "\nupdates:", text, flags=re.S)  # the actors exist now
    again = tmp_path / "again.yaml"
    again.write_text(text)
    r = run("add", again, "--into", pkg)
    assert r.exit_code == 1
    assert re.search(r"again.yaml:\d+: error claim-in-package \[updates\[0\]\.munitions\[0\]\]: the same claim .* "
                     r"in the package \(data/munitions.csv line 10, claim_id "
                     r"'example-daily-2024-01-02-dozens-of-drones",
                     r.output)


def test_a_fault_after_the_merge_points_at_the_submission_line(pkg):
    path = FIXTURES / "submissions" / "unknown-actor.yaml"
    r = run("add", path, "--into", pkg, "--format", "json")
    err = next(e for e in json.loads(r.output)["files"][0]["errors"] if e["code"] == "foreign-key")
    assert (err["path"], err["row"], err["field"]) == (str(path), 11, "updates[0].munitions[0].claimant_id")
    assert "(in the row it would add: data/munitions.csv line 10)" in err["message"]


def test_several_files_build_on_each_other_and_all_or_nothing(pkg, tmp_path):
    a, b, bad = tmp_path / "a.yaml", tmp_path / "b.yaml", tmp_path / "bad.yaml"
    a.write_text(fictional("aa"))
    # b refers to an actor only a adds
    b.write_text(re.sub(r"actors:\n.*?\nplaces:", "places:", fictional("bb"), flags=re.S)
                 .replace("claimant_id: testland-bb", "claimant_id: testland-aa"))
    bad.write_text(fictional("cc", launched=-1))
    before = snapshot(pkg)
    r = run("add", a, b, bad, "--into", pkg)
    assert r.exit_code == 1 and "constraint-minimum" in r.output and "nothing written: 1 of 3" in r.output
    assert snapshot(pkg) == before
    r = run("add", a, b, "--into", pkg)
    assert r.exit_code == 0, r.output
    actors = [row[0] for row in read_rows(pkg / "data" / "actors.csv")[1]]
    assert "testland-aa" in actors and "testland-bb" not in actors
    assert cd.validate(pkg).valid


def test_a_file_without_a_final_line_end_gets_one_before_new_rows(full_pkg):
    pkg = full_pkg  # the imported source is the one the new source sorts before
    # munitions: the new claim sorts after every row, so it follows the unterminated last line;
    # sources: the new source sorts before the last row, and the file ends as it did
    ends = {}
    for table in ("munitions", "sources"):
        path = pkg / "data" / f"{table}.csv"
        ends[table] = path.read_bytes().rstrip(b"\n")
        path.write_bytes(ends[table])
    assert run("add", FICTIONAL, "--into", pkg).exit_code == 0
    munitions = (pkg / "data" / "munitions.csv").read_bytes()
    assert munitions.startswith(ends["munitions"] + b"\n") and munitions.endswith(b"\n")
    assert len(read_rows(pkg / "data" / "munitions.csv")[1]) == len(read_rows(ROOT / "data" / "munitions.csv")[1]) + 1
    sources = (pkg / "data" / "sources.csv").read_bytes()
    last = ends["sources"].rsplit(b"\n", 1)[-1]
    assert sources.endswith(b"\n" + last) and len(sources) > len(ends["sources"])
    assert cd.validate(pkg).valid


# --- nothing lost: locks, kills, concurrent merges ---------------------------------------------


def test_a_locked_package_makes_the_second_merge_fail_clearly(pkg):
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom filelock import FileLock\n"
                               "lock = FileLock(sys.argv[1]); lock.acquire(); print('locked', flush=True); "
                               "time.sleep(60)", str(pkg / LOCK)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        before = snapshot(pkg)
        r = run("add", FICTIONAL, "--into", pkg, "--lock-timeout", "0.2")
        assert r.exit_code == 2
        assert f"another merge into {pkg} holds {LOCK} and did not finish within 0.2 s" in r.output
        assert snapshot(pkg) == before
    finally:
        holder.kill()
        holder.wait()


def test_recover_finishes_a_decided_merge_and_drops_an_undecided_one(pkg, tmp_path, state):
    new = copy_package(tmp_path / "new")
    assert add([FICTIONAL], into=new).written
    tables = [f"data/{name}" for name in snapshot(pkg)]
    # decided: a merge staged every new table, recorded it and wrote its journal; one was renamed already
    texts = {rel: (new / rel).read_text("utf-8") for rel in tables
             if (new / rel).read_bytes() != (pkg / rel).read_bytes()}
    staged = prepare(pkg, texts)
    os.replace(pkg / staged.renames[0][0], pkg / staged.renames[0][1])
    assert recover(pkg, tables) == list(texts)[1:]
    assert snapshot(pkg) == snapshot(new) and not (pkg / JOURNAL).exists() and not list(state.rglob("*.json"))
    # undecided: temporary files without a journal are deleted, the tables are untouched
    (pkg / "data" / f".actors.csv.y{TMP_SUFFIX}").write_text("partial")
    assert recover(pkg, tables) == []
    assert snapshot(pkg) == snapshot(new) and not list((pkg / "data").glob(f"*{TMP_SUFFIX}"))


def _wait_for(predicate, proc, deadline=30.0) -> bool:
    end = time.monotonic() + deadline
    while time.monotonic() < end and proc.poll() is None:
        if predicate():
            return True
        time.sleep(0.002)
    return False


def test_a_merge_killed_at_any_moment_leaves_the_old_or_the_new_package(tmp_path, state):
    pkg = copy_package(tmp_path / "pkg")
    old = snapshot(pkg)
    ref = copy_package(tmp_path / "ref")
    assert add([FICTIONAL], into=ref).written
    new = snapshot(ref)
    tables = [f"data/{name}" for name in old]
    env = {**os.environ, PAUSE_ENV: "0.02"}
    rng = random.Random(6)
    seen = {"old": 0, "new": 0, "mixed before recovery": 0}
    for i in range(9):
        for name, data in old.items():
            (pkg / "data" / name).write_bytes(data)
        proc = subprocess.Popen([*CLI, "add", str(FICTIONAL), "--into", str(pkg)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if i % 3 == 0:  # while the temporary files are written (the first time: at once)
            _wait_for(lambda: any((pkg / "data").glob(f".*{TMP_SUFFIX}")), proc)
            time.sleep(0 if i == 0 else rng.uniform(0, 0.15))
        elif i % 3 == 1:  # after the journal is written, while the tables are renamed
            _wait_for(lambda: (pkg / JOURNAL).exists(), proc)
            time.sleep(rng.uniform(0, 0.15))
        else:  # any moment
            time.sleep(rng.uniform(0, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = snapshot(pkg)
        for name, data in now.items():
            assert data in (old[name], new[name]), f"{name} is neither old nor new (round {i})"
        if now not in (old, new):
            seen["mixed before recovery"] += 1
            # Parents are renamed before the tables that refer to them: the tables are valid, and
            # the only fault is the journal itself (validate refuses a package that carries one).
            assert {f.code for f in cd.validate(pkg).faults} == {"merge-journal"}
        recover(pkg, tables)
        after = snapshot(pkg)
        assert after in (old, new), f"round {i}"
        assert not list((pkg / "data").glob(f".*{TMP_SUFFIX}")) and not (pkg / JOURNAL).exists()
        assert not list(state.rglob("*.json")), f"round {i}: a record of the merge is left"
        assert cd.validate(pkg).valid
        seen["old" if after == old else "new"] += 1
    assert seen["old"] and seen["new"], seen


def test_two_merges_started_at_once_both_land(pkg, tmp_path):
    files = [tmp_path / "one.yaml", tmp_path / "two.yaml"]
    files[0].write_text(fictional("one"))
    files[1].write_text(fictional("two"))
    procs = [subprocess.Popen([*CLI, "add", str(f), "--into", str(pkg)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for f in files]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    sources = [row[0] for row in read_rows(pkg / "data" / "sources.csv")[1]]
    assert {"test-gazette-one-2024-02-01-fictional-test-report-one",
            "test-gazette-two-2024-02-01-fictional-test-report-two"} <= set(sources)
    assert cd.validate(pkg).valid


def test_the_same_submission_twice_at_once_is_refused_once(pkg):
    procs = [subprocess.Popen([*CLI, "add", str(FICTIONAL), "--into", str(pkg)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert sorted(p.returncode for p in procs) == [0, 1], outputs
    refused = outputs[[p.returncode for p in procs].index(1)]
    assert "duplicate-source" in refused and "already in the package (data/sources.csv line 3" in refused
    assert "Traceback" not in "".join(outputs)
    assert cd.validate(pkg).valid


# --- the maintainers' CI workflow, run step by step on a real git repository -------------------


def _workflow_steps() -> list[str]:
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "submissions.yml").read_text())
    steps = workflow["jobs"]["check"]["steps"]
    assert "--dry-run --format github" in " ".join(s.get("run", "") for s in steps)
    return [s["run"] for s in steps if "run" in s and not s["run"].startswith("pip install")]


def _run_workflow(repo: Path, base: str, runner: Path) -> tuple[int, str]:
    runner.mkdir()
    env = {**os.environ, "BASE_SHA": base, "RUNNER_TEMP": str(runner),
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    output = ""
    for script in _workflow_steps():
        r = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=repo, env=env,
                           capture_output=True, text=True)
        output += r.stdout + r.stderr
        if r.returncode:
            return r.returncode, output
    return 0, output


def test_workflow_annotates_submission_lines_and_checks_merged_data(tmp_path):
    repo = copy_package(tmp_path / "repo")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]

    def commit(message):
        subprocess.run([*git, "add", "-A"], check=True)
        subprocess.run([*git, "commit", "-q", "-m", message], check=True)
        return subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()

    subprocess.run([*git, "init", "-q"], check=True)
    (repo / ".gitignore").write_text(".conflictdata.lock\n")
    base = commit("base")
    (repo / "submissions").mkdir()
    shutil.copy(FIXTURES / "submissions" / "unknown-key.yaml", repo / "submissions" / "bad.yaml")
    shutil.copy(FICTIONAL, repo / "submissions" / "good.yaml")
    commit("a contributor's pull request")
    code, out = _run_workflow(repo, base, tmp_path / "run1")
    assert code != 0
    assert "::error file=submissions/bad.yaml,line=13,title=unknown-key::unknown key 'lauched'" in out
    assert "::notice file=submissions/good.yaml,title=submission::valid" in out

    (repo / "submissions" / "bad.yaml").unlink()
    assert run("add", repo / "submissions" / "good.yaml", "--into", repo).exit_code == 0  # the maintainer merges
    commit("merge the submission")
    code, out = _run_workflow(repo, base, tmp_path / "run2")
    assert code == 0, out

    with open(repo / "data" / "places.csv", "a", encoding="utf-8") as f:
        f.write("zzz,Smuggled row,city,,,,,,\n")
    commit("an extra row the submission does not hold")
    code, out = _run_workflow(repo, base, tmp_path / "run3")
    assert code != 0 and "::error title=data-mismatch::" in out


def test_a_known_name_is_a_warning_and_a_taken_derived_id_a_fault(pkg, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(fictional("w").replace("  - name: Testland w\n    kind: state\n",
                                           "  - name: Testland w\n    kind: state\n"
                                           "  - actor_id: russia-again\n    name: Russia\n    kind: state\n"))
    r = run("add", path, "--into", pkg, "--dry-run")
    assert r.exit_code == 0, r.output
    assert re.search(r"s.yaml:\d+: warning duplicate-name \[actors\[1\]\.name\]: 'Russia' is already in actors as "
                     r"'russia' \(data/actors.csv line \d+\)", r.output)
    path.write_text(fictional("w").replace("Testland w", "Russia").replace("testland-w", "russia"))
    r = run("add", path, "--into", pkg, "--dry-run")
    assert r.exit_code == 1
    assert ("error duplicate-id [actors[0].actor_id]: the derived actor_id 'russia' is already in the package"
            in r.output)


def test_one_slug_function_and_submissions_do_not_transliterate():
    # one slug function; a submission's ids are what the contributor wrote, so Cyrillic gives none
    import doctest

    from conflictdata import slugs
    from conflictdata.importers import slugs as importer_slugs
    from conflictdata.submission import ids

    assert doctest.testmod(slugs).failed == 0
    assert importer_slugs.slug is slugs.slug
    assert importer_slugs.slug("Київ") == "kyiv" and ids.slug("Київ") == ""


# Events: declared at the top of a submission like actors and places, linked from claims by event_id.

EVENT_SUBMISSION = """\
source:
  publisher: Test Gazette ev
  title: Fictional test report ev
  url: https://example.org/test/ev
  kind: article
  published_date: 2024-02-01
actors:
  - name: Testland ev
    kind: state
places:
  - name: Testville ev
    kind: city
events:
  - name: Drone attack on Testville ev
    kind: attack
    place_id: testville-ev
    place_precision: within
    attacker_id: testland-ev
    identified_by: source
    description: A fictional drone attack on Testville, declared to test the submission format.
updates:
  - headline: Test headline ev
    summary: Synthetic test data, never merged into data/.
    munitions:
      - claimant_id: testland-ev
        event_id: drone-attack-on-testville-ev
        event_link: same-sentence
        attacker_id: testland-ev
        munition_type_id: drone-type-not-stated
        target_place_id: testville-ev
        target_place_precision: within
        scope: whole
        launched: 3
        certainty: asserted
        quote: three test drones attacked Testville ev
    casualty_reports:
      - claimant_id: testland-ev
        event_id: drone-attack-on-testville-ev
        event_link: same-sentence
        place_id: testville-ev
        place_precision: within
        scope: whole
        perpetrator_id: testland-ev
        victim_group: unknown
        injured: 2
        certainty: asserted
        quote: the attack on Testville ev injured two people
"""


def _cells(pkg: Path, table: str) -> list[dict[str, str]]:
    header, rows = read_rows(pkg / "data" / f"{table}.csv")
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_an_event_declared_in_a_submission_links_two_claims_and_validates(pkg, tmp_path):
    path = tmp_path / "event.yaml"
    path.write_text(EVENT_SUBMISSION)
    result = add([path], into=pkg)
    assert result.valid and result.written, result.files[0].report.render()
    assert result.files[0].report.faults == [], result.files[0].report.render()
    # the event's id is derived from its name (the schema's idFrom), with no source prefix: a catalog row
    event = next(e for e in _cells(pkg, "events") if e["name"] == "Drone attack on Testville ev")
    assert event["event_id"] == "drone-attack-on-testville-ev"
    linked = {table: [r for r in _cells(pkg, table) if r["event_id"] == event["event_id"]]
              for table in ("munitions", "casualty_reports")}
    assert [r["launched"] for r in linked["munitions"]] == ["3"]
    assert [r["injured"] for r in linked["casualty_reports"]] == ["2"]
    assert all(r["event_link"] == "same-sentence" for rows in linked.values() for r in rows)
    report = cd.validate(pkg)
    assert report.valid and not report.faults, report.render()


def test_a_claim_may_link_to_an_event_already_in_the_package(pkg, tmp_path):
    path = tmp_path / "existing-event.yaml"
    text = re.sub(r"\nevents:.*?\nupdates:", "\nupdates:", EVENT_SUBMISSION, flags=re.S)
    text = text.replace("event_id: drone-attack-on-testville-ev", "event_id: 2024-10-08-drone-attack-on-chornomorsk")
    path.write_text(text.replace("event_link: same-sentence", "event_link: curator"))
    result = add([path], into=pkg, dry_run=True)
    assert not [f for f in result.files[0].report.faults if f.code == "foreign-key"], result.files[0].report.render()


def test_a_claim_linked_to_an_event_that_exists_nowhere_is_refused_at_its_line(pkg, tmp_path):
    path = tmp_path / "no-event.yaml"
    text = re.sub(r"\nevents:.*?\nupdates:", "\nupdates:", EVENT_SUBMISSION, flags=re.S)  # declared nowhere
    path.write_text(text.replace("event_id: drone-attack-on-testville-ev", "event_id: no-such-event"))
    before = snapshot(pkg)
    r = run("add", path, "--into", pkg, "--format", "json")
    assert r.exit_code == 1 and snapshot(pkg) == before
    errors = [e for e in json.loads(r.output)["files"][0]["errors"] if e["code"] == "foreign-key"]
    lines = [i for i, text_line in enumerate(path.read_text().splitlines(), 1) if "no-such-event" in text_line]
    assert [(e["path"], e["row"], e["field"]) for e in errors] == [
        (str(path), lines[0], "updates[0].munitions[0].event_id"),
        (str(path), lines[1], "updates[0].casualty_reports[0].event_id")]
    assert all("'no-such-event'" in e["message"] and "'events'" in e["message"] for e in errors)


def test_a_claim_that_supersedes_an_existing_claim_merges(pkg, tmp_path):
    # A later figure by the same claimant for the same thing: the earlier row is kept as it was.
    path = tmp_path / "revision.yaml"
    path.write_text("""\
source:
  publisher: Test Gazette rev
  title: Fictional revision
  url: https://example.org/test/rev
  kind: article
  published_date: 2024-10-09
updates:
  - headline: Air Force revises the count
    summary: Synthetic test data, never merged into data/.
    munitions:
      - claimant_id: ukrainian-air-force
        event_id: 2024-10-08-overnight-missile-and-drone-attack
        event_link: same-sentence
        attacker_id: russia
        munition_type_id: drone-type-not-stated
        window_start: 2024-10-07T00:00:00
        window_end: 2024-10-09T00:00:00
        window_precision: day
        intercepted: 17
        certainty: asserted
        quote: 17 drones were shot down in the overnight attack, the Air Force now says
        supersedes: dw-2024-10-08-overnight-drones-air-force
""")
    old = snapshot(pkg)["munitions.csv"]
    result = add([path], into=pkg)
    assert result.valid and result.written, result.files[0].report.render()
    assert not [f for f in result.files[0].report.faults if f.severity == "error"]
    rows = _cells(pkg, "munitions")
    new = next(r for r in rows if r["supersedes"])
    assert (new["supersedes"], new["intercepted"]) == ("dw-2024-10-08-overnight-drones-air-force", "17")
    assert all(line in snapshot(pkg)["munitions.csv"] for line in old.splitlines(keepends=True))
    assert cd.validate(pkg).valid


def test_a_claim_superseding_a_claim_that_exists_nowhere_is_refused_at_its_line(pkg, tmp_path):
    path = tmp_path / "bad-revision.yaml"
    path.write_text(fictional("sv") + "        supersedes: no-such-claim\n")
    r = run("add", path, "--into", pkg, "--format", "json")
    assert r.exit_code == 1
    errors = [e for e in json.loads(r.output)["files"][0]["errors"] if e["code"] == "foreign-key"]
    line = len(path.read_text().splitlines())
    assert [(e["row"], e["field"]) for e in errors] == [(line, "updates[0].munitions[0].supersedes")]
