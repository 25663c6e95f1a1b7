import json

from click.testing import CliRunner

import conflictdata
from conflictdata.cli import cli

from .conftest import set_cell


def run(*args, **kw):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, **kw)


def test_help_and_version():
    for flag in ("-h", "--help"):
        r = run(flag)
        assert r.exit_code == 0 and "validate" in r.output and "tables" in r.output
    r = run("--version")
    assert r.exit_code == 0 and conflictdata.__version__ in r.output


def test_short_help_has_one_home():
    # --help lists each command's short help from COMMANDS, and a loaded command says the same
    import click

    from conflictdata.cli import COMMANDS

    listed = run("--help").output
    for name, (_, short_help) in COMMANDS.items():
        assert short_help in " ".join(listed.split())
        assert cli.get_command(click.Context(cli), name).get_short_help_str(limit=200) == short_help


def test_tables_lists_row_counts():
    r = run("tables")
    assert r.exit_code == 0
    counts = dict(line.split(None, 1) for line in r.output.strip().splitlines())
    assert set(counts) == set(conflictdata.tables())
    assert counts["munitions"] == f"{len(conflictdata.load('munitions'))} rows"


def test_validate_installed_says_what_it_checked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run("validate")
    assert r.exit_code == 0, r.output
    assert "installed package" in r.output and "valid" in r.output


def test_validate_prefers_the_current_folder(pkg, monkeypatch):
    monkeypatch.chdir(pkg)
    set_cell(pkg, "munitions", 2, "launched", "-3")
    r = run("validate")
    assert r.exit_code == 1
    assert "current folder" in r.output and "line 2 [launched]" in r.output


def test_validate_json_shape(pkg):
    set_cell(pkg, "munitions", 3, "launched", "x")
    r = run("validate", str(pkg), "--format", "json")
    assert r.exit_code == 1
    doc = json.loads(r.output)  # exactly one JSON object
    assert doc["valid"] is False
    (err,) = doc["errors"]
    assert {"resource", "path", "row", "field", "code", "message", "severity"} <= set(err)
    assert (err["resource"], err["path"], err["row"], err["field"], err["code"]) == (
        "munitions", "data/munitions.csv", 3, "launched", "type-error")


def test_validate_json_valid():
    doc = json.loads(run("validate", "--format", "json").output)
    assert doc["valid"] is True and doc["errors"] == []


def test_validate_github_annotations(pkg):
    set_cell(pkg, "casualty_reports", 2, "killed", "-1")
    r = run("validate", str(pkg), "--format", "github")
    assert r.exit_code == 1
    assert r.output.startswith("::error file=data/casualty_reports.csv,line=2,title=constraint-minimum::")


def test_validate_descriptor_file_path(pkg):
    assert run("validate", str(pkg / "datapackage.json")).exit_code == 0


def test_unreadable_package_exits_2_without_traceback(tmp_path):
    (tmp_path / "datapackage.json").write_text("{not json")
    r = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert r.exit_code == 2
    assert "Traceback" not in r.output and "not valid JSON" in r.output
    r = CliRunner().invoke(cli, ["validate", str(tmp_path / "nowhere")])
    assert r.exit_code == 2 and "no such file" in r.output


def test_usage_error_exits_2():
    r = CliRunner().invoke(cli, ["validate", "--format", "xml"])
    assert r.exit_code == 2


def test_github_annotation_for_each_fault(pkg):
    set_cell(pkg, "munitions", 2, "launched", "x")
    set_cell(pkg, "munitions", 4, "window_precision", "week")
    set_cell(pkg, "places", 3, "notes", " padded")
    r = run("validate", str(pkg), "--format", "github")
    *lines, summary = r.output.strip().splitlines()
    assert r.exit_code == 1 and len(lines) == 3 and summary.startswith("::notice title=summary::")
    assert {tuple(line.split("::")[1].split(",")[:2]) for line in lines} == {
        ("error file=data/munitions.csv", "line=2"), ("error file=data/munitions.csv", "line=4"),
        ("error file=data/places.csv", "line=3")}


def test_text_report_groups_by_file_and_caps(pkg):
    for line in (2, 3, 4):
        set_cell(pkg, "munitions", line, "launched", "x")
    set_cell(pkg, "actors", 2, "kind", "alien")
    r = run("validate", str(pkg), "--max-errors", "2")
    out = r.output.splitlines()
    assert r.exit_code == 1
    assert out[1] == "data/actors.csv" and out[3] == "data/munitions.csv"
    assert "... and 2 more" in r.output and "INVALID: 4 error(s), 0 warning(s)" in r.output


def test_rules_command_lists_every_check():
    from conflictdata.validation.checks import all_checks

    r = run("rules")
    assert r.exit_code == 0
    listed = [line.split()[0] for line in r.output.strip().splitlines()]
    assert listed == [c.code for c in all_checks()]
    md = run("rules", "--format", "markdown").output
    assert "| `outcome-exceeds-launched` | semantic | error |" in md


def test_build_lists_sizes_as_people_read_them_and_takes_quiet(pkg, tmp_path):
    from conflictdata.feedback import human_size

    out = tmp_path / "release"
    r = run("build", str(pkg), "--out", str(out), "--quiet")
    assert r.exit_code == 0, r.output
    lines = {line.split()[0]: line for line in r.output.splitlines()[1:]}
    assert set(lines) == {p.name for p in out.iterdir()}
    for name, line in lines.items():
        assert f"  {human_size((out / name).stat().st_size)}  sha256:" in line, line


def test_release_commands_take_quiet_and_publish_is_listed():
    for name in ("build", "download", "publish"):
        r = run(name, "--help")
        assert r.exit_code == 0 and "--quiet" in r.output, name
    assert "publish" in run("--help").output
