"""The Pandera schemas carry the same rules as the fast engine: same faults, same lines."""

import pytest
from click.testing import CliRunner

from conflictdata.cli import cli
from conflictdata.package import open_package
from conflictdata.validation import validate_package
from conflictdata.validation.pandera_schemas import pandera_schema, validate_with_pandera
from conflictdata.validation.rules import RULES

from .conftest import line_of, set_cell

BREAKS = {
    "outcome": [("munitions", "claim_id", "dw-2024-10-08-overnight-iskander-m-launched", "intercepted", "3")],
    "bounds": [("casualty_reports", "report_id", "dw-2024-10-08-odesa-port-ship-strike", "killed_high", "0")],
    "order": [("casualty_reports", "event_start", "2024-10-03", "event_end", "2024-10-01")],
    "future": [("casualty_reports", "event_start", "2024-10-03", "event_start", "2999-01-01")],
    "cycle": [("places", "place_id", "ukraine", "parent_id", "odesa")],
    "text": [("actors", "actor_id", "dw", "notes", " =1+1")],
    "constraints": [("munitions", "claim_id", "dw-2024-10-08-overnight-drones-launched", "window_precision", "week"),
                    ("places", "place_id", "odesa", "latitude", "91"),
                    ("actors", "actor_id", "dw", "country", "Germany")],
    "warning": [("munitions", "claim_id", "dw-2024-10-08-overnight-drones-launched", "quote", "")],
}


def key(report):
    return sorted((f.code, f.resource, f.row, f.field, f.severity) for f in report.faults)


def test_every_rule_target_is_a_pandera_check():
    schema = pandera_schema("munitions")
    names = {c.name.split(":")[0] for c in schema.checks}
    assert {r.code for r in RULES if "munitions" in r.tables or r.tables == "any table"} <= names


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_both_engines_find_the_same_faults(pkg, case):
    for table, key_field, key_value, field, value in BREAKS[case]:
        set_cell(pkg, table, line_of(pkg, table, key_field, key_value), field, value)
    package = open_package(pkg)
    fast, slow = validate_package(package), validate_with_pandera(package)
    assert fast.faults, "the break was not found at all"
    assert key(fast) == key(slow)


def test_engines_agree_on_the_shipped_package(pkg):
    assert validate_with_pandera(open_package(pkg)).valid


def test_cli_engine_option(pkg):
    set_cell(pkg, "places", line_of(pkg, "places", "place_id", "odesa"), "latitude", "-91")
    r = CliRunner().invoke(cli, ["validate", str(pkg), "--engine", "pandera", "--format", "github"])
    assert r.exit_code == 1 and "title=constraint-minimum" in r.output
