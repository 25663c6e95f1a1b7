"""The catalogue of checks: every code a Fault can carry, registered once, with what it means.

Modelled on frictionless-py's error catalogue: each check is an object with a stable
kebab-case ``code``, a one-line description, a severity, the tables it applies to and the
part of the project that emits it. A :class:`~conflictdata.report.Fault` can only be made
with a registered code (:func:`emit` refuses any other), so a code cannot be emitted without
being listed by ``conflictdata rules`` and the data dictionary. The semantic rules register
themselves here when :mod:`conflictdata.validation.rules` defines them.

Examples
--------
>>> from conflictdata.catalogue import get
>>> get("blank-row").description
'no row is blank, and nothing but the header stands above the first row'
>>> "no-such-code" in REGISTRY
False
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ERROR = "error"
WARNING = "warning"
KINDS = ("package", "structural", "semantic", "submission")


@dataclass(frozen=True)
class Check:
    """One check of the catalogue.

    ``kind`` says who emits it: ``package`` (the package as a whole: descriptor, files, stray
    files), ``structural`` (the CSV and its Table Schema), ``semantic`` (a rule of
    :mod:`conflictdata.validation.rules`) or ``submission`` (``conflictdata add``). ``tables``
    is empty when the check applies to every table.
    """

    code: str
    description: str
    kind: str = "structural"
    severity: str = ERROR
    tables: tuple[str, ...] = ()
    # What a fault says, as a template filled from the fault's row ("value" and the columns it
    # shows) and the values the emitter fixes (the field, the bound): see :meth:`say`.
    message: str = ""

    @property
    def where(self) -> str:
        """The tables it applies to, in words."""
        return ", ".join(self.tables) if self.tables else "any table"

    def say(self, template: str | None = None, **fixed: Any) -> Callable[[dict], str]:
        """The message of a fault of this check, from its row: the template with ``fixed`` and the row.

        Examples
        --------
        >>> say = get("constraint-minimum").say(field="launched", minimum=0)
        >>> say({"value": "-1", "__line__": 7})
        'launched is -1, below the minimum 0'
        """
        text = template or self.message
        if not text:
            raise ValueError(f"check {self.code!r} has no message template; give one")
        return lambda row: text.format_map({**fixed, **row})


REGISTRY: dict[str, Check] = {}
# Codes of the faults made in this process, by code: what the test suite reads to find codes
# registered but never emitted by any test.
EMITTED: Counter = Counter()


def register(check: Check) -> Check:
    """Add ``check`` to the catalogue; a code registered twice is a bug and raises ValueError."""
    if check.code in REGISTRY:
        raise ValueError(f"the check code {check.code!r} is registered twice")
    if check.kind not in KINDS or check.severity not in (ERROR, WARNING):
        raise ValueError(f"check {check.code!r}: kind must be one of {KINDS} and severity error or warning")
    REGISTRY[check.code] = check
    return check


def get(code: str) -> Check:
    """The registered check ``code``; KeyError names the code when there is none."""
    try:
        return REGISTRY[code]
    except KeyError:
        raise KeyError(f"no check is registered with the code {code!r}; register it once in "
                       "conflictdata/catalogue.py (or, for a rule, with @rule)") from None


def emit(code: str) -> None:
    """Note a fault with ``code`` being made; KeyError when the code is not registered."""
    get(code)
    EMITTED[code] += 1


# What the structural checks say, filled in by the emitters in validation/structure.py.
_MESSAGES = {
    'type-error': '{field} is {value!r}, which is not a valid {type}{hint}',
    'constraint-required': '{field} is required but empty',
    'constraint-enum': '{field} is {value!r}; allowed: {allowed}',
    'constraint-minimum': '{field} is {value}, below the minimum {minimum}',
    'constraint-maximum': '{field} is {value}, above the maximum {maximum}',
    'constraint-pattern': '{field} is {value!r}, which does not match the pattern {pattern}',
    'constraint-min-length': '{field} is shorter than {length} characters',
    'constraint-max-length': '{field} is longer than {length} characters',
    'constraint-unique': '{field} {value!r} appears on an earlier line too; it must be unique',
    'primary-key': 'the primary key ({key}) {value!r} is used by an earlier row too',
    'foreign-key': "{fields} {value!r} matches no {reference} in the table '{table}'",
}

for _code, _kind, _description in (
    ("package-invalid", "package", "datapackage.json and its Table Schemas can be read, are valid JSON without "
                                   "repeated keys, and name only regular files inside the package"),
    ("merge-journal", "package", "the package carries no merge journal (.conflictdata-merge.json): one that came "
                                 "with the data is never replayed, and refused"),
    ("schema-weakened", "package", "compared with the base (validate --base), no table, field, primary or foreign "
                                   "key, or constraint is removed or loosened, no enum or boolean value added, no "
                                   "missing value changed"),
    ("file-missing", "package", "every resource's file (and every submission file) exists"),
    ("file-unreadable", "package", "every resource's and submission's file is a regular file that can be opened "
                                   "(not a FIFO, socket, device or folder, nor a link leading out)"),
    ("empty-file", "structural", "a CSV file holds at least a header row; a submission at least one document"),
    ("nul-byte", "structural", "a CSV file holds no NUL bytes"),
    ("encoding-error", "structural", "a CSV or submission file is UTF-8 (a BOM is allowed; UTF-16, UTF-32 and "
                                     "legacy code pages are refused with what to do; no lone surrogates or line "
                                     "separators in a submission)"),
    ("line-ending", "structural", "lines end with LF or CRLF, not a carriage return alone (old Mac line ends)"),
    ("wrong-delimiter", "structural", "cells are separated by commas, not tabs, semicolons or bars"),
    ("malformed-csv", "structural", "a CSV file parses: quotes are balanced"),
    ("blank-header", "structural", "no column has a blank header"),
    ("duplicate-header", "structural", "no header appears twice"),
    ("missing-header", "structural", "every field of the Table Schema has a column"),
    ("extra-header", "structural", "every column is a field of the Table Schema"),
    ("header-order", "structural", "the columns come in the Table Schema's order"),
    ("blank-row", "structural", "no row is blank, and nothing but the header stands above the first row"),
    ("extra-cell", "structural", "no row has more cells than the header"),
    ("missing-cell", "structural", "no row has fewer cells than the header"),
    ("type-error", "structural", "every cell parses as its field's type (integer, number, boolean; dates, times and "
                                 "datetimes in ISO form with a year from 0001 to 9999 and no leap second)"),
    ("constraint-required", "structural", "required fields are not empty"),
    ("constraint-unique", "structural", "fields marked unique hold no value twice"),
    ("constraint-enum", "structural", "enum fields hold one of their allowed values"),
    ("constraint-minimum", "structural", "values are not below the field's minimum"),
    ("constraint-maximum", "structural", "values are not above the field's maximum"),
    ("constraint-pattern", "structural", "text matches the field's pattern, the whole value (ids are slugs, urls "
                                         "are http(s), countries ISO 3166-1 alpha-3)"),
    ("constraint-min-length", "structural", "text is not shorter than the field's minLength"),
    ("constraint-max-length", "structural", "text is not longer than the field's maxLength"),
    ("primary-key", "structural", "primary keys are unique"),
    ("foreign-key", "structural", "foreign keys point at an existing row of the referenced table (self-references "
                                  "included)"),
):
    register(Check(_code, _description, _kind, message=_MESSAGES.get(_code, "")))

for _code, _severity, _description in (
    ("file-too-large", ERROR, "a submission file is at most 1 MiB: it holds one source document"),
    ("yaml-syntax", ERROR, "a submission file is valid YAML, one document, nested at most 20 levels"),
    ("yaml-alias", ERROR, "a submission uses no YAML anchors or aliases (they can blow up in size)"),
    ("yaml-tag", ERROR, "a submission uses no YAML tags: plain mappings, lists and text only"),
    ("yaml-key", ERROR, "every key of a submission mapping is a field name"),
    ("duplicate-key", ERROR, "no key appears twice in one mapping of a submission"),
    ("unknown-key", ERROR, "every key of a submission is a field of its table (the message suggests the closest)"),
    ("schema", ERROR, "a submission matches the submission's JSON Schema in every other respect"),
    ("id-required", ERROR, "a row whose id cannot be derived (a key of several fields) writes it"),
    ("id-not-derivable", ERROR, "an id derived from a name needs Latin letters or digits in it; else write the id"),
    ("duplicate-id", ERROR, "a submitted row's id is not already in the package, nor used twice in one add"),
    ("duplicate-source", ERROR, "a source document is submitted once: its url (or publisher, title and date) is "
                                "not already in the package"),
    ("duplicate-name", WARNING, "a submitted actor, place or munition type does not repeat the name of one the "
                                "package has (refer to it by id if it is the same)"),
    ("claim-in-package", ERROR, "a submitted claim is not already in the package under another update (every "
                                "field but its key and notes the same)"),
):
    register(Check(_code, _description, "submission", _severity, ("submission",)))
