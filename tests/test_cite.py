"""Citation: CITATION.cff valid per the CFF 1.2.0 schema and in step with datapackage.json; `cite`."""

import copy
import json

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from conflictdata.cite import Citation, citation, read_cff
from conflictdata.cli import cli

from .conftest import FIXTURES, ROOT

CFF_SCHEMA = json.loads((FIXTURES / "cff" / "schema-1.2.0.json").read_text(encoding="utf-8"))
DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
HASH = "sha256:" + "ab" * 32


def cff():
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def cff_errors(data) -> list[str]:
    # YAML reads an unquoted date as a date; CFF's JSON Schema expects the ISO text, as the file has it
    data = json.loads(json.dumps(data, default=str))
    validator = jsonschema.Draft7Validator(CFF_SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return [e.message for e in validator.iter_errors(data)]


def test_citation_cff_is_valid_per_the_cff_1_2_0_schema():
    assert CFF_SCHEMA["$id"] == "https://citation-file-format.github.io/1.2.0/schema.json"
    assert cff_errors(cff()) == []


@pytest.mark.parametrize("breakage", ["no authors", "bad licence", "unknown key", "bad type"])
def test_the_schema_check_catches_a_broken_citation_file(breakage):
    data = copy.deepcopy(cff())
    if breakage == "no authors":
        del data["authors"]
    elif breakage == "bad licence":
        data["license"] = "CC-BY-4"
    elif breakage == "unknown key":
        data["doi-ish"] = "x"
    else:
        data["type"] = "data"
    assert cff_errors(data)


def test_citation_cff_agrees_with_datapackage_json():
    data = cff()
    assert data["title"] == DESCRIPTOR["title"]
    assert str(data["version"]) == DESCRIPTOR["version"]
    assert data["license"] == DESCRIPTOR["licenses"][0]["name"]
    assert data["keywords"] == DESCRIPTOR["keywords"]
    assert data["abstract"] == DESCRIPTOR["description"]
    assert [a["name"] for a in data["authors"]] == [c["title"] for c in DESCRIPTOR["contributors"]
                                                     if c["role"] == "author"]
    assert data["type"] == "dataset"


def test_datapackage_json_has_what_a_citation_and_a_catalogue_need():
    for key in ("title", "description", "version", "licenses", "contributors", "sources", "keywords"):
        assert DESCRIPTOR.get(key), key
    assert all(lic.get("name") and lic.get("path") for lic in DESCRIPTOR["licenses"])


def test_the_installed_version_is_cited_from_the_descriptor_and_the_cff():
    c = citation(registry={})
    assert (c.title, c.version, c.licence) == (DESCRIPTOR["title"], DESCRIPTOR["version"], "CC-BY-4.0")
    assert c.authors == ("conflictdata contributors",) and not c.published and c.sha256 is None
    assert c.url == read_cff()["repository-code"]
    text = c.render("text")
    assert text.startswith("conflictdata contributors. conflictdata: curated")
    assert f"version {DESCRIPTOR['version']} [data set]" in text and "Licence: CC-BY-4.0." in text


def test_a_published_version_is_cited_with_its_release_and_checksum():
    c = citation("1.2.0", registry={"1.2.0": HASH})
    assert c.published and c.sha256 == "ab" * 32
    assert c.url == "https://github.com/conflictdata/conflictdata/releases/tag/1.2.0"
    assert f"datapackage.json sha256:{'ab' * 32}." in c.render()


def parse_entry(text: str):
    """The one entry of ``text``, as pybtex (a real BibTeX parser) reads it."""
    from pybtex.database import parse_string

    data = parse_string(text, "bibtex")
    assert len(data.entries) == 1
    return next(iter(data.entries.values()))


def test_bibtex_parses_and_keeps_version_year_and_checksum(tmp_path):
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    file = tmp_path / "CITATION.cff"
    file.write_text(text.replace('version: "0.1.0"', "version: 1.2.0\ndate-released: 2025-01-31"))
    entry = parse_entry(citation("1.2.0", cff=file, registry={"1.2.0": HASH}).render("bibtex"))
    assert entry.type == "misc" and entry.key == "conflictdata_1_2_0"
    assert [str(p) for p in entry.persons["author"]] == ["{conflictdata contributors}"]  # one organisation
    assert entry.fields["version"] == "1.2.0" and entry.fields["year"] == "2025"
    # plain and apalike print no version or url of a @misc: the note, which they print, has the version
    assert entry.fields["note"].startswith("Version 1.2.0. Data set. Licence: CC-BY-4.0")
    assert "ab" * 32 in entry.fields["note"]
    assert entry.fields["url"] == "https://github.com/conflictdata/conflictdata/releases/tag/1.2.0"
    assert entry.fields["title"] == "{" + DESCRIPTOR["title"] + "}"


def test_biblatex_is_a_dataset_with_version_and_date(tmp_path):
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    file = tmp_path / "CITATION.cff"
    file.write_text(text.replace('version: "0.1.0"', "version: 1.2.0\ndate-released: 2025-01-31"))
    entry = parse_entry(citation("1.2.0", cff=file, registry={"1.2.0": HASH}).render("biblatex"))
    assert entry.type == "dataset"
    assert entry.fields["version"] == "1.2.0" and entry.fields["date"] == "2025-01-31"
    assert "year" not in entry.fields


UNSAFE = "Counts & claims: 100% of #1_a {x ~^ $5 \\relax"  # a lone brace too


def test_bibtex_escapes_what_tex_would_read_in_titles_and_names():
    c = Citation(UNSAFE, "1.0.0", ("A {B} & C", "D and E"), "CC-BY-4.0", "https://x.org/a_b%20c?q={1}", True)
    for fmt in ("bibtex", "biblatex"):
        entry = parse_entry(c.render(fmt))
        assert entry.fields["title"] == ("{Counts \\& claims: 100\\% of \\#1\\_a \\textbraceleft{}x "
                                         "\\textasciitilde{}\\textasciicircum{} \\$5 \\textbackslash{}relax}")
        # "D and E" is one name, not two people: every name is braced whole
        names = ["{A \\textbraceleft{}B\\textbraceright{} \\& C}", "{D and E}"]
        assert [str(p) for p in entry.persons["author"]] == names
        assert entry.fields["url"] == "https://x.org/a_b%20c?q=%7B1%7D"  # a URL stays a URL: no TeX escapes


def test_a_pre_release_gets_a_key_bibtex_accepts():
    entry = parse_entry(Citation("T", "2.0.0-rc.1", ("x",), "L", "https://x.org", False).render("bibtex"))
    assert entry.key == "conflictdata_2_0_0_rc_1" and entry.fields["version"] == "2.0.0-rc.1"


def test_the_year_comes_from_the_changelog_of_a_checkout(pkg):
    from conflictdata.cite import released_on
    from conflictdata.package import open_package

    (pkg / "CHANGELOG.md").write_text("# Changelog\n\n## [Unreleased]\n\n## [1.2.0] - 2026-11-30\n\n- x\n")
    package = open_package(pkg)
    assert released_on("1.2.0", {}, package).isoformat() == "2026-11-30"
    assert released_on("1.1.0", {}, package) is None  # not dated anywhere: no year, none made up


def test_a_year_comes_only_from_a_dated_cff_of_the_same_version(tmp_path):
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    file = tmp_path / "CITATION.cff"
    file.write_text(text.replace('version: "0.1.0"', "version: 1.2.0\ndate-released: 2025-01-31"))
    assert cff_errors(yaml.safe_load(file.read_text())) == []
    assert citation("1.2.0", cff=file, registry={"1.2.0": HASH}).year == 2025
    assert citation(cff=file, registry={"1.2.0": HASH}).year is None  # the installed version is not 1.2.0
    assert "conflictdata contributors (2025). " in citation("1.2.0", cff=file, registry={"1.2.0": HASH}).render()


def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env)


def test_cli_cite_text_and_bibtex(tmp_path):
    r = run("cite")
    assert r.exit_code == 0
    assert r.stdout.strip() == citation(registry={}).render()
    assert "not a published release" in r.stderr
    registry = tmp_path / "registry.json"
    registry.write_text(json.dumps({"versions": {"1.2.0": HASH}}))
    r = run("cite", "--version", "1.2.0", "--format", "bibtex", env={"CONFLICTDATA_REGISTRY": str(registry)})
    assert r.exit_code == 0 and r.stderr == ""
    assert parse_entry(r.stdout).fields["version"] == "1.2.0"


def test_cli_cite_an_unknown_version_is_one_line_and_exit_2(tmp_path):
    registry = tmp_path / "registry.json"
    registry.write_text(json.dumps({"versions": {"1.2.0": HASH}}))
    r = run("cite", "--version", "9.9.9", env={"CONFLICTDATA_REGISTRY": str(registry)})
    assert r.exit_code == 2
    assert r.output.strip() == ("error: 9.9.9 is not a published version of conflictdata (published: 1.2.0; "
                                f"installed: {DESCRIPTOR['version']})")
    r = run("cite", "--version", "v1")
    assert r.exit_code == 2 and "Traceback" not in r.output
