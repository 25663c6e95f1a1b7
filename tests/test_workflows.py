"""The GitHub workflows: least privilege, bounded time, and commands the CLI really has.

Each workflow is parsed as YAML; every ``conflictdata ...`` its steps run is looked up in the
click command tree and its options checked against the command's, then ``--help`` is run, so
renaming a command or an option breaks this test instead of the release day.
"""

import json
import re
import shlex
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from conflictdata import semver
from conflictdata.cli import cli

from .conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
SEPARATORS = {";", "&&", "||", "|", "&", "(", ")", "$(", "`"}


def load(path: Path) -> dict:
    flow = yaml.safe_load(path.read_text(encoding="utf-8"))
    flow["on"] = flow.pop("on", flow.pop(True, None))  # YAML 1.1 reads a bare 'on' as true
    return flow


def scripts(flow: dict) -> list[str]:
    return [step["run"] for job in flow["jobs"].values() for step in job.get("steps", []) if "run" in step]


def commands(script: str) -> list[list[str]]:
    """The simple commands of a shell script, each as its words (quotes respected)."""
    lexer = shlex.shlex(script.replace("\\\n", " "), posix=True, punctuation_chars=";&|()<>")
    lexer.whitespace = " \t\r"  # a line end ends a command, as in the shell
    lexer.wordchars += "$-./=*[]{}:,@%+~^"
    out, current = [], []
    redirect = False
    for token in lexer:
        if token and set(token) <= set("<>&") and token not in SEPARATORS:
            redirect = True  # "< file", "> file", ">> file": not words of the command
        elif token in SEPARATORS or token == "\n" or set(token) <= set(";&|()\n"):
            if current:
                out.append(current)
            current, redirect = [], False
        elif redirect:
            redirect = False
        else:
            current.append(token)
    if current:
        out.append(current)
    return out


def conflictdata_calls(flow: dict) -> list[list[str]]:
    calls = []
    for script in scripts(flow):
        for words in commands(script):
            at = program(words)
            if at is not None and words[at] == "conflictdata":
                calls.append(words[at + 1:])
    return calls


def program(words: list[str]) -> int | None:
    """Where the program a simple command runs is among its words: after VAR=value, through xargs."""
    at = 0
    while at < len(words) and re.fullmatch(r"\w+=.*", words[at]):
        at += 1
    if at < len(words) and words[at] == "xargs":
        at += 1
        while at < len(words) and words[at].startswith("-"):
            at += 1
    return at if at < len(words) else None


