"""The curator's tools: event proposals of a dry run, "did you mean" for unknown ids, whole derived
catalog ids, and the compact template with its JSON Schema beside it from any folder.

Every submission here is test data written into the test's tmp folder (example.org urls, made-up
outlets); none of it is merged into data/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from click.testing import CliRunner

from conflictdata.cli import cli
from conflictdata.submission.propose import POINTS
from conflictdata.submit import check, propose_events

from .conftest import ROOT, copy_package

NIGHT = "2024-10-08-overnight-missile-and-drone-attack"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def snapshot(pkg: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((pkg / "data").glob("*.csv"))}


def submission(tag: str, updates: str, top: str = "") -> str:
    return f"""\
source:
  publisher: Example Outlet {tag}
  title: Overnight attack, another outlet's report {tag}
  url: https://example.org/test/{tag}
  kind: article
  published_date: 2024-10-08
{top}updates:
  - headline: Drones overnight {tag}
    summary: Synthetic test data, never merged into data/.
{updates}"""


NIGHT_CLAIM = """\
    munitions:
      - claimant_id: ukrainian-air-force
        attacker_id: russian-armed-forces
        munition_type_id: drone-type-not-stated
        window_start: 2024-10-07T00:00:00
        window_end: 2024-10-09T00:00:00
        window_precision: day
        target_place_id: odesa
        target_place_precision: within
        intercepted: 16
        certainty: asserted
        quote: air defence shot down 16 drones overnight
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- event proposals ----------------------------------------------------------------------------


def test_a_claim_about_the_dw_night_from_another_outlet_is_proposed_the_overnight_event_first(pkg, tmp_path):
    path = _write(tmp_path, "night.yaml", submission("night", NIGHT_CLAIM))
    before = snapshot(pkg)
    r = run("add", "--dry-run", path, "--into", pkg)
    assert r.exit_code == 0, r.output
    assert snapshot(pkg) == before  # proposes, never links: nothing written
    block = r.output.split("event proposals", 1)[1]
    line = next(x for x in block.splitlines() if x.startswith("claim munitions:"))
    claim_line = 1 + path.read_text().splitlines().index("      - claimant_id: ukrainian-air-force")
    assert f"({path} line {claim_line}): may belong to 1. {NIGHT} (windows overlap; same attacker side: russia; " \
           "same munition class: drone)" in line

    data = json.loads(run("add", "--dry-run", path, "--into", pkg, "--format", "json").output)
    (proposal,) = data["files"][0]["proposals"]
    ranked = [c["event_id"] for c in proposal["candidates"]]
    assert ranked[0] == NIGHT
    first = proposal["candidates"][0]
    assert first["score"] == POINTS["overlap"] + POINTS["side"] + POINTS["class"]
    # the events in Odesa come after it: their places hold the claim's, but they have no window
    assert "2024-10-08-fire-at-production-facility-in-odesa" in ranked[1:]
    port = next(c for c in proposal["candidates"] if c["event_id"] == "2024-10-08-missile-strike-on-ship-in-odesa-port")
    assert port["reasons"] == ["one place inside the other: odesa-port is in odesa", "same attacker side: russia"]
    # the donetsk event of 3 October shares nothing with the claim
    assert "2024-10-03-missile-attack-near-donetsk" not in ranked
    # the library call gives the same proposals, and the claim's event_id stays empty
    (same,) = propose_events([path], into=pkg)
    assert same.to_dict() == proposal and same.kind == "claim" and same.table == "munitions"
    assert snapshot(pkg) == before


def test_claims_with_a_link_or_outside_every_window_get_no_proposal(pkg, tmp_path):
    linked = NIGHT_CLAIM.replace("        window_start", f"        event_id: {NIGHT}\n"
                                 "        event_link: curator\n        notes: test\n        window_start", 1)
    # 5 and 6 October: after the Donetsk event (3 October), before the night; no place
    before = NIGHT_CLAIM.replace("window_start: 2024-10-07T00:00:00", "window_start: 2024-10-05T00:00:00").replace(
        "window_end: 2024-10-09T00:00:00", "window_end: 2024-10-07T00:00:00").replace(
        "        target_place_id: odesa\n        target_place_precision: within\n", "")
    for name, text in (("linked.yaml", linked), ("before.yaml", before)):
        path = _write(tmp_path, name, submission(name[:-5], text))
        result = check([path], into=pkg)
        assert result.valid, result.files[0].render()
        assert result.files[0].proposals == [], name  # a window ending where the night starts overlaps nothing


