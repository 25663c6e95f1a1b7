"""Hostile Table Schemas and descriptors, and schemas weakened by a pull request (issue 12).

A schema this library cannot apply is one line on stderr naming the schema file, the line, the
field and what is wrong, exit code 2, never a traceback; with ``--format json`` stdout still
gets one JSON object. ``validate --base`` reports every rule a schema lost against the base.

Each malformed fixture under ``tests/data/hostile/schemas/`` is ``schemas/actors.json`` with one
defect. The last column of ``CASES`` is frictionless-py's verdict on the same schema
(``Schema.validate_descriptor``): "refuses" where the reference validator refuses it too (we
agree); "accepts" where it takes the schema and we are stricter, for the reason in the comment.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil

import pytest
from click.testing import CliRunner

from conflictdata.cli import cli
from conflictdata.errors import PackageError
from conflictdata.package import open_package

from .conftest import FIXTURES, ROOT, copy_package

SCHEMAS = FIXTURES / "hostile" / "schemas"

# fixture, text on the line the error must name, what the message must say, frictionless's verdict
CASES = [
    # Patterns: frictionless takes the descriptor and fails only when it reads the data (or
    # never, for the ones Python compiles); ours must compile for Python re and Rust regex both.
    ("pattern-unclosed", '"pattern": "[a-z0-9"', r"field 'actor_id': constraints\.pattern .*Python", "accepts"),
    ("pattern-lookbehind", '"pattern": "(?<=X)', r"field 'country': constraints\.pattern .*Polars.*look-around",
     "accepts"),
    ("pattern-backreference", '"pattern": "([A-Z])', r"field 'country': constraints\.pattern .*backreferences",
     "accepts"),
    ("pattern-rust-only", '"pattern": "\\\\pL+"', r"field 'name': constraints\.pattern .*Python.*bad escape",
     "accepts"),
    ("pattern-nested-set", '"pattern": "[[:alpha:] ]+"', r"field 'name': constraints\.pattern .*differently",
     "accepts"),
    ("pattern-not-text", '"pattern": 3', r"field 'country': constraints\.pattern must be text", "refuses"),
    ("pattern-on-integer", '"pattern": "[0-9]+"', r"field 'strength': constraints\.pattern does not apply to "
     r"integer", "refuses"),
    # Lengths and bounds.
    ("min-length-text", '"minLength": "3"', r"field 'name': constraints\.minLength must be a whole number.*'3'",
     "refuses"),
    ("max-length-text", '"maxLength": "300"', r"field 'name': constraints\.maxLength must be a whole number",
     "refuses"),
    # A negative length admits nothing (min) or everything is too long (max): a typo.
    ("max-length-negative", '"maxLength": -1', r"field 'name': constraints\.maxLength must be .*0 or more",
     "accepts"),
    ("max-length-fraction", '"maxLength": 2.5', r"field 'name': constraints\.maxLength must be a whole number",
     "refuses"),
    ("min-length-boolean", '"minLength": true', r"field 'name': constraints\.minLength must be a whole number.*true",
     "refuses"),
    ("min-length-on-integer", '"minLength": 1', r"field 'strength': constraints\.minLength does not apply",
     "refuses"),
    # No value can satisfy both: frictionless flags every row, we refuse the schema.
    ("min-above-max-length", '"minLength": 400', r"field 'name': constraints\.minLength 400 is above "
     r"constraints\.maxLength 300", "accepts"),
    # frictionless reads a bound given as text with the field's type; our engine compares it as
    # given, so a bound must be a JSON number.
    ("minimum-text", '"minimum": "0"', r"field 'strength': constraints\.minimum must be a whole number.*'0'",
     "accepts"),
    ("maximum-text", '"maximum": "1.5"', r"field 'share': constraints\.maximum must be a number", "accepts"),
    ("minimum-fraction-on-integer", '"minimum": 0.5', r"field 'strength': constraints\.minimum must be a whole "
     r"number", "accepts"),
    ("minimum-boolean", '"minimum": false', r"field 'strength': constraints\.minimum must be a whole number",
     "accepts"),
    ("minimum-on-string", '"minimum": 1', r"field 'name': constraints\.minimum does not apply to string", "refuses"),
    # frictionless bounds dates; this library's engine bounds only integers and numbers.
    ("minimum-on-date", '"minimum": "1900-01-01"', r"field 'founded': constraints\.minimum does not apply to date",
     "accepts"),
    ("minimum-above-maximum", '"minimum": 10', r"field 'strength': constraints\.minimum 10 is above "
     r"constraints\.maximum 1", "accepts"),
    # Enums.
    ("enum-text", '"enum": "state"', r"field 'kind': constraints\.enum must be a list", "refuses"),
    ("enum-empty", '"enum": []', r"field 'kind': constraints\.enum .*empty", "accepts"),
    # A Polars Enum cannot hold a value twice (it was an internal error).
    ("enum-repeated", '"enum": [', r"field 'kind': constraints\.enum lists 'state' twice", "accepts"),
    ("enum-numbers-on-string", '  2\n', r"field 'kind': constraints\.enum\[1\] is 2, not text", "accepts"),
    ("enum-text-on-integer", '"1"', r"field 'strength': constraints\.enum\[0\] is '1', not a whole number",
     "accepts"),
    ("enum-bad-date", '"24/08/1991"', r"field 'founded': constraints\.enum\[1\] is '24/08/1991', not a date",
     "accepts"),
    # Our engine compares enum values as text: true would never equal the cell 'true'.
    ("enum-on-boolean", '"enum": [\n          true', r"field 'active': constraints\.enum does not apply to boolean",
     "accepts"),
    # required and unique.
    ("required-text", '"required": "yes"', r"field 'name': constraints\.required must be true or false", "refuses"),
    ("required-null", '"required": null', r"field 'name': constraints\.required must be true or false", "refuses"),
    ("unique-number", '"unique": 1', r"field 'actor_id': constraints\.unique must be true or false", "refuses"),
    ("required-outside-constraints", '"required": true', r"field 'notes': 'required' belongs in 'constraints'",
     "refuses"),
    ("constraint-misspelt", '"requried": true', r"field 'name': constraints\.requried is not a constraint",
     "refuses"),
    ("constraint-exclusive", '"exclusiveMinimum": 0', r"field 'strength': constraints\.exclusiveMinimum is not "
     r"supported", "refuses"),
    ("constraints-list", '"constraints": []', r"field 'notes': 'constraints' must be an object", "refuses"),
    # Fields.
    ("field-twice", '"name": "name"', r"field 'name' is listed twice", "refuses"),
    # The names of the columns the validator adds (line numbers, context) start with '__'.
    ("field-name-reserved", '"name": "__line__"',
     r"fields\[6\]: the name '__line__' starts with '__', which is reserved", "accepts"),
    ("field-name-context", '"name": "__update_date"', r"fields\[6\]: the name '__update_date' starts with '__'",
     "accepts"),
    # A control character in a header is invisible in a spreadsheet, and marks internal columns.
    ("field-name-control", '"name": "note\\u001ftext"', r"fields\[6\]: the name .* control character", "accepts"),
    ("field-name-number", '"name": 7', r"fields\[6\]: 'name' must be non-empty text", "refuses"),
    ("field-not-object", '"notes"\n', r"fields\[6\] must be an object", "refuses"),
    ("type-unknown", '"type": "geopoint"', r"field 'notes': type 'geopoint' is not supported", "refuses"),
    ("type-not-text", '"type": [', r"field 'notes': type \['string'\] is not supported", "refuses"),
    # The validator parses dates in the default format only.
    ("format-on-date", '"format": "%d/%m/%Y"', r"field 'founded': format '%d/%m/%Y' is not supported", "accepts"),
    ("format-not-text", '"format": 1', r"field 'notes': format 1 is not supported", "refuses"),
    ("description-not-text", '"description": [', r"field 'notes': 'description' must be text", "refuses"),
    # Number parsing options the engine does not apply: every cell would read differently.
    ("decimal-char", '"decimalChar": ","', r"field 'share': 'decimalChar' is not supported", "accepts"),
    ("field-missing-values", '"missingValues": [\n        "n/a"',
     r"field 'notes': 'missingValues' on a text field is not supported", "accepts"),
    ("true-values-text", '"trueValues": "yes"', r"field 'active': 'trueValues' must be a list of text", "refuses"),
    ("true-values-numbers", '"trueValues": [', r"field 'active': 'trueValues' must be a list of text", "refuses"),
    # A cell that is both true and false.
    ("true-and-false-values", '"falseValues": [', r"field 'active': '1' is in both 'trueValues' and 'falseValues'",
     "accepts"),
    ("fields-empty", '"fields": []', r"the schema must have a non-empty 'fields' list", "refuses"),
    ("fields-object", '"fields": {', r"the schema must have a non-empty 'fields' list", "refuses"),
    ("schema-list", '"fields": "x"', r"the schema must have a non-empty 'fields' list", "refuses"),
    # Keys.
    ("primary-key-number", '"primaryKey": 3', r"primaryKey must be a field name or a list of field names", "refuses"),
    ("primary-key-numbers", '"primaryKey": [', r"primaryKey must be a field name or a list of field names",
     "refuses"),
    ("primary-key-object", '"primaryKey": {', r"primaryKey must be a field name or a list of field names",
     "refuses"),
    ("primary-key-unknown", '"primaryKey": [', r"primaryKey: 'actor' is not a field of the schema", "refuses"),
    ("primary-key-repeated", '"primaryKey": [', r"primaryKey lists 'actor_id' twice", "accepts"),
    ("foreign-keys-object", '"foreignKeys": {', r"foreignKeys must be a list", "refuses"),
    ("foreign-key-text", '"parent_id"\n', r"foreignKeys\[0\] must be an object with 'fields' and 'reference'",
     "refuses"),
    ("foreign-key-fields-number", '"fields": 3', r"foreignKeys\[0\]\.fields must be a field name or a list",
     "refuses"),
    ("foreign-key-fields-empty", '"fields": []', r"foreignKeys\[0\]\.fields must be a field name or a list",
     "refuses"),
    ("foreign-key-lengths", '"fields": [\n          "actor_id",',
     r"foreignKeys\[0\]: 1 field \(parent_id\) but 2 reference fields", "refuses"),
    ("foreign-key-unknown-field", '"fields": [\n        "parent"', r"foreignKeys\[0\]\.fields: 'parent' is not a field",
     "refuses"),
    # frictionless reports a foreign-key error on every row; the reference cannot be checked at all.
    ("foreign-key-unknown-reference-field", '"fields": [\n          "actor"',
     r"foreignKeys\[0\]\.reference\.fields: 'actor' is not a field of the table 'actors'", "accepts"),
    ("foreign-key-other-table-field", '"fields": [\n          "country_code"', r"foreignKeys\[1\]\.reference\.fields: "
     r"'country_code' is not a field of the table 'places'", "accepts"),
    ("foreign-key-no-reference", '{\n      "fields": [\n        "parent_id"\n      ]\n    }',
     r"foreignKeys\[0\] must be an object with 'fields' and 'reference'", "refuses"),
    # frictionless-py raises AttributeError on this one.
    ("foreign-key-reference-text", '"reference": "actors"', r"foreignKeys\[0\]\.reference must be an object",
     "crashes"),
    ("foreign-key-resource-number", '"resource": 3', r"foreignKeys\[0\]\.reference\.resource must be a table name",
     "refuses"),
    ("foreign-key-reference-fields-number", '"fields": [\n          1', r"foreignKeys\[0\]\.reference\.fields must "
     r"be a field name or a list", "refuses"),
    ("missing-values-text", '"missingValues": ""', r"'missingValues' must be a list of text", "refuses"),
    ("missing-values-numbers", '"missingValues": [', r"'missingValues' must be a list of text", "refuses"),
    # Reading JSON: Python's json reads NaN; it is not JSON.
    ("not-a-number", '"maxLength": NaN', r"not valid JSON: NaN is not a JSON value", "refuses"),
    # json reads a lone surrogate escape into a str that cannot be printed (an internal error).
    ("lone-surrogate", '"offici\\ud800al"', r"lone surrogate \\ud800 in 'offici\\ud800al'", "accepts"),
    # json.loads keeps the last of two keys: the empty object would silently drop every constraint.
    ("constraints-twice", '"constraints": {}', r"the key 'constraints' appears twice in fields\[0\]", "accepts"),
]
assert len({c[0] for c in CASES}) == len(CASES)
assert {c[0] for c in CASES} | {"foreign-key-unknown-table"} == {p.stem for p in SCHEMAS.glob("*.json")}


def invoke(*args):
    r = CliRunner().invoke(cli, list(args))
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.output
    return r


def one_error_line(r) -> str:
    """The one line a refused package gives on stderr (exit 2), without the 'error: ' prefix."""
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert "internal error" not in lines[0]
    return lines[0].removeprefix("error: ")


def line_of(text: str, needle: str) -> int:
    """The line on which the last ``needle`` in ``text`` starts."""
    assert needle in text, needle
    return text[:text.rindex(needle)].count("\n") + 1


@pytest.mark.parametrize("fixture, needle, message, frictionless", CASES, ids=[c[0] for c in CASES])
def test_a_malformed_schema_is_one_line_naming_file_line_and_field(pkg, fixture, needle, message, frictionless):
    text = (SCHEMAS / f"{fixture}.json").read_text(encoding="utf-8")
    shutil.copy(SCHEMAS / f"{fixture}.json", pkg / "schemas" / "actors.json")
    error = one_error_line(invoke("validate", str(pkg)))
    assert f"schemas{os.sep}actors.json:{line_of(text, needle)}: " in error, error
    assert re.search(message, error), error
    with pytest.raises(PackageError):
        open_package(pkg)
    # Programs get one JSON object on stdout, and the same line on stderr.
    r = invoke("validate", str(pkg), "--format", "json")
    assert one_error_line(r) == error
    assert json.loads(r.stdout) == {"valid": False, "error": {"code": "package-invalid", "message": error}}


@pytest.mark.parametrize("fixture, frictionless", [(c[0], c[3]) for c in CASES], ids=[c[0] for c in CASES])
def test_what_frictionless_says_of_each_malformed_schema(fixture, frictionless):
    from frictionless import Schema

    descriptor = json.loads((SCHEMAS / f"{fixture}.json").read_text(encoding="utf-8"))
    try:
        verdict = "accepts" if Schema.validate_descriptor(descriptor).valid else "refuses"
    except Exception:  # noqa: BLE001 - a crash of the reference validator is its verdict here
        verdict = "crashes"
    assert verdict == frictionless


def test_frictionless_fails_on_the_data_of_an_unclosed_pattern_too(pkg):
    from frictionless import Package

    shutil.copy(SCHEMAS / "pattern-unclosed.json", pkg / "schemas" / "actors.json")
    try:
        valid = Package(str(pkg / "datapackage.json")).validate().valid
    except Exception:  # noqa: BLE001
        valid = False
    assert not valid


def test_a_foreign_key_into_a_missing_table_is_a_fault_on_the_rows_as_in_frictionless(pkg):
    from frictionless import Schema

    fixture = SCHEMAS / "foreign-key-unknown-table.json"
    assert Schema.validate_descriptor(json.loads(fixture.read_text(encoding="utf-8"))).valid
    shutil.copy(fixture, pkg / "schemas" / "actors.json")
    r = invoke("validate", str(pkg), "--format", "json")
    assert r.exit_code == 1
    faults = [e for e in json.loads(r.stdout)["errors"] if e["code"] == "foreign-key"]
    assert faults and all("'countries'" in e["message"] and e["field"] == "country" for e in faults)


def test_an_inline_schema_is_named_by_the_descriptor_line(pkg):
    desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    schema = json.loads((pkg / "schemas" / "actors.json").read_text(encoding="utf-8"))
    schema["fields"][1]["constraints"]["maxLength"] = "300"
    desc["resources"][2]["schema"] = schema
    text = json.dumps(desc, indent=2)
    (pkg / "datapackage.json").write_text(text, encoding="utf-8")
    error = one_error_line(invoke("validate", str(pkg)))
    line = line_of(text, '"maxLength": "300"')
    assert f"datapackage.json:{line}: resources[2] (actors) schema: field 'name': constraints.maxLength must be " \
           "a whole number" in error


def test_a_resource_name_with_a_line_break_is_refused_in_one_line(pkg):
    desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    desc["resources"][0]["name"] = "sources\nINVALID"
    (pkg / "datapackage.json").write_text(json.dumps(desc, indent=2), encoding="utf-8")
    assert "the resource name 'sources\\nINVALID' holds a control character" in one_error_line(invoke("validate",
                                                                                                      str(pkg)))


def test_the_shipped_schemas_pass_the_checks():
    package = open_package(ROOT)
    listed = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["resources"]
    assert list(package.resources) == [r["name"] for r in listed]


@pytest.mark.parametrize("field, change, message", [
    ("window_start", {"timeZone": "Mars/Olympus_Mons"}, "'timeZone' 'Mars/Olympus_Mons' is not a time zone"),
    ("window_start", {"timeZone": 3}, "'timeZone' must be an IANA zone name"),
    ("launched", {"timeZone": "Europe/Kyiv"}, "'timeZone' applies to datetime fields only"),
    ("event_link", {"qualifies": "no_such_field"}, "qualifies must name another field of the schema"),
    ("event_link", {"qualifies": "event_link"}, "qualifies must name another field of the schema"),
])
def test_a_bad_time_zone_or_qualifier_is_refused_naming_schema_line_and_field(pkg, field, change, message):
    text = edit_schema(pkg, "munitions", lambda s: field_of(s, field).update(change))
    error = one_error_line(invoke("validate", str(pkg)))
    at = text.index(f'"name": "{field}"')  # the changed key is the first of its kind after the field's name
    line = text[:text.index(f'"{next(iter(change))}"', at)].count("\n") + 1
    assert f"schemas/munitions.json:{line}: field {field!r}: " in error, error
    assert message in error


# --- the JSON itself: duplicate keys, depth, non-regular files -------------------------------

def test_a_duplicate_key_in_the_descriptor_names_file_line_and_key(pkg):
    text = (pkg / "datapackage.json").read_text(encoding="utf-8")
    # A second "schema" key for the sources table: the first would be silently ignored.
    old = '"schema": "schemas/sources.json",'
    assert text.count(old) == 1
    text = text.replace(old, old + ' "schema": {"fields": [{"name": "source_id"}]},')
    (pkg / "datapackage.json").write_text(text, encoding="utf-8")
    error = one_error_line(invoke("validate", str(pkg)))
    assert f"datapackage.json:{line_of(text, old)}: " in error
    assert "the key 'schema' appears twice in resources[0]" in error


def test_a_duplicate_key_at_the_top_of_a_schema(pkg):
    path = pkg / "schemas" / "places.json"
    text = path.read_text(encoding="utf-8").rstrip()
    assert text.endswith("}")
    text = text[:-1].rstrip() + ',\n  "foreignKeys": []\n}\n'
    path.write_text(text, encoding="utf-8")
    error = one_error_line(invoke("validate", str(pkg)))
    line = line_of(text, '"foreignKeys": []')
    assert f"places.json:{line}: " in error
    assert "the key 'foreignKeys' appears twice at the top of the Table Schema" in error


@pytest.mark.parametrize("depth", [40, 100_000])
def test_deeply_nested_json_is_refused_not_a_recursion_error(pkg, depth):
    schema = json.loads((pkg / "schemas" / "actors.json").read_text(encoding="utf-8"))
    schema["fields"][5]["description"] = "@"
    text = json.dumps(schema, indent=2).replace('"@"', "[" * depth + "]" * depth)
    (pkg / "schemas" / "actors.json").write_text(text, encoding="utf-8")
    error = one_error_line(invoke("validate", str(pkg)))
    assert f"actors.json:{line_of(text, '[[')}: " in error and "nested more than 32 levels deep" in error


def test_a_deep_descriptor_is_refused(pkg):
    desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    desc["sources"] = "@"
    text = json.dumps(desc, indent=2).replace('"@"', "[" * 5000 + "]" * 5000)
    (pkg / "datapackage.json").write_text(text, encoding="utf-8")
    error = one_error_line(invoke("validate", str(pkg)))
    assert "datapackage.json:" in error and "nested more than 32 levels deep" in error


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("name", ["schemas/actors.json", "datapackage.json"])
def test_a_fifo_for_a_schema_or_descriptor_is_refused_without_waiting(pkg, name):
    (pkg / name).unlink()
    os.mkfifo(pkg / name)
    error = one_error_line(invoke("validate", str(pkg)))
    assert "FIFO" in error and name.split("/")[-1] in error


def test_json_output_for_a_missing_package(tmp_path):
    r = invoke("validate", str(tmp_path / "nowhere"), "--format", "json")
    error = one_error_line(r)
    assert json.loads(r.stdout) == {"valid": False, "error": {"code": "package-invalid", "message": error}}


@pytest.mark.parametrize("args", [["--format", "json", "--max-errors", "0"], ["--format=json", "--engine", "x"]])
def test_json_output_for_a_usage_error(args):
    r = CliRunner().invoke(cli, ["validate", *args])
    assert r.exit_code == 2 and "Traceback" not in r.output
    error = json.loads(r.stdout)["error"]
    assert error["code"] == "usage-error" and "Invalid value" in error["message"]
    assert "Invalid value" in r.stderr


# --- weakened schemas: validate --base ----------------------------------------------------------

def edit_schema(package, table, change):
    path = package / "schemas" / f"{table}.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    change(schema)
    path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
    return path.read_text(encoding="utf-8")


def field_of(schema, name):
    return next(f for f in schema["fields"] if f["name"] == name)


def weakened(r):
    data = json.loads(r.stdout)
    return [e for e in data["errors"] if e["code"] == "schema-weakened"]


@pytest.fixture
def base(tmp_path):
    return copy_package(tmp_path / "base")


WEAKENINGS = [
    # table, change, field, what the message says, text on the line the fault points at
    ("actors", lambda s: field_of(s, "actor_id")["constraints"].pop("pattern"), "actor_id",
     r"lost its constraint pattern", '"name": "actor_id"'),
    ("actors", lambda s: field_of(s, "name")["constraints"].update(maxLength=3000), "name",
     r"maxLength loosened from 300 to 3000", '"maxLength": 3000'),
    ("munitions", lambda s: field_of(s, "launched")["constraints"].update(minimum=-1), "launched",
     r"minimum loosened from 0 to -1", '"minimum": -1'),
    ("actors", lambda s: field_of(s, "country")["constraints"].update(pattern="[A-Za-z]{2,3}"), "country",
     r"pattern changed from '\[A-Z\]\{3\}' to '\[A-Za-z\]\{2,3\}'", '"pattern": "[A-Za-z]{2,3}"'),
    ("actors", lambda s: field_of(s, "kind")["constraints"]["enum"].append("alien"), "kind",
     r"now also allows 'alien'", '"enum": ['),
    ("actors", lambda s: field_of(s, "name")["constraints"].pop("required"), "name",
     r"lost its constraint required", '"name": "name"'),
    ("actors", lambda s: field_of(s, "actor_id")["constraints"].update(unique=False), "actor_id",
     r"lost its constraint unique", '"unique": false'),
    ("actors", lambda s: s.pop("primaryKey"), None, r"primary key changed from \(actor_id\) to \(\)", None),
    ("actors", lambda s: s.pop("foreignKeys"), "parent_id", r"foreign key \(parent_id\) -> actors\.\(actor_id\) "
     r"removed", None),
    ("actors", lambda s: s.update(missingValues=["", "n/a"]), None, r"missing values changed", '"missingValues": ['),
    ("munitions", lambda s: s["claimKey"].append("quote"), None, r"claim key changed from \(update_id, .*quote\)",
     '"claimKey": ['),
    ("munitions", lambda s: s.pop("claimKey"), None, r"claim key changed from \(update_id, .*\) to \(\)", None),
    # A number takes every integer (and more).
    ("munitions", lambda s: field_of(s, "launched").update(type="number"), "launched",
     r"retyped from integer to number", '"name": "launched"'),
    ("actors", lambda s: s["fields"].remove(field_of(s, "notes")), "notes", r"field 'notes' removed", None),
]


@pytest.mark.parametrize("table, change, field, message, needle", WEAKENINGS,
                         ids=[f"{w[0]}-{w[3][:24]}" for w in WEAKENINGS])
def test_a_weakened_schema_is_a_fault_against_the_base(pkg, base, table, change, field, message, needle):
    text = edit_schema(pkg, table, change)
    r = invoke("validate", str(pkg), "--base", str(base), "--format", "json")
    assert r.exit_code == 1, r.output
    faults = weakened(r)
    assert len(faults) == 1, faults
    f = faults[0]
    assert (f["resource"], f["path"], f["field"], f["severity"]) == (table, f"schemas/{table}.json", field, "error")
    assert re.search(message, f["message"]), f["message"]
    assert f["row"] == (None if needle is None else line_of(text, needle))
    # Without --base nothing is compared (the weakened data may well be valid).
    assert not weakened(invoke("validate", str(pkg), "--format", "json"))


def test_a_removed_table_is_a_fault_on_the_descriptor(pkg, base):
    desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    desc["resources"] = [r for r in desc["resources"] if r["name"] != "casualty_reports"]
    (pkg / "datapackage.json").write_text(json.dumps(desc, indent=2), encoding="utf-8")
    r = invoke("validate", str(pkg), "--base", str(base), "--format", "github")
    assert r.exit_code == 1
    assert "::error file=datapackage.json,title=schema-weakened::the table 'casualty_reports' was removed" in r.stdout


def test_a_tighter_or_identical_schema_passes_against_the_base(pkg, base):
    r = invoke("validate", str(pkg), "--base", str(base))
    assert r.exit_code == 0, r.output
    edit_schema(pkg, "actors", lambda s: field_of(s, "notes")["constraints"].update(maxLength=1500))
    with open(pkg / "data" / "actors.csv", newline="", encoding="utf-8") as f:
        used = {row["kind"] for row in csv.DictReader(f)}
    kinds = field_of(json.loads((pkg / "schemas" / "actors.json").read_text(encoding="utf-8")), "kind")
    unused = next(k for k in kinds["constraints"]["enum"] if k not in used)  # dropping it leaves the data valid
    edit_schema(pkg, "actors", lambda s: field_of(s, "kind")["constraints"]["enum"].remove(unused))
    r = invoke("validate", str(pkg), "--base", str(base), "--format", "json")
    assert r.exit_code == 0, r.output
    assert not weakened(r)


def test_an_unreadable_base_is_exit_2_with_a_json_object(pkg, tmp_path):
    r = invoke("validate", str(pkg), "--base", str(tmp_path / "nowhere"), "--format", "json")
    error = one_error_line(r)
    assert "nowhere" in error
    assert json.loads(r.stdout)["error"]["code"] == "package-invalid"


def test_diff_reports_constraint_changes_too(pkg, base):
    from conflictdata.diff import diff

    edit_schema(pkg, "actors", lambda s: field_of(s, "name")["constraints"].pop("maxLength"))
    changes = [c for t in diff(base, pkg).tables for c in t.schema]
    assert [(c.table, c.kind, c.field, c.weakens) for c in changes] == [
        ("actors", "constraint-removed", "name", True)]


def test_the_workflow_gates_pull_requests_on_the_base_branch():
    yaml = pytest.importorskip("yaml")
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "validate.yml").read_text(encoding="utf-8"))
    assert flow["permissions"] == {"contents": "read"}
    job = flow["jobs"]["validate"]
    assert job["timeout-minutes"] <= 30
    on = flow.get("on", flow.get(True))  # YAML 1.1 reads a bare 'on' as true
    assert {"labeled", "unlabeled"} <= set(on["pull_request"]["types"])
    script = "\n".join(step.get("run", "") for step in job["steps"])
    assert 'git worktree add --detach "$RUNNER_TEMP/base" "$BASE_SHA"' in script
    assert '--base "$RUNNER_TEMP/base"' in script
