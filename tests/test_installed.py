"""The installed wheel carries its data: it loads and validates from any folder."""

import subprocess
import sys
from pathlib import Path

import pytest

CODE = """
import conflictdata as cd, sys
print(cd.__file__)
print(len(cd.load("munitions")), cd.validate().valid)
"""


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