def test_date_ranges_are_inclusive_and_windows_half_open(pkg, tmp_path):
    """A casualty report's dates include their last day; the night's window excludes its end (9 October 00:00)."""
    def report(day: str) -> str:
        return f"""\
    casualty_reports:
      - claimant_id: oleh-kiper
        perpetrator_id: russia
        event_start: {day}
        event_end: {day}
        victim_group: civilian
        injured: 1
        certainty: asserted
        quote: one person was injured on {day}
"""
    on = check([_write(tmp_path, "on.yaml", submission("on", report("2024-10-08")))], into=pkg).files[0]
    after = check([_write(tmp_path, "after.yaml", submission("after", report("2024-10-09")))], into=pkg).files[0]
    assert on.valid and after.valid, on.render() + after.render()
    (proposal,) = on.proposals
    assert proposal.table == "casualty_reports" and proposal.candidates[0].event_id == NIGHT
    assert proposal.candidates[0].reasons == ("windows overlap", "same attacker side: russia")
    assert after.proposals == []


def test_a_new_event_is_compared_with_the_package_s_events(pkg, tmp_path):
    top = """\
events:
  - name: Overnight drone attack on Ukraine, another outlet's account
    kind: attack
    attacker_id: russian-armed-forces
    window_start: 2024-10-07T18:00:00
    window_end: 2024-10-08T06:00:00
    window_precision: hour
    identified_by: source
    description: Synthetic test event.
"""
    claim = NIGHT_CLAIM.replace("        window_start: 2024-10-07T00:00:00\n        window_end: 2024-10-09T00:00:00\n"
                                "        window_precision: day\n",
                                "        event_id: overnight-drone-attack-on-ukraine-another-outlets-account\n"
                                "        event_link: same-sentence\n")
    path = _write(tmp_path, "dup.yaml", submission("dup", claim, top))
    result = check([path], into=pkg)
    assert result.valid, result.files[0].render()
    (proposal,) = result.files[0].proposals  # the claim is linked: only the event is proposed about
    assert proposal.kind == "event" and proposal.line == 8
    assert proposal.candidates[0].event_id == NIGHT
    assert proposal.candidates[0].reasons == ("windows overlap", "same attacker side: russia",
                                              "same munition class: drone")
    assert "may duplicate 1. " + NIGHT in proposal.render()


def test_a_claim_may_be_proposed_an_event_of_its_own_file(pkg, tmp_path):
    top = """\
events:
  - name: Drone attack on Odesa, test
    kind: attack
    attacker_id: russia
    window_start: 2024-10-07T18:00:00
    window_end: 2024-10-08T06:00:00
    window_precision: hour
    place_id: odesa
    place_precision: within
    identified_by: source
    description: Synthetic test event.
"""
    linked = """\
      - claimant_id: oleh-kiper
        munition_type_id: drone-type-not-stated
        event_id: drone-attack-on-odesa-test
        event_link: same-sentence
        target_place_id: odesa
        target_place_precision: within
        launched: 3
        certainty: asserted
        quote: three drones attacked Odesa
"""
    path = _write(tmp_path, "own.yaml", submission("own", NIGHT_CLAIM + linked, top))
    result = check([path], into=pkg)
    assert result.valid, result.files[0].render()
    claim = next(p for p in result.files[0].proposals if p.kind == "claim")
    best = claim.candidates[0]
    assert (best.event_id, best.in_file) == ("drone-attack-on-odesa-test", True)
    assert best.reasons == ("windows overlap", "same place: odesa", "same attacker side: russia",
                            "same munition class: drone")
    assert [c.event_id for c in claim.candidates].index(NIGHT) == 1


# --- did you mean -------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "wrong", "right", "table"), [
    ("claimant_id", "ukrainian-airforce", "ukrainian-air-force", "actors"),
    ("target_place_id", "odesa-olbast", "odesa-oblast", "places"),
    ("munition_type_id", "drone-type-not-stat", "drone-type-not-stated", "munition_types"),
    ("event_id", "2024-10-08-overnight-missile-and-drone-atack", NIGHT, "events"),
])
def test_an_unknown_id_gets_did_you_mean_on_one_line(pkg, tmp_path, field, wrong, right, table):
    claim = NIGHT_CLAIM
    if field == "event_id":
        claim = claim.replace("        window_start", f"        event_id: {wrong}\n        event_link: curator\n"
                              "        notes: test\n        window_start", 1)
    else:
        claim = re.sub(rf"{field}: \S+", f"{field}: {wrong}", claim)
    path = _write(tmp_path, "typo.yaml", submission("typo", claim))
    r = run("add", "--dry-run", path, "--into", pkg)
    assert r.exit_code == 1
    (line,) = [x for x in r.output.splitlines() if "foreign-key" in x]
    number = 1 + next(i for i, x in enumerate(path.read_text().splitlines()) if wrong in x)
    assert line.startswith(f"{path}:{number}: error foreign-key [updates[0].munitions[0].{field}]: "
                           f"{field} {wrong!r} matches no")
    assert f"did you mean {right!r}" in line
    assert f"Otherwise write the id of an existing row or add the row under '{table}:' in this file" in line


