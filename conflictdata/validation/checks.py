"""The catalogue of checks: every code a Fault can carry, with a one-line description."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    code: str
    description: str
    kind: str = "structural"  # "structural" (from the Table Schema and CSV) or "semantic" (rules)
    severity: str = "error"
    tables: tuple[str, ...] = ()  # empty: every table


STRUCTURAL: tuple[Check, ...] = (
    Check("package-invalid", "datapackage.json can be read, is JSON and names only files inside the package"),
    Check("file-missing", "every resource's file exists"),
    Check("file-unreadable", "every resource's file can be opened"),
    Check("empty-file", "a CSV file holds at least a header row"),
    Check("nul-byte", "a CSV file holds no NUL bytes"),
    Check("encoding-error", "a CSV file is UTF-8 (a BOM is allowed)"),
    Check("malformed-csv", "a CSV file parses: quotes are balanced"),
    Check("blank-header", "no column has a blank header"),
    Check("duplicate-header", "no header appears twice"),
    Check("missing-header", "every field of the Table Schema has a column"),
    Check("extra-header", "every column is a field of the Table Schema"),
    Check("header-order", "the columns come in the Table Schema's order"),
    Check("blank-row", "no row is blank"),
    Check("extra-cell", "no row has more cells than the header"),
    Check("missing-cell", "no row has fewer cells than the header"),
    Check("type-error", "every cell parses as its field's type (integer, number, date, time, datetime, boolean)"),
    Check("constraint-required", "required fields are not empty"),
    Check("constraint-unique", "fields marked unique hold no value twice"),
    Check("constraint-enum", "enum fields hold one of their allowed values"),
    Check("constraint-minimum", "values are not below the field's minimum"),
    Check("constraint-maximum", "values are not above the field's maximum"),
    Check("constraint-pattern", "text matches the field's pattern, the whole value (ids are slugs, urls are "
                                "http(s), countries ISO 3166-1 alpha-3)"),
    Check("constraint-min-length", "text is not shorter than the field's minLength"),
    Check("constraint-max-length", "text is not longer than the field's maxLength"),
    Check("primary-key", "primary keys are unique"),
    Check("foreign-key", "foreign keys point at an existing row of the referenced table (self-references included)"),
)


def all_checks() -> list[Check]:
    """Every check, structural then semantic, with its code: what ``conflictdata rules`` lists."""
    from .rules import RULES

    semantic = [Check(r.code, r.description, "semantic", r.severity, tuple(r.tables.split(", "))) for r in RULES]
    return [*STRUCTURAL, *semantic]
