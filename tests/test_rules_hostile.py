"""Checks maintainers would expect (issue 12), each broken on purpose in a copy of the package.

Every test names the code, table, line and field of the fault, and holds the Pandera engine to
the same faults as the fast one.
"""

import json

import pytest

import conflictdata as cd
from conflictdata.package import open_package
from conflictdata.schema import TableSchema
from conflictdata.validation import validate_package
from conflictdata.validation.pandera_schemas import validate_with_pandera
from conflictdata.validation.rules import (
    RULES,
    _admits_non_ascii,
    any_text,
    country_extents,
    country_fields,
    iso3166_alpha3,
)

from .conftest import ROOT, line_of, set_cell

DRONES = "dw-2024-10-08-overnight-drones-air-force"  # intercepted 18, returned 1, launched empty
ISKANDER = "dw-2024-10-08-overnight-iskander-m-launched"  # launched 2
CHORNOMORSK = "dw-2024-10-08-chornomorsk-no-casualties"  # no event dates, update of 2024-10-08
UNDATED = "dw-2024-10-08-russia-and-north-korea-pledge-partnership"  # the update without a date


def check(pkg, code):
    """(table, line, field) of every fault ``code``, after the two engines agreed on every fault."""
    package = open_package(pkg)
    fast, slow = validate_package(package), validate_with_pandera(package)

    def key(report):
        return sorted((f.code, f.resource, f.row, f.field, f.severity) for f in report.faults)

    assert key(fast) == key(slow)
    return [(f.resource, f.row, f.field) for f in fast.faults if f.code == code]


def messages(pkg, code):
    return [f.message for f in cd.validate(pkg).faults if f.code == code]


# --- invisible and direction-changing characters ---------------------------------------------

@pytest.mark.parametrize("char", [
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u180e", "\u00ad", "\u2028", "\u2029", "\u034f", "\u3164",
    "\ufff9", "\U000e0041", "\u2063", "\u1160",
])
def test_invisible_character_in_free_text(pkg, char):
    set_cell(pkg, "actors", 3, "notes", f"Kherson{char} Regional")
    assert check(pkg, "text-invisible-character") == [("actors", 3, "notes")]
    (message,) = messages(pkg, "text-invisible-character")
    assert f"U+{ord(char):04X}" in message and "character 8" in message
    assert char not in message  # shown escaped, since it cannot be seen


@pytest.mark.parametrize("char", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
                                  "\u2069", "\u200e", "\u200f", "\u061c"])
def test_bidi_control_in_free_text(pkg, char):
    line = line_of(pkg, "places", "place_id", "odesa")
    set_cell(pkg, "places", line, "name", f"Odesa{char}")
    assert check(pkg, "text-bidi-control") == [("places", line, "name")]
    assert check(pkg, "text-invisible-character") == []
    (message,) = messages(pkg, "text-bidi-control")
    assert f"U+{ord(char):04X}" in message and char not in message


def test_trojan_source_quote_names_the_override(pkg):
    line = line_of(pkg, "munitions", "claim_id", ISKANDER)
    set_cell(pkg, "munitions", line, "quote", "Russia launched \u202e91\u202c two missiles")
    assert check(pkg, "text-bidi-control") == [("munitions", line, "quote")]
    (message,) = messages(pkg, "text-bidi-control")
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in message and "U+202C POP DIRECTIONAL FORMATTING" in message


@pytest.mark.parametrize("text", [
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian: ZWNJ is part of the spelling
    "\u0915\u094d\u200d\u0937",  # Devanagari: ZWJ picks a half form
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # a family emoji: ZWJ sequence
    "\u2764\ufe0f and \U0001f469\U0001f3fd\u200d\U0001f680",  # a variation selector; a skin tone, then ZWJ
    "\u1828\u180b\u1821",  # Mongolian free variation selector
    "Odes\u00e1 \u2014 \u00abKyiv\u00bb \u041a\u0438\u0457\u0432",
])
def test_joiners_and_selectors_pass_where_a_script_needs_them(pkg, text):
    set_cell(pkg, "actors", 3, "notes", text)
    report = cd.validate(pkg)
    assert report.valid, report.render()


@pytest.mark.parametrize("text", ["\ufe0f\ufe0fsmuggled", "a \ufe0f", "\u200dleading", "trailing\u200c",
                                  "Latin\u200cjoined", "x\u180ey"])
