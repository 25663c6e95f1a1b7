import json

import pytest

from conflictdata.errors import PackageError, UnsafePathError
from conflictdata.package import locate, open_package

from .conftest import ROOT


def test_installed_package_has_the_tables_of_its_descriptor():
    descriptor = json.loads((ROOT / "datapackage.json").read_text())
    assert list(locate().resources) == [r["name"] for r in descriptor["resources"]]


def test_folder_or_descriptor_file_both_work(pkg):
    assert open_package(pkg).root == open_package(pkg / "datapackage.json").root


def test_missing_descriptor_is_a_package_error(tmp_path):
    with pytest.raises(PackageError, match="no such file"):
        open_package(tmp_path)


def test_malformed_json_names_the_line(pkg):
    (pkg / "datapackage.json").write_text('{\n  "resources": [\n  oops\n]}')
    with pytest.raises(PackageError, match=r"datapackage.json:3: the descriptor is not valid JSON"):
        open_package(pkg)


@pytest.mark.parametrize("bad", ["/etc/passwd", "../outside.csv", "data/../../x.csv", "~/x.csv",
                                 "https://example.org/x.csv", "C:/x.csv"])
def test_paths_leaving_the_package_are_refused(pkg, bad):
    desc = json.loads((pkg / "datapackage.json").read_text())
    desc["resources"][0]["path"] = bad
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    with pytest.raises(UnsafePathError, match="refused"):
        open_package(pkg)


def test_symlink_leading_out_is_refused(pkg, tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text("source_id\n")
    (pkg / "data" / "sources.csv").unlink()
    (pkg / "data" / "sources.csv").symlink_to(outside)
    with pytest.raises(UnsafePathError, match="outside the package"):
        open_package(pkg)


def test_missing_schema_file_is_a_package_error(pkg):
    (pkg / "schemas" / "actors.json").unlink()
    with pytest.raises(PackageError, match="schema file 'schemas/actors.json' does not exist"):
        open_package(pkg)


def test_descriptor_version_matches_library_version():
    import conflictdata

    desc = json.loads((ROOT / "datapackage.json").read_text())
    assert desc["version"] == conflictdata.__version__
