"""The catalogue of checks: one registry that every emitter refers to."""

import pytest
from click.testing import CliRunner

from conflictdata import catalogue
from conflictdata.cli import cli
from conflictdata.report import Fault
from conflictdata.validation.checks import all_checks
from conflictdata.validation.rules import RULES


def test_a_fault_needs_a_registered_code():
    with pytest.raises(KeyError, match="no-such-check"):
        Fault("sources", "data/sources.csv", 2, "url", "x", "no-such-check", "made up")


def test_a_code_is_registered_once():
    with pytest.raises(ValueError, match="registered twice"):
        catalogue.register(catalogue.Check("blank-row", "again"))


def test_every_rule_is_in_the_catalogue_as_semantic():
    for r in RULES:
        check = catalogue.get(r.code)
        assert (check.kind, check.severity, check.description) == ("semantic", r.severity, r.description)
        assert "any table" not in check.tables  # "any table" is no table name: it is the empty tuple


def test_rules_command_lists_every_code_once():
    out = CliRunner().invoke(cli, ["rules"]).output
    listed = [line.split()[0] for line in out.splitlines() if line.strip()]
    assert sorted(listed) == sorted(c.code for c in all_checks()) and len(set(listed)) == len(listed)
    assert {c.kind for c in all_checks()} == set(catalogue.KINDS)