def test_joiners_and_selectors_fail_where_nothing_needs_them(pkg, text):
    set_cell(pkg, "actors", 3, "notes", text)
    assert check(pkg, "text-invisible-character") == [("actors", 3, "notes")]


@pytest.mark.parametrize("table, field, value, code", [
    ("actors", "actor_id", "dw\u200b", "constraint-pattern"),  # ids: the slug pattern refuses them
    ("actors", "country", "UK\u200bR", "constraint-pattern"),
    ("actors", "kind", "media\u202e", "constraint-enum"),
    ("sources", "url", "https://example.org/\u202elive", "constraint-pattern"),
    ("sources", "language", "e\u00adn", "constraint-pattern"),
])
def test_patterns_and_enums_refuse_invisible_characters(pkg, table, field, value, code):
    line = 3 if table == "actors" else 2
    set_cell(pkg, table, line, field, value)
    package = open_package(pkg)
    report = validate_package(package)
    assert (code, table, line, field) in {(f.code, f.resource, f.row, f.field) for f in report.faults}


def test_pattern_analysis_finds_fields_that_take_any_character():
    assert not _admits_non_ascii("[a-z0-9]+(-[a-z0-9]+)*")
    assert not _admits_non_ascii("[a-z0-9]+(-[a-z0-9]+)*(\\|[a-z0-9]+(-[a-z0-9]+)*)*")
    assert not _admits_non_ascii("[A-Z]{3}")
    assert not _admits_non_ascii("[]a.]+")  # a dot inside a class is a dot
    for pattern in ("https?://.+", "[^,]+", "\\S+", "\\w+", "caf\u00e9", "\\p{L}+"):
        assert _admits_non_ascii(pattern), pattern
    schema = TableSchema.from_dict({"fields": [
        {"name": "id", "type": "string", "constraints": {"pattern": "[a-z]+"}},
        {"name": "link", "type": "string", "constraints": {"pattern": "https?://.+"}},
        {"name": "kind", "type": "string", "constraints": {"enum": ["a", "b"]}},
        {"name": "note", "type": "string"},
        {"name": "n", "type": "integer"}]})
    assert any_text(schema) == ["link", "note"]


def test_every_shipped_url_and_id_is_covered_by_a_pattern_or_the_rule():
    for resource in open_package(ROOT).resources.values():
        schema = TableSchema.from_dict(resource.schema)
        for f in schema.fields:
            if f.type == "string" and f.name not in any_text(schema):
                assert "enum" in f.constraints or not _admits_non_ascii(f.constraints["pattern"]), f.name


# --- coordinates -----------------------------------------------------------------------------

@pytest.mark.parametrize("given, empty, value", [("latitude", "longitude", "46.48"),
                                                 ("longitude", "latitude", "30.72")])
def test_a_coordinate_needs_both_halves(pkg, given, empty, value):
    line = line_of(pkg, "places", "place_id", "odesa")
    set_cell(pkg, "places", line, given, value)
    assert check(pkg, "coordinates-incomplete") == [("places", line, empty)]
    (message,) = messages(pkg, "coordinates-incomplete")
    assert value in message and "both" in message
    set_cell(pkg, "places", line, empty, "30.72" if empty == "longitude" else "46.48")
    assert cd.validate(pkg).valid


# --- country codes -----------------------------------------------------------------------------

def test_country_fields_come_from_the_schemas():
    found = {}
    for name, resource in open_package(ROOT).resources.items():
        found[name] = country_fields(TableSchema.from_dict(resource.schema))
    assert {n: f for n, f in found.items() if f} == {"actors": ["country"], "places": ["country"],
                                                      "casualty_reports": ["victim_country"]}
    # The rule's list of tables (for the catalogue and the data dictionary) says the same.
    (rule,) = [r for r in RULES if r.code == "country-code-unknown"]
    assert rule.tables.split(", ") == [n for n, f in found.items() if f]


@pytest.mark.parametrize("table, key, id_, field, code", [
    ("actors", "actor_id", "russia", "country", "RUX"),
    ("actors", "actor_id", "dw", "country", "GER"),  # the IOC's code for Germany; ISO's is DEU
    ("places", "place_id", "odesa", "country", "UKX"),
    ("places", "place_id", "odesa", "country", "XKX"),  # user-assigned (Kosovo in some lists): not ISO's
    ("casualty_reports", "report_id", CHORNOMORSK, "victim_country", "ZZZ"),
])
def test_country_code_must_be_iso_3166_alpha_3(pkg, table, key, id_, field, code):
    line = line_of(pkg, table, key, id_)
    set_cell(pkg, table, line, field, code)
    assert check(pkg, "country-code-unknown") == [(table, line, field)]
    assert check(pkg, "constraint-pattern") == []
    assert code in messages(pkg, "country-code-unknown")[0]


