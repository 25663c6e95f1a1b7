"""The progress display: silent unless switched on, on its own console, never in stdout."""

from __future__ import annotations

import io
import json
import re

import pytest
from click.testing import CliRunner
from rich.console import Console

import conflictdata as cd
from conflictdata import feedback
from conflictdata.cli import cli
from conflictdata.package import locate

from .conftest import set_cell

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def terminal() -> tuple[Console, io.StringIO]:
    """A real rich console that believes it draws on a terminal, writing into a buffer."""
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=True, width=160, color_system=None), buffer


def drawn(buffer: io.StringIO) -> str:
    return ANSI.sub("", buffer.getvalue())


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_validate_under_cliruner_prints_no_progress(pkg):
    # CliRunner's stderr is not a terminal: the display stays off by itself.
    set_cell(pkg, "munitions", 2, "launched", "x")
    r = invoke("validate", pkg)
    assert r.exit_code == 1 and r.stderr == ""
    assert "validate munitions" not in r.output


def test_every_table_is_a_step_of_the_display(pkg):
    console, buffer = terminal()
    with feedback.shown(True, console=console):
        report = cd.validate(pkg)
    assert report.valid
    text = drawn(buffer)
    for name, resource in locate(pkg).resources.items():
        size = feedback.human_size((pkg / resource.path).stat().st_size)
        assert f"validate {name} ({size})" in text, name
    assert "validate pkg: " in text  # the whole run, table by table
    assert "rules across tables" in text  # the rules that count rows pointing at an event


def test_the_library_alone_draws_nothing(pkg, capsys):
    cd.validate(pkg)
    assert capsys.readouterr() == ("", "")


def test_quiet_switches_the_display_off_even_when_it_is_forced_on(pkg):
    console, buffer = terminal()
    with feedback.shown(True, console=console):
        r = invoke("validate", pkg, "--quiet")
    assert r.exit_code == 0 and drawn(buffer).strip() == ""
    with feedback.shown(True, console=console):
        r = invoke("validate", pkg)
    assert r.exit_code == 0 and "validate munitions" in drawn(buffer)


def test_json_on_stdout_is_never_taken_by_the_display(pkg):
    # rich routes stdout through the display's console (stderr) while bars are live, unless
    # told not to: JSON for a pipe or a file would then land on the terminal instead.
    set_cell(pkg, "munitions", 2, "launched", "x")
    console, buffer = terminal()
    with feedback.shown(True, console=console):
        r = invoke("validate", pkg, "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["valid"] is False and doc["summary"]["errors"] == 1
    assert "validate munitions" in drawn(buffer) and '"valid"' not in buffer.getvalue()


def test_github_annotations_on_stdout_hold_no_display(pkg):
    set_cell(pkg, "munitions", 2, "launched", "x")
    console, buffer = terminal()
    with feedback.shown(True, console=console):
        r = invoke("validate", pkg, "--format", "github")
    assert r.stdout and all(line.startswith("::") for line in r.stdout.splitlines())
    assert "::" not in buffer.getvalue()


def test_print_inside_a_step_stays_on_stdout(capsys):
    console, buffer = terminal()
    with feedback.shown(True, console=console):
        with feedback.task("work", total=2) as step:
            print('{"valid": true}')
            step.advance(2)
    assert capsys.readouterr().out == '{"valid": true}\n'
    assert "work" in drawn(buffer) and "valid" not in buffer.getvalue()


def test_the_display_is_cleared_when_the_last_step_ends():
    console, buffer = terminal()
    with feedback.shown(True, console=console):
        with feedback.task("outer"), feedback.task("inner"):
            assert console.is_terminal and feedback.showing()
        drawn_while_working = buffer.getvalue()
        with feedback.task("after"):
            pass
    assert "outer" in ANSI.sub("", drawn_while_working)
    # rich ends a transient display by erasing its lines: nothing of it stays on screen
    assert drawn_while_working.rstrip("\r").endswith("\x1b[?25h")


def test_a_step_without_a_total_shows_no_false_percentage():
    console, buffer = terminal()
    with feedback.shown(True, console=console), feedback.task("counting"):
        pass
    assert "counting" in drawn(buffer) and "0%" not in drawn(buffer)


def test_shown_false_silences_a_display_around_it():
    console, buffer = terminal()
    with feedback.shown(True, console=console):
        with feedback.shown(False) as on:
            assert on is False and not feedback.showing()
            with feedback.task("hidden"):
                pass
        with feedback.shown() as on:  # the default keeps the display around it
            assert on is True and feedback.showing()
    assert "hidden" not in drawn(buffer)


@pytest.mark.parametrize("nbytes, text", [(0, "0 bytes"), (999, "999 bytes"), (193_919_192, "193.9 MB")])
def test_human_size(nbytes, text):
    assert feedback.human_size(nbytes) == text


def test_tables_counts_with_a_step_and_its_lines_stay_on_stdout(pkg):
    plain = invoke("tables", pkg).stdout
    console, buffer = terminal()
    with feedback.shown(True, console=console):
        r = invoke("tables", pkg)
    assert r.exit_code == 0 and r.stdout == plain and r.stderr == ""
    assert "count the rows of pkg" in drawn(buffer)
    assert not [line for line in plain.splitlines() if line in drawn(buffer)]  # the listing is stdout's alone
