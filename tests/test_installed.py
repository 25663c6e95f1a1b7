"""The installed wheel carries its data: it loads and validates from any folder, and a plain
install (no extras) runs the maintainer's and the contributor's commands."""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT, copy_package

CODE = """
import conflictdata as cd, sys
print(cd.__file__)
print(len(cd.load("munitions")), cd.validate().valid)
"""
DOCTESTS = """
import doctest, importlib, sys
failed = 0
for name in ("conflictdata", "conflictdata.docs", "conflictdata.slugs", "conflictdata.submission.ids"):
    result = doctest.testmod(importlib.import_module(name))
    print(name, result)
    failed += result.failed
sys.exit(failed)
"""
EXTRAS = ("duckdb", "matplotlib", "openpyxl")  # what the sql, plot and excel extras bring


def test_installed_package_works_from_another_folder(tmp_path):
    r = subprocess.run([sys.executable, "-c", CODE], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    where, result = r.stdout.splitlines()
    if "site-packages" not in Path(where).parts:
        pytest.skip("conflictdata is installed in editable mode here; CI installs the wheel")
    assert "package_data" not in where  # the module, not the data, is reported
    assert result.split() == [str(len(__import__("conflictdata").load("munitions"))), "True"]
    cli = Path(sys.executable).with_name("conflictdata")
    r = subprocess.run([str(cli), "validate"], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0 and "installed package" in r.stdout, r.stdout + r.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel of this checkout, built once (pip fetches the build backend)."""
    out = tmp_path_factory.mktemp("wheel")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(out)],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        pytest.skip(f"cannot build a wheel here (no build backend offline?): {r.stderr.strip()[-300:]}")
    (built,) = out.glob("conflictdata-*.whl")
    return built


def test_the_wheel_declares_its_licences_urls_and_types(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = email.message_from_bytes(z.read(metadata))
    assert meta["License-Expression"] == "MIT AND CC-BY-4.0"
    files = meta.get_all("License-File")
    assert {"LICENSE", "LICENSE-DATA"} <= set(files)
    assert all(f in names or any(n.endswith(f"/licenses/{f}") for n in names) for f in files), files
    assert any(f.startswith("LICENSES/") for f in files)  # the imported rows' MIT notice
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert {"Homepage", "Source", "Issues", "Changelog"} <= set(urls), urls
    assert all(u.startswith("https://") for u in urls.values())
    assert "conflictdata/py.typed" in names
    assert "Typing :: Typed" in meta.get_all("Classifier")


def plain_venv(where: Path, wheel: Path) -> Path:
    """A fresh virtual environment with the wheel installed and no extras, its bin folder returned.

    The core dependencies come from this environment's site-packages (a .pth line), so that
    the test needs no network; the extras' modules are shadowed by packages that fail to import,
    exactly as when they are not installed.
    """
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)  # pip from ensurepip, offline
    bin_dir = where / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    shadow = where / "no-extras"
    for module in EXTRAS:
        (shadow / module).mkdir(parents=True)
        (shadow / module / "__init__.py").write_text(f"raise ImportError('{module} is not installed')\n")
    # the wheel first: with this environment's site-packages visible, pip would take a conflictdata
    # installed there (CI installs it so) as already satisfying the wheel and install nothing
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)], check=True,
                   capture_output=True)
    # the shadow first, then the core dependencies; the wheel's own files sit in the venv's site-packages
    (site / "core-dependencies.pth").write_text(f"{shadow}\n{sysconfig.get_paths()['purelib']}\n")
    return bin_dir


def test_a_plain_install_validates_writes_templates_and_checks_submissions(wheel, tmp_path):
    bin_dir = plain_venv(tmp_path / "venv", wheel)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    work = tmp_path / "work"
    work.mkdir()

    def run(*args, cwd=work):
        return subprocess.run([str(bin_dir / "conflictdata"), *map(str, args)], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=300)

    r = subprocess.run([str(bin_dir / "python"), "-c", "import conflictdata; print(conflictdata.__file__)\n"
                        "try:\n    import duckdb\nexcept ImportError:\n    print('no duckdb')"],
                       cwd=work, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert str(tmp_path / "venv") in r.stdout and "no duckdb" in r.stdout, r.stdout  # the wheel, without extras
    assert (bin_dir / "conflictdata").read_text().startswith(f"#!{bin_dir / 'python'}")  # the venv's command
    r = run("validate")
    assert r.returncode == 0 and "installed package" in r.stdout, r.stdout + r.stderr
    # the package's own examples run from the installed wheel too, away from any checkout
    r = subprocess.run([str(bin_dir / "python"), "-c", DOCTESTS], cwd=work, env=env, capture_output=True, text=True)
    assert r.returncode == 0 and "failed=0" in r.stdout, r.stdout[-3000:] + r.stderr[-3000:]
    r = run("new-submission", "--url", "https://example.org/report")
    assert r.returncode == 0 and "source:" in r.stdout and "https://example.org/report" in r.stdout, r.stderr
    pkg = copy_package(tmp_path / "pkg")
    example = ROOT / "examples" / "submissions" / "fictional-vague-quantities.yaml"
    r = run("add", "--dry-run", example, "--into", pkg)
    assert r.returncode == 0 and "dry run: valid, nothing written" in r.stdout, r.stdout + r.stderr
    assert "pip install" not in r.stdout + r.stderr
    shutil.rmtree(pkg)