def test_a_code_the_pattern_refuses_is_reported_once(pkg):
    line = line_of(pkg, "actors", "actor_id", "dw")
    set_cell(pkg, "actors", line, "country", "Germany")
    assert check(pkg, "constraint-pattern") == [("actors", line, "country")]
    assert check(pkg, "country-code-unknown") == []
    set_cell(pkg, "actors", line, "country", "DEU")
    assert cd.validate(pkg).valid


def test_the_country_list_is_iso_3166_less_user_assigned_codes():
    codes = iso3166_alpha3()
    assert len(codes) == 249 and all(len(c) == 3 and c.isupper() and c.isalpha() for c in codes)
    assert {"UKR", "RUS", "BLR", "PRK", "KOR", "DEU", "PLW"} <= set(codes)  # PLW: the Palau-flagged ship
    assert not {"XKX", "ZZZ", "AAA", "QMA", "SUN", "ANT"} & set(codes)  # user-assigned or withdrawn
    assert set(country_extents()) <= set(codes)


def test_the_country_list_is_what_the_script_writes():
    pytest.importorskip("iso3166")
    import importlib.util

    path = ROOT / "conflictdata" / "reference" / "make_iso3166_alpha3.py"
    spec = importlib.util.spec_from_file_location("make_iso3166_alpha3", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    committed = json.loads(script.OUT.read_text(encoding="utf-8"))
    generated = json.loads(script.build())
    # The library's version may move on; the codes must not, until the file is regenerated.
    assert {k: v for k, v in generated.items() if k != "_source"} == \
        {k: v for k, v in committed.items() if k != "_source"}


# --- urls --------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["https://example.org/live blog", "https://example.org/live\tblog",
                                 "https://uk.wikipedia.org/wiki/\u041a\u0438\u0457\u0432", "https://example.org/a%2",
                                 "https://example.org/a\"b", "https://example.org/<script>", "https://example.org/a|b",
                                 "https://example.org/{x}", "https:// example.org"])
def test_url_refuses_what_it_cannot_hold_unencoded(pkg, url):
    set_cell(pkg, "sources", 2, "url", url)
    assert check(pkg, "constraint-pattern") == [("sources", 2, "url")]


@pytest.mark.parametrize("url", ["https://www.dw.com/en/ukraine-updates/live-70415000",
                                 "https://uk.wikipedia.org/wiki/%D0%9A%D0%B8%D1%97%D0%B2",
                                 "http://example.org/search?q=a+b&lang=en#top", "https://[2001:db8::1]:8080/a;b=c",
                                 "https://example.org/~user/(1)/a,b/*/!$'@"])
def test_url_takes_every_valid_url(pkg, url):
    set_cell(pkg, "sources", 2, "url", url)
    report = cd.validate(pkg)
    assert report.valid, report.render()


def test_the_reference_validator_refuses_a_url_with_a_space(pkg):
    from frictionless import Package

    set_cell(pkg, "sources", 2, "url", "https://example.org/live blog")
    report = Package(str(pkg / "datapackage.json")).validate()
    assert not report.valid
    assert [e[:2] for e in report.flatten(["fieldName", "type"])] == [["url", "constraint-error"]]


# --- dates against the update and the source ------------------------------------------------------

def test_an_end_alone_after_the_update(pkg):
    line = line_of(pkg, "casualty_reports", "report_id", CHORNOMORSK)
    set_cell(pkg, "casualty_reports", line, "event_end", "2024-10-09")  # the update is of 2024-10-08
    assert check(pkg, "event-end-after-update") == [("casualty_reports", line, "event_end")]
    assert check(pkg, "event-after-update") == []
    assert "leave event_end empty" in messages(pkg, "event-end-after-update")[0]
    set_cell(pkg, "casualty_reports", line, "event_end", "2024-10-08")
    assert cd.validate(pkg).valid


