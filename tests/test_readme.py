"""Every code block of README.md and CONTRIBUTING.md runs, read from the files themselves (never copied).

- ```python blocks run in order, in one namespace per file, from a temporary copy of this
  checkout (not the checkout itself); a ```text block right after one (only blank lines
  between) is what it must print.
- ```sh blocks: each command runs in that same copy with this environment's ``conflictdata``
  and ``python``, and must exit 0; a ``pip install`` is checked instead of run (its folder
  holds a pyproject.toml, its extras exist there). A command naming ``../shared/...`` that is
  absent is skipped (the shared data dir is beside CI's checkout, not inside an sdist).
- a ```yaml block with ``repos:`` (a pre-commit configuration) names only hooks of
  ``.pre-commit-hooks.yaml``, with the same entry and file pattern.
- A block that cannot run on a fresh checkout says so right above it:
  ``<!-- readme-test: skip REASON -->``; such blocks are skipped with that reason, and
  :func:`test_marked_skips_are_attached_and_explained` lists them. A command that is meant to
  exit non-zero says so likewise: ``<!-- readme-test: exit 1,0 REASON -->`` gives the exit code
  of each command of the block, in order.

Blocks of other languages (submission fragments in YAML, plain output) are prose. Each block is
one test, its id ``FILE:LINE`` (the line of its opening fence).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import ROOT

DOCS = ("README.md", "CONTRIBUTING.md")
MARKER = re.compile(r"^\s*<!--\s*readme-test:\s*(?P<what>.*?)\s*-->\s*$")
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w-]*)\s*$")  # indented inside a list item too
# What a copy of the checkout leaves out: caches, virtual environments, build output.
IGNORED = shutil.ignore_patterns(".git", ".ci-venv", "*venv*", "__pycache__", ".pytest_cache", ".mypy_cache",
                                 ".ruff_cache", "dist", "build", "*.egg-info")
BIN = Path(sys.executable).parent


@dataclass
class Block:
    doc: str
    line: int  # the opening fence's line, 1-based
    lang: str
    code: str
    marker: str | None  # the readme-test marker right above it
    output: str | None = None  # a ```text block right after a python block

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"


def collect(doc: str) -> list[Block]:
    """The fenced blocks of ``doc``, each with the marker above it and, for python, the output below it."""
    lines = (ROOT / doc).read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i, previous_end = 0, -2
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start = i
        i += 1
        indent = len(m["indent"])
        while i < len(lines) and lines[i].strip() != "```":
            i += 1
        code = "\n".join(s[indent:] for s in lines[start + 1:i]) + "\n"
        j = start - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        marker = MARKER.match(lines[j]) if j >= 0 else None
        block = Block(doc, start + 1, m["lang"], code, marker["what"] if marker else None)
        only_blank_between = all(not s.strip() for s in lines[previous_end + 1:start])
        if block.lang == "text" and blocks and blocks[-1].lang == "python" and only_blank_between:
            blocks[-1].output = code
        else:
            blocks.append(block)
        previous_end = i
        i += 1
    return blocks


def runnable(block: Block) -> bool:
    precommit = block.lang == "yaml" and re.search(r"(?m)^repos:", block.code) is not None
    return block.lang in ("python", "sh") or precommit


BLOCKS = [b for doc in DOCS if (ROOT / doc).is_file() for b in collect(doc) if runnable(b)]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """One copy of this checkout for every block, with ``../shared`` beside it when the checkout has one."""
    base = tmp_path_factory.mktemp("readme")
    repo = base / "repo"
    shutil.copytree(ROOT, repo, ignore=IGNORED, symlinks=True)
    if (ROOT.parent / "shared").is_dir():
        (base / "shared").symlink_to(ROOT.parent / "shared")
    return repo


NAMESPACES: dict[str, dict] = {}


def parse_marker(block: Block) -> tuple[str, list[int], str] | None:
    """``(kind, exit codes, reason)`` of the block's marker: ``skip REASON`` or ``exit N[,N...] REASON``."""
    if block.marker is None:
        return None
    m = re.fullmatch(r"skip (?P<reason>\S.*)|exit (?P<codes>\d+(,\d+)*) (?P<why>\S.*)", block.marker)
    assert m, f"{block.id}: a marker reads 'readme-test: skip REASON' or 'exit N,N REASON', not {block.marker!r}"
    if m["reason"]:
        return "skip", [], m["reason"]
    return "exit", [int(c) for c in m["codes"].split(",")], m["why"]


def skip_if_marked(block: Block) -> None:
    marker = parse_marker(block)
    if marker and marker[0] == "skip":
        pytest.skip(f"{block.id}: marked: {marker[2]}")


@pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
def test_block(block: Block, workdir: Path, monkeypatch) -> None:
    skip_if_marked(block)
    monkeypatch.chdir(workdir)
    if block.lang == "python":
        run_python(block)
    elif block.lang == "sh":
        run_sh(block, workdir)
    else:
        check_precommit(block, workdir)


def run_python(block: Block) -> None:
    namespace = NAMESPACES.setdefault(block.doc, {"__name__": "__readme__"})
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block.code, block.id, "exec"), namespace)
    if block.output is not None:
        printed = [s.rstrip() for s in out.getvalue().rstrip("\n").splitlines()]
        assert printed == [s.rstrip() for s in block.output.rstrip("\n").splitlines()], out.getvalue()


