"""Table Schema in, engine types out: the one mapping from Frictionless types.

Every type and constraint in this project is declared once, in ``schemas/*.json``. This
module reads a Table Schema into small objects and maps its field types to Polars, Arrow and
pandas types; nothing else in the project spells a column's type.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl
    import pyarrow as pa
    from polars.datatypes import DataTypeClass

# Formats the validator and the loader parse (Frictionless "default" formats).
DATE_FORMAT = "%Y-%m-%d"
TIME_FORMAT = "%H:%M:%S"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
SUPPORTED_TYPES = ("string", "integer", "number", "boolean", "date", "time", "datetime")
# How the other formats spell each Table Schema type: SQLite's column type (SQLite has no date
# type: dates and times stay ISO 8601 text, which its date functions read), the JSON Schema type
# and format of a value in a submission, and the type in words, for messages.
_SPELLINGS: dict[str, tuple[str, str, str | None, str]] = {
    "string": ("TEXT", "string", None, "text"),
    "integer": ("INTEGER", "integer", None, "a whole number"),
    "number": ("REAL", "number", None, "a number"),
    "boolean": ("INTEGER", "boolean", None, "true or false"),
    "date": ("TEXT", "string", "date", "a date (YYYY-MM-DD)"),
    "time": ("TEXT", "string", "time", "a time (hh:mm:ss)"),
    "datetime": ("TEXT", "string", "date-time", "a datetime (YYYY-MM-DDThh:mm:ss)"),
}


def whole(pattern: str) -> str:
    """A Table Schema ``pattern`` as a regular expression that must match the whole value.

    Table Schema patterns match the whole cell (XML Schema style); Python's ``re.search`` and
    Polars' ``str.contains`` find them anywhere, so every engine anchors them this one way.

    Examples
    --------
    >>> whole("[a-z]+|[0-9]+")
    '^(?:[a-z]+|[0-9]+)$'
    """
    return f"^(?:{pattern})$"


def type_in_words(type_: str) -> str:
    """A Table Schema type as a message says it: ``"integer"`` is "a whole number"."""
    return _SPELLINGS[type_][3]


@dataclass(frozen=True)
class Field:
    """One field of a Table Schema."""

    name: str
    type: str = "string"
    format: str = "default"
    description: str = ""
    constraints: dict = field(default_factory=dict)
    true_values: tuple[str, ...] = ("true", "True", "TRUE", "1")
    false_values: tuple[str, ...] = ("false", "False", "FALSE", "0")
    # This package's own field properties: the IANA time zone a datetime's wall-clock values
    # are in ("timeZone"; typed values are then zone-aware), and the field a qualifier such
    # as a precision or a link reason describes ("qualifies").
    time_zone: str | None = None
    qualifies: str | None = None
    # The counts this one adds up when a source gives them as one figure ("shot down or
    # suppressed": intercepted and lost), so that sums of outcomes count them once.
    combines: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required"))

    @property
    def enum(self) -> list | None:
        return self.constraints.get("enum")

    @property
    def pattern(self) -> str | None:
        """The field's ``pattern`` anchored to the whole value (see :func:`whole`), or None."""
        p = self.constraints.get("pattern")
        return whole(p) if p is not None and self.type == "string" else None

    def sqlite_type(self) -> str:
        """The SQLite column type: ``TEXT``, ``INTEGER`` or ``REAL``."""
        return _SPELLINGS[self.type][0]

    def json_type(self) -> str:
        """The JSON Schema type of a value of this field (dates and times are strings)."""
        return _SPELLINGS[self.type][1]

    def json_format(self) -> str | None:
        """The JSON Schema ``format`` of a date, time or datetime value; None for other types."""
        return _SPELLINGS[self.type][2]

    def polars_type(self) -> pl.DataType | DataTypeClass:
        import polars as pl

        if self.enum is not None and self.type == "string":
            return pl.Enum([str(v) for v in self.enum])
        types: dict[str, pl.DataType | DataTypeClass] = {
            "string": pl.String,
            "integer": pl.Int64,
            "number": pl.Float64,
            "boolean": pl.Boolean,
            "date": pl.Date,
            "time": pl.Time,
            "datetime": pl.Datetime("us", self.time_zone),
        }
        return types[self.type]

    def arrow_type(self) -> pa.DataType:
        import pyarrow as pa

        if self.enum is not None and self.type == "string":
            return pa.dictionary(pa.int32(), pa.string())
        return {
            "string": pa.string(),
            "integer": pa.int64(),
            "number": pa.float64(),
            "boolean": pa.bool_(),
            "date": pa.date32(),
            "time": pa.time64("us"),  # a release stores hh:mm:ss text instead (Spark reads no TIME by default)
            "datetime": pa.timestamp("s", tz=self.time_zone),
        }[self.type]


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str  # "" = the same table
    reference_fields: tuple[str, ...]


