"""This package's own Table Schema properties: each concept declared once, in the schemas."""

import json

import pytest
from click.testing import CliRunner

from conflictdata.cli import cli


def edit_schema(pkg, table, change):
    path = pkg / "schemas" / f"{table}.json"
    schema = json.loads(path.read_text())
    change(schema)
    path.write_text(json.dumps(schema))


@pytest.mark.parametrize("table, prop, value, needle", [
    ("actors", "idFrom", "nickname", "idFrom must name a field"),
    ("actors", "idFrom", ["name"], "idFrom must name a field"),
    ("actors", "labelFields", ["name", "nickname"], "labelFields: 'nickname' is not a field"),
    ("sources", "identityFields", [], "identityFields must be a field name or a list"),
    ("munitions", "claimKey", ["update_id", "update_id"], "claimKey lists 'update_id' twice"),
])
def test_a_property_naming_no_field_is_refused_in_one_line(pkg, table, prop, value, needle):
    edit_schema(pkg, table, lambda s: s.update({prop: value}))
    r = CliRunner().invoke(cli, ["validate", str(pkg)])
    assert r.exit_code == 2 and needle in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_label_fields_are_what_a_claim_view_shows(pkg):
    pytest.importorskip("duckdb")
    from conflictdata import sql

    columns = sql.query("SELECT * FROM munitions_claims LIMIT 0", path=pkg).column_names
    assert "claimant_kind" in columns
    edit_schema(pkg, "actors", lambda s: s.update(labelFields=["name", "country"]))
    columns = sql.query("SELECT * FROM munitions_claims LIMIT 0", path=pkg).column_names
    assert "claimant_kind" not in columns and "claimant_name" in columns


def test_id_from_is_the_field_a_submitted_row_is_named_by():
    from conflictdata.submission import ids

    cells = {"name": "Oleh Kiper", "notes": "A governor"}
    assert ids.candidate("actors", cells, named_by="name", prefix=None, scope="", position=1) == "oleh-kiper"
    assert ids.candidate("actors", cells, named_by="notes", prefix=None, scope="", position=1) == "a-governor"


@pytest.mark.parametrize("identity, refused", [(None, True), ([], False)])
def test_identity_fields_find_a_source_submitted_again_without_url(pkg, identity, refused):
    """The DW seed has no url: its publisher, title and date (the schema's identityFields) say it is in."""
    pytest.importorskip("yaml")
    from conflictdata.submit import add

    from .conftest import ROOT

    if identity is not None:  # no identityFields: a source without a url is never the same document
        edit_schema(pkg, "sources", lambda s: s.pop("identityFields"))
    result = add([ROOT / "examples" / "submissions" / "dw-2024-10-08.yaml"], into=pkg, dry_run=True)
    codes = {f.code for f in result.files[0].report.faults}
    assert ("duplicate-source" in codes) is refused