def test_there_are_the_four_workflows():
    assert {p.name for p in WORKFLOWS} == {"tests.yml", "validate.yml", "submissions.yml", "release.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_job_has_least_privilege_and_a_time_limit(path):
    flow = load(path)
    assert flow["permissions"] == {"contents": "read"}, "the workflow's default token only reads"
    for name, job in flow["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int) and 0 < job["timeout-minutes"] <= 60, name
        assert isinstance(job.get("permissions"), dict), f"{path.name}: job {name} names its permissions"
        if job["permissions"].get("id-token") == "write":
            # trusted publishing only, in the job that publishes, behind the pypi environment
            uses = [s.get("uses", "") for s in job["steps"]]
            assert any(u.startswith("pypa/gh-action-pypi-publish@") for u in uses), name
            assert job["environment"]["name"] == "pypi" and set(job["permissions"]) == {"id-token"}
    text = path.read_text(encoding="utf-8")
    assert "secrets." not in text, "no secrets: the job token and trusted publishing only"
    for action in re.findall(r"uses:\s*(\S+)", text):
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+(\.\d+)*", action), f"{action}: pin an action by its version"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_the_conflictdata_commands_the_workflows_run_exist_with_those_options(path):
    calls = conflictdata_calls(load(path))
    assert calls or path.name == "tests.yml"
    for words in calls:
        command: click.Command = cli
        used: list[str] = []
        for word in words:
            if isinstance(command, click.Group) and not word.startswith("-"):
                sub = command.get_command(click.Context(command), word)
                assert sub is not None, f"{path.name}: conflictdata {' '.join(words)}: no command {word!r}"
                command, used = sub, [*used, word]
        assert used, f"{path.name}: conflictdata {' '.join(words)} names no command"
        options = {opt for p in command.params for opt in [*p.opts, *p.secondary_opts]}
        for word in words:
            if word.startswith("-") and word != "-":
                assert word.split("=", 1)[0] in options, f"{path.name}: conflictdata {' '.join(used)} has no {word}"
        r = CliRunner().invoke(cli, [*used, "--help"])
        assert r.exit_code == 0, r.output


def test_the_parser_finds_commands_and_a_missing_option_fails():
    flow = {"jobs": {"j": {"steps": [{"run": 'cd "dist/$TAG" && conflictdata publish --check "dist/$TAG"\n'
                                              "x=$(python -c 'import conflictdata; print(1)')"}]}}}
    assert conflictdata_calls(flow) == [["publish", "--check", "dist/$TAG"]]
    script = 'xargs -0 -r conflictdata add --dry-run < "$LIST" > out.txt\nruff check conflictdata'
    xargs = {"jobs": {"j": {"steps": [{"run": script}]}}}
    assert conflictdata_calls(xargs) == [["add", "--dry-run"]]
    publish = cli.get_command(click.Context(cli), "publish")
    assert "--check" in {o for p in publish.params for o in p.opts}
    assert "--no-such-option" not in {o for p in publish.params for o in p.opts}


def test_the_test_workflow_runs_pytest_ruff_and_mypy_on_prs_and_main():
    flow = load(ROOT / ".github" / "workflows" / "tests.yml")
    assert "pull_request" in flow["on"] and flow["on"]["push"]["branches"] == ["main"]
    run = [" ".join(words) for script in scripts(flow) for words in commands(script)]
    assert {"python -m pytest", "ruff check conflictdata tests", "mypy"} <= set(run)
    assert "pip install .[test]" in run


def github_pattern(pattern: str) -> re.Pattern:
    """A GitHub Actions filter pattern as a regex: ``*`` any characters but ``/``, ``+`` one or more."""
    out = ""
    for part in re.findall(r"\[[^]]*\]|\*\*|.", pattern):
        special = {"**": ".*", "*": "[^/]*", "+": "+", "?": "?"}
        out += special.get(part, part if part.startswith("[") else re.escape(part))
    return re.compile(out)


def test_the_release_workflow_runs_on_data_version_tags_and_checks_before_it_publishes():
    flow = load(ROOT / ".github" / "workflows" / "release.yml")
    tags = [github_pattern(p) for p in flow["on"]["push"]["tags"]]
    for tag in ("1.2.0", "2.0.0-rc.1", "10.0.3"):
        assert semver.is_version(tag) and any(p.fullmatch(tag) for p in tags), tag
    for tag in ("v1.2.0", "latest", "1.2"):
        assert not any(p.fullmatch(tag) for p in tags), tag
    build = " ".join(" ".join(w) for script in scripts({"jobs": {"b": flow["jobs"]["build"]}})
                     for w in commands(script))
    for needed in ('conflictdata build --quiet --out dist/$TAG', "conflictdata publish --quiet --check dist/$TAG",
                   "conflictdata validate dist/$TAG", "sha256sum -c SHA256SUMS",
                   "frictionless validate dist/$TAG/datapackage.json", "python -m build"):
        assert needed in build, needed
    jobs = flow["jobs"]
    assert jobs["github-release"]["needs"] == "build" and jobs["pypi"]["needs"] == "github-release"
    assert jobs["github-release"]["permissions"] == {"contents": "write"}
    upload = scripts({"jobs": {"r": jobs["github-release"]}})[0]
    assert "gh release create" in upload and '"dist/$TAG"/*' in upload  # every file of the release


def test_the_release_build_job_runs_for_real_on_a_package_copy(pkg, tmp_path):
    # The maintainer's steps (build, publish), then the build job's own steps in bash, as the
    # runner runs them; only installing and building the wheel are left out.
    import os
    import subprocess
    import sys

    from conflictdata import __version__

    tag = __version__
    (pkg / "CHANGELOG.md").write_text(f"# Changelog\n\n## [{tag}] - 2026-11-30\n\n- a release\n")
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "TAG": tag, "RUNNER_TEMP": str(tmp_path / "runner"),
           "CONFLICTDATA_REGISTRY": str(tmp_path / "registry.json"),
           "PATH": os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")])}
    (tmp_path / "runner").mkdir()

    def bash(script):
        return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=pkg, env=env,
                              capture_output=True, text=True)

    maintainer = bash(f"conflictdata build --out dist/{tag} && conflictdata publish dist/{tag} && rm -r dist")
    assert maintainer.returncode == 0, maintainer.stdout + maintainer.stderr
    steps = [s["run"] for s in load(ROOT / ".github" / "workflows" / "release.yml")["jobs"]["build"]["steps"]
             if "run" in s and not s["run"].startswith("pip install") and "python -m build" not in s["run"]]
    for script in steps:
        r = bash(script)
        assert r.returncode == 0, f"{script}\n{r.stdout}\n{r.stderr}"
    assert (pkg / "dist" / f"notes-{tag}.md").read_text().strip() == "- a release"
    # a registry that pins other bytes stops the job before anything is uploaded
    (tmp_path / "registry.json").write_text(json.dumps({"versions": {tag: "sha256:" + "0" * 64}}))
    r = bash(next(s for s in steps if "publish" in s))
    assert r.returncode == 2 and f"version {tag} is published with sha256:{'0' * 64}" in r.stderr
