"""The reference validator agrees: every structural break is rejected by both validators."""

import pytest

import conflictdata as cd

from .conftest import line_of, read_rows, set_cell, write_rows

DRONES = "dw-2024-10-08-overnight-drones-launched"


def frictionless_valid(pkg) -> bool:
    from frictionless import Package

    return Package(str(pkg / "datapackage.json")).validate().valid


def cell(table, key_field, key, field, value):
    def mutate(pkg):
        set_cell(pkg, table, line_of(pkg, table, key_field, key), field, value)
    return mutate


def rows(table, change):
    def mutate(pkg):
        header, body = read_rows(pkg / "data" / f"{table}.csv")
        header, body = change(header, body)
        write_rows(pkg / "data" / f"{table}.csv", header, body)
    return mutate


def raw_append(table, text):
    def mutate(pkg):
        path = pkg / "data" / f"{table}.csv"
        path.write_text(path.read_text() + text)
    return mutate


MUTATIONS = {
    "integer-type": cell("munitions", "claim_id", DRONES, "launched", "nineteen"),
    "integer-decimal": cell("munitions", "claim_id", DRONES, "launched", "19.5"),
    "date-type": cell("casualty_reports", "event_start", "2024-10-03", "event_start", "2024/10/03"),
    "datetime-type": cell("munitions", "claim_id", DRONES, "window_start", "last night"),
    "time-type": cell("updates", "sequence", "1", "published_time", "noon"),
    "number-type": cell("places", "place_id", "odesa", "latitude", "46,5"),
    "enum": cell("actors", "actor_id", "dw", "kind", "newspaper"),
    "required": cell("munitions", "claim_id", DRONES, "claimant_id", ""),
    "minimum": cell("casualty_reports", "event_start", "2024-10-03", "killed", "-6"),
    "maximum": cell("places", "place_id", "odesa", "longitude", "181"),
    "pattern-id": cell("actors", "actor_id", "dw", "actor_id", "Deutsche Welle"),
    "pattern-country": cell("actors", "actor_id", "dw", "country", "DE"),
    "max-length": cell("munitions", "claim_id", DRONES, "quote", "x" * 301),
    "foreign-key": cell("munitions", "claim_id", DRONES, "attacker_id", "belarus"),
    "foreign-key-update": cell("casualty_reports", "event_start", "2024-10-03", "update_id", "no-such-update"),
    "self-foreign-key": cell("places", "place_id", "odesa", "parent_id", "atlantis"),
    "primary-key": rows("actors", lambda h, b: (h, b + [list(b[0])])),
    "renamed-header": rows("places", lambda h, b: ([c if c != "latitude" else "lat" for c in h], b)),
    "header-order": rows("places", lambda h, b: ([h[1], h[0], *h[2:]], [[r[1], r[0], *r[2:]] for r in b])),
    "dropped-column": rows("sources", lambda h, b: (h[:-1], [r[:-1] for r in b])),
    "extra-column": rows("sources", lambda h, b: ([*h, "comment"], [[*r, "x"] for r in b])),
    "extra-cell": raw_append("munition_types", "cruise,Cruise missile,cruise_missile,,,,,surplus\n"),
    "missing-cell": raw_append("munition_types", "cruise,Cruise missile\n"),
    "blank-row": raw_append("munition_types", "\n\n" + "glide-bomb,Glide bomb,guided_aerial_bomb,,,,\n"),
}


def test_both_accept_the_original(pkg):
    assert cd.validate(pkg).valid
    assert frictionless_valid(pkg)


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_both_reject_each_mutation(pkg, name):
    MUTATIONS[name](pkg)
    ours = cd.validate(pkg)
    assert not ours.valid, f"conflictdata accepted {name}"
    assert not frictionless_valid(pkg), f"frictionless accepted {name} (is the mutation really a fault?)"


# --- a release: the reference validator reads both of its descriptors -------------------------

def release_of(pkg, tmp_path):
    from conflictdata.package import open_package
    from conflictdata.release import build

    result = build(open_package(pkg), tmp_path / "release")
    assert result.ok, result.report.render()
    return result.out


@pytest.mark.parametrize("descriptor", ["datapackage.json", "datapackage-csv.json"])
def test_the_reference_validator_accepts_both_descriptors_of_a_release(pkg, tmp_path, descriptor):
    from frictionless import Package

    report = Package(str(release_of(pkg, tmp_path) / descriptor)).validate()
    assert report.valid, report.flatten(["type", "note"])[:5]


def test_the_reference_validator_catches_a_broken_csv_copy_through_its_descriptor(pkg, tmp_path):
    from frictionless import Package

    release = release_of(pkg, tmp_path)
    header, body = read_rows(release / "munitions.csv")
    body[0][header.index("launched")] = "-4"
    write_rows(release / "munitions.csv", header, body)
    report = Package(str(release / "datapackage-csv.json")).validate()
    assert not report.valid
    assert "constraint-error" in {e.type for t in report.tasks for e in t.errors}
    assert Package(str(release / "datapackage.json")).validate().valid  # the Parquet files are untouched