def test_an_id_nothing_is_close_to_says_what_to_do_without_a_guess(pkg, tmp_path):
    path = _write(tmp_path, "far.yaml", submission("far", NIGHT_CLAIM.replace("ukrainian-air-force", "zzzz")))
    errors = json.loads(run("add", "--dry-run", path, "--into", pkg, "--format", "json").output)["files"][0]["errors"]
    (fault,) = [e for e in errors if e["code"] == "foreign-key"]
    assert "did you mean" not in fault["message"] and fault["value"] == "zzzz"
    assert fault["message"].endswith("; write the id of an existing row or add the row under 'actors:' in this file")


# --- ids ----------------------------------------------------------------------------------------


def test_a_derived_event_id_is_the_whole_slug_a_curator_writes(pkg, tmp_path):
    name = "Overnight drone attack on the port of Odesa, 8 to 9 October 2024, as another outlet reports"
    whole = "overnight-drone-attack-on-the-port-of-odesa-8-to-9-october-2024-as-another-outlet-reports"
    top = f"""\
events:
  - name: {name}
    kind: attack
    identified_by: source
    description: Synthetic test event.
"""
    claim = NIGHT_CLAIM.replace("        window_start: 2024-10-07T00:00:00\n        window_end: 2024-10-09T00:00:00\n"
                                "        window_precision: day\n",
                                f"        event_id: {whole}\n        event_link: same-sentence\n")
    path = _write(tmp_path, "long.yaml", submission("long", claim, top))
    data = json.loads(run("add", "--dry-run", path, "--into", pkg, "--format", "json").output)
    assert data["valid"], data["files"][0]["errors"]
    assert data["files"][0]["rows"]["events"] == [whole]


# --- the template -------------------------------------------------------------------------------


def _schema_of(text: str, folder: Path) -> Path:
    first = text.splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    ref = first.split("$schema=", 1)[1]
    return Path(unquote(urlparse(ref).path)) if ref.startswith("file:") else (folder / ref).resolve()


def test_the_template_is_compact_and_names_a_schema_that_exists_from_any_folder(tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # no package here: the installed one's schema, by absolute URI
    r = run("new-submission", "--url", "https://example.org/compact")
    assert r.exit_code == 0
    assert len(r.output.splitlines()) < 60
    schema = _schema_of(r.output, elsewhere)
    assert schema.is_file() and json.loads(schema.read_text())["title"] == "conflictdata submission"
    # --out inside a package's folder: a path relative to the file, right on every clone
    repo = copy_package(tmp_path / "repo")
    (repo / "submissions").mkdir()
    monkeypatch.chdir(repo)
    r = run("new-submission", "--out", "submissions/x.yaml")
    assert r.exit_code == 0, r.output
    text = (repo / "submissions" / "x.yaml").read_text()
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../schemas/submission.schema.json"
    assert _schema_of(text, repo / "submissions") == (repo / "schemas" / "submission.schema.json").resolve()
    r = run("new-submission", "--out", "submissions/x.yaml")
    assert r.exit_code == 2 and "already exists" in r.output


def test_a_package_without_the_schema_file_gets_it_written_beside_the_template(tmp_path, monkeypatch):
    repo = copy_package(tmp_path / "repo")
    (repo / "schemas" / "submission.schema.json").unlink()
    monkeypatch.chdir(repo)
    (tmp_path / "out").mkdir()
    r = run("new-submission", "--out", tmp_path / "out" / "x.yaml")
    assert r.exit_code == 0, r.output
    text = (tmp_path / "out" / "x.yaml").read_text()
    schema = _schema_of(text, tmp_path / "out")
    assert schema == tmp_path / "out" / "submission.schema.json"
    assert json.loads(schema.read_text()) == json.loads((ROOT / "schemas" / "submission.schema.json").read_text())


def test_the_template_filled_in_as_the_docs_say_passes_a_dry_run(pkg, tmp_path, monkeypatch):
    monkeypatch.chdir(pkg)
    r = run("new-submission", "--url", "https://example.org/test/template", "--out", tmp_path / "t.yaml")
    assert r.exit_code == 0, r.output
    values = {"publisher": "Example Outlet tpl", "title": "A filled-in template", "kind": "article",
              "published_date": "2024-10-08", "headline": "Drones overnight", "summary": "Synthetic test data.",
              "claimant_id": "ukrainian-air-force", "attacker_id": "russia",
              "munition_type_id": "drone-type-not-stated", "launched": 5, "certainty": "asserted",
              "quote": "five drones were launched"}
    lines = []
    for line in (tmp_path / "t.yaml").read_text().splitlines():
        key = re.match(r"\s*(?:- )?(\w+):(?:\s+#.*)?$", line)
        if key and key.group(1) in values:
            line = line.replace(f"{key.group(1)}:", f"{key.group(1)}: {json.dumps(values[key.group(1)])}", 1)
        lines.append(line)
    path = _write(tmp_path, "filled.yaml", "\n".join(lines) + "\n")
    r = run("add", "--dry-run", path)
    assert r.exit_code == 0, r.output
    assert "dry run: valid, nothing written" in r.output
