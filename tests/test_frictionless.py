"""The reference validator (frictionless-py) as a second opinion on the shipped package."""

import subprocess
import sys

from .conftest import ROOT


def test_frictionless_validates_the_shipped_package():
    from frictionless import Package

    report = Package(str(ROOT / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_frictionless_cli_passes_at_the_repo_root():
    r = subprocess.run([sys.executable, "-m", "frictionless", "validate", "datapackage.json"],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
