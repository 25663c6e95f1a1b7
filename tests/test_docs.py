"""The data dictionary: generated from the schemas and the checks, committed, and never out of date."""

import json
import re
import subprocess
import sys

from click.testing import CliRunner

from conflictdata.cli import cli
from conflictdata.docs import (
    CARD_BEGIN,
    CARD_END,
    coverage,
    data_dictionary,
    default_file,
    er_diagram,
    stale,
    with_card,
)
from conflictdata.package import open_package
from conflictdata.schema import TableSchema
from conflictdata.validation.checks import all_checks

from .conftest import ROOT, line_of, set_cell

COMMITTED = ROOT / "docs" / "data-dictionary.md"
# the optional extras and the heavy core libraries: none may load with `import conflictdata` or `--help`
HEAVY = ("duckdb", "matplotlib", "openpyxl", "pandas", "polars", "pyarrow", "pandera", "frictionless")


def run(*args):
    return CliRunner().invoke(cli, list(args))


def schemas(package):
    return {name: TableSchema.from_dict(r.schema) for name, r in package.resources.items()}


def test_the_committed_data_dictionary_is_current():
    text = data_dictionary(open_package(ROOT))
    assert COMMITTED.read_text(encoding="utf-8") == text, (
        "docs/data-dictionary.md is out of date: run 'conflictdata docs' and commit it")


def test_every_table_field_constraint_and_enum_value_is_documented():
    package = open_package(ROOT)
    text = data_dictionary(package)
    for name, schema in schemas(package).items():
        assert f"\n## {name}\n" in text
        section = text.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]
        assert schema.description in section
        assert f"Primary key: {', '.join(f'`{k}`' for k in schema.primary_key)}" in section
        for f in schema.fields:
            row = next(line for line in section.splitlines() if line.startswith(f"| `{f.name}`"))
            assert f"`{f.type}`" in row and f.description.replace("|", "\\|") in row
            assert ("| yes |" in row) == f.required
            for value in f.constraints.get("enum", []):
                assert f"`{value}`" in row
            for key in ("minimum", "maximum", "maxLength"):
                if key in f.constraints:
                    assert str(f.constraints[key]) in row
            if "pattern" in f.constraints:
                assert f.constraints["pattern"].replace("|", "\\|") in row
        for fk in schema.foreign_keys:
            assert f"`{fk.fields[0]}` → [{fk.resource or name}]" in section


def test_every_table_row_has_five_cells_even_with_pipes_in_patterns():
    # munition_types.members has a '|' in its pattern: escaped, it stays inside its cell
    for line in data_dictionary(open_package(ROOT)).splitlines():
        if line.startswith("| `"):
            cells = re.split(r"(?<!\\)\|", line)[1:-1]
            assert len(cells) in (2, 5), line


def test_every_check_is_listed_with_its_code_and_linked_from_its_tables():
    text = data_dictionary(open_package(ROOT))
    checks = text.split("\n## Checks\n", 1)[1]
    for c in all_checks():
        assert f'<a id="{c.code}"></a>`{c.code}` | {c.kind} | {c.severity} |' in checks
    munitions = text.split("\n## munitions\n", 1)[1].split("\n## ", 1)[0]
    assert "[`outcome-exceeds-launched`](#outcome-exceeds-launched)" in munitions
    places = text.split("\n## places\n", 1)[1].split("\n## ", 1)[0]
    assert "outcome-exceeds-launched" not in places and "`coordinates-outside-country`" in places


def test_the_er_diagram_draws_every_foreign_key():
    package = open_package(ROOT)
    lines = er_diagram(schemas(package))
    assert lines[:2] == ["```mermaid", "erDiagram"] and lines[-1] == "```"
    relations = [line.strip() for line in lines if "--" in line]
    expected = []
    for name, schema in schemas(package).items():
        for fk in schema.foreign_keys:
            end = "||" if schema.field(fk.fields[0]).required else "o|"
            expected.append(f'{name} }}o--{end} {fk.resource or name} : "{fk.fields[0]}"')
    assert relations == expected
    assert 'actors }o--o| actors : "parent_id"' in relations  # a self-reference
    assert 'munitions }o--|| updates : "update_id"' in relations  # required: exactly one
    assert "        string claim_id PK" in lines and "        string update_id FK" in lines


def test_the_views_are_documented():
    text = data_dictionary(open_package(ROOT))
    assert "### munitions_claims" in text and "### casualty_claims" in text
    assert "| `claimant_name` |" in text and "| `source_title` |" in text


def test_cli_check_passes_on_the_checkout_and_fails_when_a_schema_changes(pkg, monkeypatch):
    r = run("docs", str(ROOT), "--check")
    assert r.exit_code == 0, r.output
    # a copy with its own dictionary, then a changed description
    r = run("docs", str(pkg))
    assert r.exit_code == 0 and (pkg / "docs" / "data-dictionary.md").is_file()
    assert run("docs", str(pkg), "--check").exit_code == 0
    schema_file = pkg / "schemas" / "munitions.json"
    schema = json.loads(schema_file.read_text())
    schema["fields"][0]["description"] = "A changed description."
    schema_file.write_text(json.dumps(schema))
    r = run("docs", str(pkg), "--check")
    assert r.exit_code == 1
    assert "+| `claim_id` (primary key) | `string` | yes |" in r.output and "out of date" in r.output
    # without PATH: the package in the current folder
    monkeypatch.chdir(pkg)
    assert run("docs").exit_code == 0
    assert run("docs", "--check").exit_code == 0
    assert "A changed description." in (pkg / "docs" / "data-dictionary.md").read_text()