@dataclass(frozen=True)
class TableSchema:
    """A Table Schema: fields, primary key, foreign keys and missing values."""

    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    missing_values: tuple[str, ...] = ("",)
    description: str = ""
    # This package's own properties (Table Schema allows more): the fields that identify one
    # claim (same claimant, attack and update), which the duplicate-claim rule compares; the
    # field a submission derives a row's id from; what a claim view shows of a row a claim
    # points at; the fields that make a source without a url the same document.
    claim_key: tuple[str, ...] = ()
    id_from: str | None = None
    label_fields: tuple[str, ...] = ()
    identity_fields: tuple[str, ...] = ()
    # What a claim's figure counts beyond its event, measure and munition type: two claims'
    # figures are comparable only when these fields agree (the victims counted), and, for a
    # claim whose ``scope`` is 'part', when the part's fields agree too (its place and window).
    scope_key: tuple[str, ...] = ()
    part_key: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, d: dict) -> TableSchema:
        fields = []
        for f in d.get("fields", []):
            kw = {}
            if "trueValues" in f:
                kw["true_values"] = tuple(f["trueValues"])
            if "falseValues" in f:
                kw["false_values"] = tuple(f["falseValues"])
            fields.append(
                Field(
                    name=f["name"],
                    type=f.get("type", "string"),
                    format=f.get("format", "default"),
                    description=f.get("description", ""),
                    constraints=dict(f.get("constraints", {})),
                    time_zone=f.get("timeZone"),
                    qualifies=f.get("qualifies"),
                    combines=_as_tuple(f.get("combines", ())),
                    **kw,
                )
            )
        fks = []
        for fk in d.get("foreignKeys", []):
            ref = fk.get("reference", {})
            fks.append(ForeignKey(_as_tuple(fk["fields"]), ref.get("resource", ""), _as_tuple(ref["fields"])))
        return cls(
            fields=tuple(fields),
            primary_key=_as_tuple(d.get("primaryKey", ())),
            foreign_keys=tuple(fks),
            missing_values=tuple(d.get("missingValues", [""])),
            description=d.get("description", ""),
            claim_key=_as_tuple(d.get("claimKey", ())),
            id_from=d.get("idFrom"),
            label_fields=_as_tuple(d.get("labelFields", ())),
            identity_fields=_as_tuple(d.get("identityFields", ())),
            scope_key=_as_tuple(d.get("scopeKey", ())),
            part_key=_as_tuple(d.get("partKey", ())),
        )

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def counts(self) -> list[str]:
        """Integer fields that count things (minimum 0), bounds included."""
        return [f.name for f in self.fields if f.type == "integer" and f.constraints.get("minimum") == 0]

    def measures(self) -> list[str]:
        """What a claim of this table measures: its counts without their bounds.

        A count ``x`` may have bounds ``x_low`` and ``x_high`` (themselves counts); the bounds are
        not measures of their own. The one definition the rules and :mod:`conflictdata.events` use.

        Examples
        --------
        >>> schema = TableSchema.from_dict({"fields": [
        ...     {"name": n, "type": "integer", "constraints": {"minimum": 0}}
        ...     for n in ("launched", "launched_low", "launched_high", "hit")]})
        >>> schema.measures()
        ['launched', 'hit']
        >>> schema.bounds("launched"), schema.bounds("hit")
        (('launched_low', 'launched_high'), (None, None))
        """
        names = self.counts()
        bounds = {f"{n}_{s}" for n in names for s in ("low", "high") if f"{n}_{s}" in names}
        return [n for n in names if n not in bounds]

    def bounds(self, measure: str) -> tuple[str | None, str | None]:
        """The ``_low`` and ``_high`` count fields of ``measure``, None where the schema has none."""
        names = set(self.counts())
        low, high = f"{measure}_low", f"{measure}_high"
        return (low if low in names else None, high if high in names else None)

    def polars_schema(self) -> dict[str, pl.DataType | DataTypeClass]:
        return {f.name: f.polars_type() for f in self.fields}

    def arrow_schema(self) -> pa.Schema:
        import pyarrow as pa

        return pa.schema(
            [pa.field(f.name, f.arrow_type(), nullable=not f.required, metadata={"description": f.description})
             for f in self.fields]
        )


def pandas_types() -> dict[pa.DataType, Any]:
    """Arrow type -> pandas dtype for ``Table.to_pandas(types_mapper=...)``: nullable integers,
    booleans and strings (dates, times and dictionaries convert as pyarrow does)."""
    import pandas as pd
    import pyarrow as pa

    return {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype(), pa.string(): pd.StringDtype()}


def _as_tuple(v: str | Iterable[str]) -> tuple[str, ...]:
    return (v,) if isinstance(v, str) else tuple(v)