def test_a_window_ending_after_the_update(pkg):
    line = line_of(pkg, "munitions", "claim_id", ISKANDER)  # 2024-10-07T00:00 to 2024-10-09T00:00 (excluded)
    set_cell(pkg, "munitions", line, "window_end", "2024-10-09T02:00:00")
    assert check(pkg, "event-end-after-update") == [("munitions", line, "window_end")]
    assert check(pkg, "event-after-update") == []
    # An end is the first moment after the window: midnight after the update's day is its last
    # moment, and a day is Kyiv's (02:00 on the 9th in Kyiv is still the 8th in UTC).
    set_cell(pkg, "munitions", line, "window_end", "2024-10-09T00:00:00")
    assert cd.validate(pkg).valid
    set_cell(pkg, "munitions", line, "window_end", "2024-10-09T00:01:00")
    set_cell(pkg, "munitions", line, "window_precision", "minute")
    assert check(pkg, "event-end-after-update") == [("munitions", line, "window_end")]


def test_start_and_end_after_the_update_are_two_faults(pkg):
    line = line_of(pkg, "munitions", "claim_id", ISKANDER)
    set_cell(pkg, "munitions", line, "window_start", "2024-10-10T00:00:00")
    set_cell(pkg, "munitions", line, "window_end", "2024-10-10T00:00:00")
    assert check(pkg, "event-after-update") == [("munitions", line, "window_start")]
    assert check(pkg, "event-end-after-update") == [("munitions", line, "window_end")]


def test_an_update_before_its_source(pkg):
    line = line_of(pkg, "updates", "update_id", "dw-2024-10-08-what-you-need-to-know")
    set_cell(pkg, "updates", line, "published_date", "2024-10-07")  # the source is of 2024-10-08
    assert check(pkg, "update-before-source") == [("updates", line, "published_date")]
    assert "'dw-2024-10-08-ukraine-updates'" in messages(pkg, "update-before-source")[0]
    # A dataset compiles earlier reports: its entries may predate its publication.
    set_cell(pkg, "sources", 2, "kind", "dataset")
    assert check(pkg, "update-before-source") == []


@pytest.mark.parametrize("table, key, id_, fields, values", [
    ("casualty_reports", "report_id", CHORNOMORSK, ("event_start", "event_end"), ("2024-10-09", "2024-10-09")),
    ("casualty_reports", "report_id", CHORNOMORSK, ("event_end",), ("2024-10-09",)),
    ("munitions", "claim_id", ISKANDER, ("window_start", "window_end"), ("2024-10-09T01:00:00", "2024-10-09T03:00:00")),
])
def test_a_claim_in_an_undated_update_after_its_source_was_retrieved(pkg, table, key, id_, fields, values):
    """Claim, update (no date), source (retrieved 2024-10-08): a lookup of two hops."""
    set_cell(pkg, "sources", 2, "retrieved_date", "2024-10-08")
    line = line_of(pkg, table, key, id_)
    set_cell(pkg, table, line, "update_id", UNDATED)
    for field, value in zip(fields, values, strict=True):
        set_cell(pkg, table, line, field, value)
    assert check(pkg, "event-after-retrieval") == [(table, line, f) for f in fields]
    assert check(pkg, "event-after-update") == check(pkg, "event-end-after-update") == []
    assert "retrieved (2024-10-08)" in messages(pkg, "event-after-retrieval")[0]


def test_a_claim_in_a_dated_update_is_held_to_the_update_not_the_retrieval(pkg):
    set_cell(pkg, "sources", 2, "retrieved_date", "2024-10-08")
    line = line_of(pkg, "casualty_reports", "report_id", CHORNOMORSK)
    set_cell(pkg, "casualty_reports", line, "event_end", "2024-10-09")
    assert check(pkg, "event-after-retrieval") == []
    assert check(pkg, "event-end-after-update") == [("casualty_reports", line, "event_end")]


def test_an_undated_update_without_a_retrieval_date_says_nothing(pkg):
    line = line_of(pkg, "casualty_reports", "report_id", CHORNOMORSK)
    set_cell(pkg, "casualty_reports", line, "update_id", UNDATED)
    set_cell(pkg, "casualty_reports", line, "event_end", "2024-10-20")
    assert cd.validate(pkg).valid


# --- counts against the bounds of launched --------------------------------------------------------

def test_an_outcome_above_launched_high(pkg):
    line = line_of(pkg, "munitions", "claim_id", DRONES)
    set_cell(pkg, "munitions", line, "launched_high", "17")  # 18 intercepted
    assert check(pkg, "outcome-exceeds-launched-bound") == [("munitions", line, "intercepted")]
    assert "at most 17 were launched (launched_high)" in messages(pkg, "outcome-exceeds-launched-bound")[0]
    assert check(pkg, "outcomes-sum-exceeds-launched-bound") == []  # one fault: the outcome that is too high