def commands(code: str) -> list[str]:
    """The commands of a shell block: comment lines dropped, backslash continuations joined."""
    joined = re.sub(r"\s*\\\n\s*", " ", code)
    return [s.strip() for s in joined.splitlines() if s.strip() and not s.strip().startswith("#")]


def run_sh(block: Block, workdir: Path) -> None:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    ran, absent = 0, []
    marker = parse_marker(block)
    codes = marker[1] if marker else []
    for n, command in enumerate(commands(block.code)):
        expected = codes[n] if n < len(codes) else 0
        rest = []
        for part in (p.strip() for p in command.split("&&")):
            if part.startswith("pip install"):
                check_pip_install(block, part, workdir)
            else:
                rest.append(part)
        if not rest:
            continue
        shell = " && ".join(rest)
        needed = [p for p in re.findall(r"\.\./shared/[^\s'\"]+", shell) if not (workdir / p).exists()]
        if needed or absent:  # the commands after one that needs absent data may need its output
            absent.append(needed[0] if needed else shell)
            continue
        r = subprocess.run(["bash", "-c", shell], cwd=workdir, env=env, capture_output=True, text=True,
                           timeout=300, stdin=subprocess.DEVNULL)
        assert r.returncode == expected, (f"{block.id}: `{shell}` exited {r.returncode}, not {expected}:\n"
                                   f"{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
        ran += 1
    if absent:
        pytest.skip(f"{block.id}: needs {absent[0]} (the shared data dir), absent here"
                    + (f"; ran the {ran} command(s) before it" if ran else ""))


def check_pip_install(block: Block, command: str, workdir: Path) -> None:
    tomllib = pytest.importorskip("tomllib")
    extras_known = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"])
    targets = [a for a in shlex.split(command)[2:] if not a.startswith("-")]
    assert targets, f"{block.id}: `{command}` installs nothing"
    for target in targets:
        m = re.fullmatch(r"(?P<path>[^\[\]]+)(\[(?P<extras>[^\]]*)\])?", target)
        assert m, f"{block.id}: cannot read the requirement {target!r}"
        assert m["path"].startswith((".", "/")), (
            f"{block.id}: `{command}` installs {m['path']!r} by name, but nothing is published yet: "
            "install from the checkout ('.')")
        assert (workdir / m["path"] / "pyproject.toml").is_file(), f"{block.id}: {m['path']} holds no pyproject.toml"
        unknown = {e.strip() for e in (m["extras"] or "").split(",") if e.strip()} - extras_known
        assert not unknown, f"{block.id}: extras {sorted(unknown)} are not in pyproject.toml ({sorted(extras_known)})"


def check_precommit(block: Block, workdir: Path) -> None:
    yaml = pytest.importorskip("yaml")
    config = yaml.safe_load(block.code)
    published = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    for repo in config["repos"]:
        for hook in repo["hooks"]:
            assert hook["id"] in published, f"{block.id}: hook {hook['id']!r} is not in .pre-commit-hooks.yaml"
            if repo["repo"] == "local":
                # a local hook is the published one spelled out: same command, same files
                for key in ("entry", "files", "pass_filenames"):
                    assert hook.get(key) == published[hook["id"]].get(key), f"{block.id}: {key} differs"
            else:
                tags = subprocess.run(["git", "tag"], cwd=ROOT, capture_output=True, text=True).stdout.split()
                assert repo["rev"] in tags, f"{block.id}: rev {repo['rev']!r} is no tag of this repository"
    pre_commit = BIN / "pre-commit"
    if pre_commit.exists():
        (workdir / ".readme-pre-commit.yaml").write_text(block.code)
        r = subprocess.run([str(pre_commit), "validate-config", ".readme-pre-commit.yaml"], cwd=workdir,
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr


def test_marked_skips_are_attached_and_explained(capsys):
    markers = []
    for doc in DOCS:
        lines = (ROOT / doc).read_text(encoding="utf-8").splitlines()
        markers += [(doc, n) for n, s in enumerate(lines, 1) if MARKER.match(s)]
    marked = [b for b in BLOCKS if b.marker is not None]
    # every marker sits above a block this test runs: none is left over after a block moved
    assert len(markers) == len(marked), (markers, [b.id for b in marked])
    skipped = [b for b in marked if parse_marker(b)[0] == "skip"]
    with capsys.disabled():
        print(f"\nREADME/CONTRIBUTING: {len(BLOCKS)} blocks, {len(skipped)} marked to skip:")
        for b in skipped:
            print(f"  {b.id}: {b.marker}")


def test_collector_reads_markers_outputs_and_line_numbers(tmp_path, monkeypatch):
    doc = tmp_path / "DOC.md"
    doc.write_text("intro\n\n```python\nprint(1)\n```\n\n```text\n1\n```\n\n<!-- readme-test: skip no network -->\n"
                   "```sh\nconflictdata download 9.9.9\n```\n1. a step:\n\n   ```sh\n   conflictdata rules\n   ```\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    python, sh, step = collect("DOC.md")
    assert (python.line, python.lang, python.output, python.marker) == (3, "python", "1\n", None)
    assert (sh.line, sh.lang, sh.marker) == (12, "sh", "skip no network")
    assert (step.line, step.code, step.marker) == (17, "conflictdata rules\n", None)
    assert commands("a \\\n  b\n# c\n\nd # e\n") == ["a b", "d # e"]
