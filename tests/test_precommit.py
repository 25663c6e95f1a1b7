"""The pre-commit hook, run for real by pre-commit in a temporary git repository."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, copy_package, set_cell

PRE_COMMIT = Path(sys.executable).with_name("pre-commit")


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"})


def snapshot_of_this_checkout(dest: Path) -> str:
    """This working tree (committed or not) as a one-commit repository pre-commit can install."""
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           check=True, capture_output=True, text=True).stdout.split()
    for name in files:
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-qm", "snapshot")
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=dest, capture_output=True, text=True).stdout.strip()


@pytest.mark.skipif(not PRE_COMMIT.exists() or not shutil.which("git"), reason="pre-commit or git not installed")
@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="not a git checkout (an sdist): the hook is installed from "
                    "a snapshot of the checkout's tracked files")
def test_hook_passes_valid_data_and_blocks_a_broken_commit(tmp_path):
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    rev = snapshot_of_this_checkout(hooks)
    repo = copy_package(tmp_path / "data-repo")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n      - id: conflictdata-validate\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}

    def run():
        return subprocess.run([str(PRE_COMMIT), "run", "--all-files"], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=900)

    ok = run()
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "conflictdata validate" in ok.stdout and "Passed" in ok.stdout
    set_cell(repo, "munitions", 2, "launched", "-4")
    git(repo, "add", "-A")
    bad = run()
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "line 2 [launched]" in bad.stdout and "constraint-minimum" in bad.stdout


@pytest.mark.skipif(not PRE_COMMIT.exists() or not shutil.which("git"), reason="pre-commit or git not installed")
def test_the_readme_snippet_runs_the_hook_as_published(tmp_path):
    from .test_readme import collect

    (snippet,) = [b.code for b in collect("README.md") if b.lang == "yaml" and b.code.startswith("repos:")]
    repo = copy_package(tmp_path / "data-repo")
    (repo / ".pre-commit-config.yaml").write_text(snippet)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}

    def run():
        return subprocess.run([str(PRE_COMMIT), "run", "--all-files"], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=300)

    ok = run()
    assert ok.returncode == 0 and "Passed" in ok.stdout, ok.stdout + ok.stderr
    set_cell(repo, "munitions", 2, "launched", "-4")
    git(repo, "add", "-A")
    bad = run()
    assert bad.returncode == 1 and "constraint-minimum" in bad.stdout, bad.stdout + bad.stderr
