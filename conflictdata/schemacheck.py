"""Refuse a Table Schema the validator cannot apply as written, before any data is read.

A schema is the contract every table is checked against, so a schema that is malformed, or
that says something the engines would silently ignore or misread, must stop the run with
one line naming the file, the line, the field and the fault, never with an engine's error
halfway through the data. What each engine applies is in :mod:`conflictdata.validation.structure`
(constraints), :mod:`conflictdata.cast` (types and formats) and :mod:`conflictdata.read`
(missing values); this module refuses the rest:

- a value of the wrong JSON type (``"minLength": "3"``, ``"required": "yes"``, ``"enum": "a"``);
- a constraint the field's type does not have, or one the engines do not apply
  (``exclusiveMinimum``, a bound on a date, an enum on a boolean), or a misspelt one;
- a ``pattern`` that Python's ``re`` (frictionless-py) or Polars' Rust regex (the fast
  engine) cannot compile, or that the two would read differently;
- bounds no value can meet (``minimum`` above ``maximum``), an empty or repeated enum;
- a field listed twice, a name the engine reserves, key and foreign-key field lists that are
  not lists of field names, differ in length, or name fields (or tables) that do not exist.

Problems are raised as :class:`SchemaProblem` with the JSON path of the offending value;
:mod:`conflictdata.package` turns that into a :class:`~conflictdata.errors.PackageError`
with the file and line.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
import warnings
from datetime import datetime

from .cast import FORMATS_BY_LENGTH
from .schema import SUPPORTED_TYPES, type_in_words, whole

# Which field types each constraint applies to, as validation/structure.py applies them:
# lengths and patterns on text, bounds on numbers, enums compared as text (so not on
# numbers, where 1 and 1.0 differ as text, nor on booleans, where true is not 'true').
_APPLIES = {
    "required": SUPPORTED_TYPES,
    "unique": SUPPORTED_TYPES,
    "enum": ("string", "integer", "date", "time", "datetime"),
    "pattern": ("string",),
    "minLength": ("string",),
    "maxLength": ("string",),
    "minimum": ("integer", "number"),
    "maximum": ("integer", "number"),
}
# Table Schema constraints that no engine here applies: refused rather than ignored.
_NOT_APPLIED = ("exclusiveMinimum", "exclusiveMaximum", "jsonSchema")
# String formats frictionless knows. The engines here check none of them (a pattern does
# that work, as for sources.url); other types are parsed in the default format only.
_STRING_FORMATS = ("default", "email", "uri", "binary", "uuid", "wkt")
# Field properties that change how a cell is read, which the engines do not implement
# (None: refused whatever the value; otherwise the one value that changes nothing).
_READING = {"decimalChar": ".", "groupChar": None, "bareNumber": True, "categories": None,
            "categoriesOrdered": None}


class SchemaProblem(Exception):
    """What is wrong with a Table Schema (``message``) and where: ``at``, a JSON path into it."""

    def __init__(self, at: tuple, message: str):
        super().__init__(message)
        self.at, self.message = at, message


def check_table_schema(schema: object, table: str) -> None:
    """Raise :class:`SchemaProblem` unless ``schema`` is a Table Schema the validator applies as written.

    ``table`` is the name of the resource it describes (a foreign key with ``resource: ""``
    refers to it). References into other tables are checked by :func:`check_references`.

    Examples
    --------
    >>> check_table_schema({"fields": [{"name": "n", "type": "integer", "constraints": {"minimum": "0"}}]}, "t")
    Traceback (most recent call last):
    ...
    conflictdata.schemacheck.SchemaProblem: field 'n': constraints.minimum must be a whole number, not '0'
    """
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) or not schema["fields"]:
        raise SchemaProblem(("fields",) if isinstance(schema, dict) and "fields" in schema else (),
                            "the schema must have a non-empty 'fields' list, one object per column")
    names: dict[str, int] = {}
    if "missingValues" in schema and not _texts(schema["missingValues"]):
        raise SchemaProblem(("missingValues",), "'missingValues' must be a list of text (the cells that mean "
                                                f"empty), not {_show(schema['missingValues'])}")
    for i, f in enumerate(schema["fields"]):
        _check_field(f, i, names, schema.get("missingValues", [""]))
    if "primaryKey" in schema:
        _field_list(schema["primaryKey"], names, ("primaryKey",), "primaryKey", empty_ok=True)
    # This package's own properties (see schema.TableSchema): field names, or lists of them.
    for prop in ("claimKey", "labelFields", "identityFields", "scopeKey", "partKey"):
        if prop in schema:
            _field_list(schema[prop], names, (prop,), prop, empty_ok=False)
    for i, f in enumerate(schema["fields"]):
        if "qualifies" in f and (not isinstance(f["qualifies"], str) or f["qualifies"] not in names
                                 or f["qualifies"] == f["name"]):
            raise SchemaProblem(("fields", i, "qualifies"), f"field {f['name']!r}: qualifies must name another "
                                                            f"field of the schema, not {_show(f['qualifies'])}")
        if "combines" in f:
            _field_list(f["combines"], names, ("fields", i, "combines"), f"field {f['name']!r}: combines",
                        empty_ok=False)
    if "idFrom" in schema and (not isinstance(schema["idFrom"], str) or schema["idFrom"] not in names):
        raise SchemaProblem(("idFrom",), f"idFrom must name a field of the schema, not {_show(schema['idFrom'])}")
    fks = schema.get("foreignKeys", [])
    if not isinstance(fks, list):
        raise SchemaProblem(("foreignKeys",), f"foreignKeys must be a list of foreign keys, not {_show(fks)}")
    for i, fk in enumerate(fks):
        at = ("foreignKeys", i)
        if not isinstance(fk, dict) or "fields" not in fk or "reference" not in fk:
            raise SchemaProblem(at, f"foreignKeys[{i}] must be an object with 'fields' and 'reference'")
        local = _field_list(fk["fields"], names, (*at, "fields"), f"foreignKeys[{i}].fields")
        ref = fk["reference"]
        if not isinstance(ref, dict):
            raise SchemaProblem((*at, "reference"), f"foreignKeys[{i}].reference must be an object with "
                                                    f"'resource' and 'fields', not {_show(ref)}")
        if not isinstance(ref.get("resource", ""), str):
            raise SchemaProblem((*at, "reference", "resource"), f"foreignKeys[{i}].reference.resource must be a "
                                f"table name ('' for this table), not {_show(ref['resource'])}")
        target = ref.get("resource", "") or table
        own = names if target == table else None  # another table's fields: check_references
        remote = _field_list(ref.get("fields"), own, (*at, "reference", "fields"),
                             f"foreignKeys[{i}].reference.fields", of=f"the table {table!r}")
        if len(local) != len(remote):
            raise SchemaProblem((*at, "reference", "fields"),
                                f"foreignKeys[{i}]: {_count(local, 'field')} ({', '.join(local)}) but "
                                f"{_count(remote, 'reference field')} ({', '.join(remote)}); they are matched "
                                "in order, so they must be as many")


def check_references(schemas: dict[str, dict]) -> None:
    """Raise :class:`ReferenceProblem` for a foreign key onto fields its target table does not have.

    ``schemas`` maps each table of the package to its Table Schema, each already passed by
    :func:`check_table_schema`. A key into a table the package lacks is left to the
    validator: it is a ``foreign-key`` fault on the rows, as frictionless-py reports it.
    """
    for table, schema in schemas.items():
        for i, fk in enumerate(schema.get("foreignKeys", [])):
            target = fk["reference"].get("resource", "") or table
            at = ("foreignKeys", i, "reference")
            if target not in schemas:
                continue  # every row's key is a foreign-key fault (as frictionless reports it)
            fields = {f["name"] for f in schemas[target]["fields"]}
            names = _as_list(fk["reference"]["fields"])
            assert names is not None  # check_table_schema has passed the key's fields
            for name in names:
                if name not in fields:
                    raise ReferenceProblem(table, SchemaProblem(
                        (*at, "fields"), f"foreignKeys[{i}].reference.fields: {name!r} is not a field of the "
                                         f"table {target!r}"))


class ReferenceProblem(Exception):
    """A :class:`SchemaProblem` in the schema of ``table`` that only the whole package reveals."""

    def __init__(self, table: str, problem: SchemaProblem):
        super().__init__(problem.message)
        self.table, self.problem = table, problem


def _check_field(f: object, i: int, names: dict[str, int], schema_missing: list) -> None:
    at = ("fields", i)
    if not isinstance(f, dict):
        raise SchemaProblem(at, f"fields[{i}] must be an object with a 'name' and a 'type', not {_show(f)}")
    name = f.get("name")
    if not isinstance(name, str) or not name:
        raise SchemaProblem((*at, "name") if "name" in f else at,
                            f"fields[{i}]: 'name' must be non-empty text, not {_show(name)}")
    if has_control(name):
        raise SchemaProblem((*at, "name"), f"fields[{i}]: the name {name!r} holds a control character; a header "
                                           "cannot show it")
    if name.startswith("__"):
        # The validator's own columns (__line__, a claim's __update_date ...) start so.
        raise SchemaProblem((*at, "name"), f"fields[{i}]: the name {name!r} starts with '__', which is reserved for "
                                           "the columns the validator adds (line numbers, context); rename the field")
    if name in names:
        raise SchemaProblem((*at, "name"), f"field {name!r} is listed twice (fields[{names[name]}] and fields[{i}])")
    names[name] = i
    label = f"field {name!r}"
    kind = f.get("type", "string")
    if not isinstance(kind, str) or kind not in SUPPORTED_TYPES:
        raise SchemaProblem((*at, "type"), f"{label}: type {_show(kind)} is not supported; supported: "
                                           f"{', '.join(SUPPORTED_TYPES)}")
    fmt = f.get("format", "default")
    formats = _STRING_FORMATS if kind == "string" else ("default",)
    if not isinstance(fmt, str) or fmt not in formats:
        raise SchemaProblem((*at, "format"), f"{label}: format {_show(fmt)} is not supported for {kind} fields; "
                                             f"supported: {', '.join(formats)}")
    for key in ("title", "description", "rdfType"):
        if key in f and not isinstance(f[key], str):
            raise SchemaProblem((*at, key), f"{label}: {key!r} must be text, not {_show(f[key])}")
    for key in f:
        if key in _APPLIES:
            raise SchemaProblem((*at, key), f"{label}: {key!r} belongs in 'constraints'; here no validator "
                                            "applies it")
        if key in _READING and f[key] != _READING[key]:
            raise SchemaProblem((*at, key), f"{label}: {key!r} is not supported by this validator (it reads "
                                            "numbers and categories in the default way only)")
    if "timeZone" in f:
        _check_time_zone(f["timeZone"], kind, label, (*at, "timeZone"))
    if "missingValues" in f:
        if not _texts(f["missingValues"]):
            raise SchemaProblem((*at, "missingValues"), f"{label}: 'missingValues' must be a list of text, not "
                                                        f"{_show(f['missingValues'])}")
        # The reader applies the schema's missing values only. On a number or a date a cell the
        # field alone calls missing is a loud type error here; on text it would pass unseen.
        if kind == "string" and set(f["missingValues"]) != set(schema_missing):
            raise SchemaProblem((*at, "missingValues"), f"{label}: 'missingValues' on a text field is not "
                                                        "supported (only the schema's are read); set them for "
                                                        "the whole schema")
    for key in ("trueValues", "falseValues"):
        if key in f and not _texts(f[key]):
            raise SchemaProblem((*at, key), f"{label}: {key!r} must be a list of text, not {_show(f[key])}")
    both = [v for v in f.get("trueValues", []) if v in f.get("falseValues", [])]
    if both:
        raise SchemaProblem((*at, "falseValues"), f"{label}: {both[0]!r} is in both 'trueValues' and "
                                                  "'falseValues'")
    constraints = f.get("constraints", {})
    if not isinstance(constraints, dict):
        raise SchemaProblem((*at, "constraints"), f"{label}: 'constraints' must be an object, not "
                                                  f"{_show(constraints)}")
    for key, value in constraints.items():
        _check_constraint(label, kind, key, value, (*at, "constraints", key))
    for low, high in (("minimum", "maximum"), ("minLength", "maxLength")):
        if low in constraints and high in constraints and constraints[low] > constraints[high]:
            raise SchemaProblem((*at, "constraints", low), f"{label}: constraints.{low} {constraints[low]} is "
                                f"above constraints.{high} {constraints[high]}: no value can meet both")


def _check_constraint(label: str, kind: str, key: str, value, at: tuple) -> None:
    name = f"{label}: constraints.{key}"
    if key in _NOT_APPLIED:
        raise SchemaProblem(at, f"{name} is not supported by this validator (nor by frictionless before "
                                "datapackage v2)")
    if key not in _APPLIES:
        raise SchemaProblem(at, f"{name} is not a constraint; the constraints are: {', '.join(_APPLIES)}")
    if kind not in _APPLIES[key]:
        raise SchemaProblem(at, f"{name} does not apply to {kind} fields (only to {', '.join(_APPLIES[key])})")
    if key in ("required", "unique"):
        if not isinstance(value, bool):
            raise SchemaProblem(at, f"{name} must be true or false, not {_show(value)}")
    elif key in ("minLength", "maxLength"):
        if not _whole(value) or value < 0:
            raise SchemaProblem(at, f"{name} must be a whole number, 0 or more, not {_show(value)}")
    elif key in ("minimum", "maximum"):
        if kind == "integer" and not _whole(value):
            raise SchemaProblem(at, f"{name} must be a whole number, not {_show(value)}")
        if kind == "number" and not _number(value):
            raise SchemaProblem(at, f"{name} must be a number, not {_show(value)}")
    elif key == "pattern":
        if not isinstance(value, str):
            raise SchemaProblem(at, f"{name} must be text (a regular expression), not {_show(value)}")
        problem = pattern_problem(value)
        if problem:
            raise SchemaProblem(at, f"{name} {value!r} {problem}")
    elif key == "enum":
        _check_enum(name, kind, value, at)


def _check_enum(name: str, kind: str, values, at: tuple) -> None:
    if not isinstance(values, list):
        raise SchemaProblem(at, f"{name} must be a list of the allowed values, not {_show(values)}")
    if not values:
        raise SchemaProblem(at, f"{name} is empty: no value would be allowed")
    for j, v in enumerate(values):
        if not _fits(kind, v):
            raise SchemaProblem((*at, j), f"{name}[{j}] is {_show(v)}, not {type_in_words(kind)}")
    seen = set()
    for v in values:
        if v in seen:
            raise SchemaProblem(at, f"{name} lists {v!r} twice")
        seen.add(v)


def _fits(kind: str, value) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return _whole(value)
    if not isinstance(value, str):
        return False
    for size, fmt in FORMATS_BY_LENGTH[kind].items():
        try:
            datetime.strptime(value, fmt)
        except ValueError:
            continue
        if len(value) == size:  # as cast.py reads them: zero-padded only
            return True
    return False


@functools.lru_cache(maxsize=1024)
def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be a Table Schema pattern here, or None when both engines read it alike.

    frictionless-py matches with Python's ``re``; the fast engine with Polars (Rust regex),
    as ``^(?:pattern)$``. A pattern must compile in both, and must not be one of the forms
    Python reads differently (a ``[`` inside a set, which Rust reads as a class like
    ``[:alpha:]``).

    Examples
    --------
    >>> pattern_problem("[a-z]+(-[a-z]+)*") is None
    True
    >>> pattern_problem("(?<=a)b")
    'does not compile in Polars (Rust regex, the fast engine): look-around, including look-ahead and look-behind, \
is not supported'
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        try:
            re.compile(pattern)
        except FutureWarning as exc:
            return f"is read differently by Python (frictionless) and Rust (the fast engine): {exc}; escape the '['"
        except (re.error, RecursionError, OverflowError) as exc:
            return f"does not compile in Python (re, which frictionless uses): {exc}"
    import polars as pl

    try:
        pl.Series([""], dtype=pl.String).str.contains(whole(pattern))
    except Exception as exc:  # noqa: BLE001 - Polars raises ComputeError and others for a bad regex
        return f"does not compile in Polars (Rust regex, the fast engine): {_regex_reason(exc)}"
    return None


def _regex_reason(exc: Exception) -> str:
    """The one line of a Rust regex error that says what is wrong."""
    lines = [line.strip() for line in str(exc).splitlines()]
    for line in lines:
        if line.startswith("error:"):
            return line.removeprefix("error:").strip()
    first = lines[0] if lines else type(exc).__name__
    return first.removeprefix("regex error:").strip()


def has_control(text: str) -> bool:
    """True when ``text`` holds a control character or a line or paragraph separator.

    Such a name is invisible in a spreadsheet's header, and would break the one line a
    message about it must stay.

    Examples
    --------
    >>> has_control("claim_id"), has_control("claim\\tid"), has_control("a\\u2028b")
    (False, True, True)
    """
    return any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text)


def _field_list(value, names: dict | None, at: tuple, label: str, *, empty_ok: bool = False,
                of: str = "the schema") -> list[str]:
    """``value`` as a list of field names, each in ``names`` (unless None), none twice."""
    items = _as_list(value)
    if items is None or (not items and not empty_ok) or not all(isinstance(n, str) and n for n in items):
        raise SchemaProblem(at, f"{label} must be a field name or a list of field names, not {_show(value)}")
    seen = set()
    for n in items:
        if names is not None and n not in names:
            raise SchemaProblem(at, f"{label}: {n!r} is not a field of {of}")
        if n in seen:
            raise SchemaProblem(at, f"{label} lists {n!r} twice")
        seen.add(n)
    return items


def _as_list(value) -> list | None:
    if isinstance(value, str):
        return [value]
    return list(value) if isinstance(value, list) else None


def _texts(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _count(items, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


def _show(value) -> str:
    """``value`` as a message shows it: JSON's words for null, true and false, else ``repr`` (cut short)."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _check_time_zone(zone: object, kind: str, label: str, at: tuple) -> None:
    """A datetime field's ``timeZone``: an IANA zone name this machine knows."""
    import zoneinfo

    if kind != "datetime":
        raise SchemaProblem(at, f"{label}: 'timeZone' applies to datetime fields only, not to {kind}")
    if not isinstance(zone, str) or not zone:
        raise SchemaProblem(at, f"{label}: 'timeZone' must be an IANA zone name such as 'Europe/Kyiv', not "
                                f"{_show(zone)}")
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise SchemaProblem(at, f"{label}: 'timeZone' {zone!r} is not a time zone this machine knows; use an "
                                "IANA name such as 'Europe/Kyiv' (pip install tzdata where the system has "
                                "none)") from None