def test_outcomes_add_up_to_more_than_launched_high(pkg):
    line = line_of(pkg, "munitions", "claim_id", DRONES)
    set_cell(pkg, "munitions", line, "launched_high", "18")  # 18 intercepted + 1 returned
    assert check(pkg, "outcomes-sum-exceeds-launched-bound") == [("munitions", line, "launched_high")]
    assert check(pkg, "outcome-exceeds-launched-bound") == []
    assert "add up to 19, more than launched_high (18)" in messages(pkg, "outcomes-sum-exceeds-launched-bound")[0]


@pytest.mark.parametrize("launched, high", [("2", ""), ("", "2"), ("2", "5")])
def test_an_outcome_low_bound_above_launched(pkg, launched, high):
    line = line_of(pkg, "munitions", "claim_id", ISKANDER)
    set_cell(pkg, "munitions", line, "launched", launched)
    set_cell(pkg, "munitions", line, "launched_high", high)
    set_cell(pkg, "munitions", line, "intercepted_low", "3")
    assert check(pkg, "outcome-exceeds-launched-bound") == [("munitions", line, "intercepted_low")]
    assert check(pkg, "bounds-order") == []


def test_outcomes_with_a_low_bound_add_up_to_more_than_launched(pkg):
    line = line_of(pkg, "munitions", "claim_id", DRONES)
    set_cell(pkg, "munitions", line, "launched", "19")
    set_cell(pkg, "munitions", line, "intercepted", "")
    set_cell(pkg, "munitions", line, "intercepted_low", "19")  # at least 19 shot down, and 1 returned, of 19
    assert check(pkg, "outcomes-sum-exceeds-launched-bound") == [("munitions", line, "launched")]
    assert check(pkg, "outcomes-sum-exceeds-launched") == check(pkg, "outcome-exceeds-launched-bound") == []
    (message,) = messages(pkg, "outcomes-sum-exceeds-launched-bound")
    assert "intercepted_low 19, returned 1" in message and "add up to 20" in message


def test_a_best_figure_above_launched_is_reported_once(pkg):
    line = line_of(pkg, "munitions", "claim_id", ISKANDER)
    set_cell(pkg, "munitions", line, "launched_high", "2")
    set_cell(pkg, "munitions", line, "intercepted", "3")
    assert check(pkg, "outcome-exceeds-launched") == [("munitions", line, "intercepted")]
    assert check(pkg, "outcome-exceeds-launched-bound") == []


@pytest.mark.parametrize("cells", [
    {"launched": "", "launched_low": "10", "intercepted": "18"},  # at least 10 launched, 18 shot down
    {"launched": "20", "intercepted_high": "25"},  # 'up to 25 shot down' of 20: loose, not a contradiction
    {"launched": "", "launched_low": "1", "intercepted_low": "18"},
    {"launched": "", "launched_high": "19", "intercepted": "18"},  # 18 + 1 returned = 19: exactly at the bound
])
def test_loose_bounds_are_not_faults(pkg, cells):
    line = line_of(pkg, "munitions", "claim_id", DRONES)
    for field, value in cells.items():
        set_cell(pkg, "munitions", line, field, value)
    report = cd.validate(pkg)
    assert report.valid, report.render()


@pytest.mark.parametrize("field", ["launched", "launched_high", "intercepted", "intercepted_low", "killed",
                                   "killed_low"])
def test_a_count_retyped_as_text_takes_no_part_in_the_rules_on_counts(pkg, field):
    """Rules on counts read which fields are counts from the schema: a field typed otherwise is left out."""
    table = "munitions" if field in ("launched", "launched_high", "intercepted", "intercepted_low") \
        else "casualty_reports"
    path = pkg / "schemas" / f"{table}.json"
    schema = json.loads(path.read_text())
    f = next(f for f in schema["fields"] if f["name"] == field)
    f["type"] = "string"
    f.get("constraints", {}).pop("minimum", None)
    path.write_text(json.dumps(schema))
    from conflictdata.package import open_package
    from conflictdata.validation import validate_package

    package = open_package(pkg)
    assert validate_package(package).valid and validate_package(package, engine="pandera").valid