def test_cli_out_dash_prints_the_dictionary(pkg):
    r = run("docs", str(pkg), "--out", "-")
    assert r.exit_code == 0 and r.output == data_dictionary(open_package(pkg))
    assert not (pkg / "docs").exists()


def test_stale_names_a_missing_file(tmp_path):
    assert stale("x", tmp_path / "none.md") == [f"{tmp_path / 'none.md'} does not exist"]
    (tmp_path / "same.md").write_text("x")
    assert stale("x", tmp_path / "same.md") == []


def test_the_default_file_is_in_the_package_folder(pkg):
    assert default_file(open_package(pkg)) == pkg.resolve() / "docs" / "data-dictionary.md"


def test_the_readme_data_card_is_counted_from_the_data():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    card = readme.split(CARD_BEGIN, 1)[1].split(CARD_END, 1)[0]
    assert card == "\n" + coverage(open_package(ROOT)), (
        "the data card in README.md is out of date: run 'conflictdata docs' and commit it")


def test_who_claims_counts_every_row_that_names_a_claimant():
    """Each claimant's count is its rows in every table with a claimant_id (directions, adjustments too)."""
    import csv
    from collections import Counter

    package = open_package(ROOT)
    counts: Counter = Counter()
    for res in package.resources.values():
        if "claimant_id" in TableSchema.from_dict(res.schema).names:
            with open(ROOT / res.path, newline="", encoding="utf-8") as f:
                counts.update(r["claimant_id"] for r in csv.DictReader(f))
    with open(ROOT / "data" / "actors.csv", newline="", encoding="utf-8") as f:
        actors = {r["actor_id"]: r for r in csv.DictReader(f)}
    line = next(x for x in coverage(package).splitlines() if x.startswith("- **Who claims**"))
    assert len(counts) > 3
    for claimant, n in counts.items():
        a = actors[claimant]
        assert f"{a['name']} ({a['country'] or 'no country'}) {n:,}" in line, (claimant, n, line)
    assert sum(int(x.replace(",", "")) for x in re.findall(r"\) ([0-9,]+)", line)) == sum(counts.values())


def test_coverage_counts_claims_period_claimants_and_places(full_pkg):
    pkg = full_pkg
    card = coverage(open_package(pkg))
    assert ("- **Claims**: 22,392 claims (8 munitions, 1,694 casualty_reports, 3 damage_reports, 20,687 "
            "equipment_losses), in 1,631 updates of 2 sources.") in card
    assert ("- **By source**: DW (live_blog, curated): 17 claims in 5 updates; Petro Ivaniuk "
            "(2022-Ukraine-Russia-War-Dataset) (dataset, imported under MIT): 22,375 claims in 1,626 updates.") in card
    assert "- **Events**: 5 events (attack 3, incident 1, strike 1); 13 claims are linked to one; 4 others" in card
    # 13 decreases in the equipment totals, none in personnel: counted from the data by cd.daily.
    assert ("- **Running totals**: 22,375 claims give a running total, in 1,626 reports from 2022-02-25 to "
            "2026-08-08 (19 series); 13 totals are lower than the report before") in card
    # A running total's window starts on 2022-02-24 and the last ends on the day of the last report.
    assert "events from 2022-02-24 to 2026-08-08 (11 of 22,392 claims give no event date)" in card
    assert "Armed Forces of Ukraine (UKR) 2" in card
    assert "General Staff of the Armed Forces of Ukraine (UKR) 22,644" in card
    # Places pointed at by any claims table: chornomorsk, donetsk, odesa, odesa-port, ukraine.
    assert "9 places (6 in UKR, 1 in KOR, 1 in PRK, 1 in RUS); claims point at 5 of them" in card
    line = line_of(pkg, "munitions", "claim_id", "dw-2024-10-08-chornomorsk-drone-attack")
    set_cell(pkg, "munitions", line, "window_start", "2024-10-01T00:00:00")
    card = coverage(open_package(pkg))
    assert "(10 of 22,392 claims give no event date)" in card


def test_docs_refreshes_and_checks_a_readme_card(full_pkg):
    pkg = full_pkg
    (pkg / "README.md").write_text(f"# A copy\n\n{CARD_BEGIN}\nold\n{CARD_END}\n\nMore text.\n")
    assert run("docs", str(pkg)).exit_code == 0
    readme = (pkg / "README.md").read_text()
    assert readme == with_card("# A copy\n\n" + CARD_BEGIN + CARD_END + "\n\nMore text.\n", coverage(open_package(pkg)))
    assert readme.endswith(f"{CARD_END}\n\nMore text.\n") and "old" not in readme
    assert run("docs", str(pkg), "--check").exit_code == 0
    line = line_of(pkg, "munitions", "claim_id", "dw-2024-10-08-chornomorsk-drone-attack")
    set_cell(pkg, "munitions", line, "window_start", "2024-10-01T00:00:00")
    r = run("docs", str(pkg), "--check")
    assert r.exit_code == 1 and "README.md" in r.output and "(10 of 22,392 claims give no event date)" in r.output


def test_a_readme_without_markers_is_left_alone(pkg):
    (pkg / "README.md").write_text("# Mine\n")
    assert run("docs", str(pkg)).exit_code == 0
    assert (pkg / "README.md").read_text() == "# Mine\n"


def test_importing_conflictdata_and_its_help_load_no_heavy_module():
    code = ("import sys, conflictdata\nfrom conflictdata.cli import cli\n"
            "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
            f"print('loaded:', *[m for m in {HEAVY!r} if m in sys.modules])")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "Commands:" in r.stdout and "sql" in r.stdout
    assert r.stdout.strip().splitlines()[-1] == "loaded:"
