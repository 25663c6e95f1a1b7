"""Table Schema in, engine types out: the one mapping from Frictionless types.

Every type and constraint in this project is declared once, in ``schemas/*.json``. This
module reads a Table Schema into small objects and maps its field types to Polars, Arrow and
pandas types; nothing else in the project spells a column's type.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Formats the validator and the loader parse (Frictionless "default" formats).
DATE_FORMAT = "%Y-%m-%d"
TIME_FORMAT = "%H:%M:%S"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
SUPPORTED_TYPES = ("string", "integer", "number", "boolean", "date", "time", "datetime")


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

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required"))

    @property
    def enum(self) -> list | None:
        return self.constraints.get("enum")

    def polars_type(self):
        import polars as pl

        if self.enum is not None and self.type == "string":
            return pl.Enum([str(v) for v in self.enum])
        return {
            "string": pl.String,
            "integer": pl.Int64,
            "number": pl.Float64,
            "boolean": pl.Boolean,
            "date": pl.Date,
            "time": pl.Time,
            "datetime": pl.Datetime("us"),
        }[self.type]

    def arrow_type(self):
        import pyarrow as pa

        if self.enum is not None and self.type == "string":
            return pa.dictionary(pa.int32(), pa.string())
        return {
            "string": pa.string(),
            "integer": pa.int64(),
            "number": pa.float64(),
            "boolean": pa.bool_(),
            "date": pa.date32(),
            "time": pa.time64("us"),  # Parquet TIME(MICROS): what Spark 4.1 reads
            "datetime": pa.timestamp("s"),
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
        )

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def polars_schema(self) -> dict:
        return {f.name: f.polars_type() for f in self.fields}

    def arrow_schema(self):
        import pyarrow as pa

        return pa.schema(
            [pa.field(f.name, f.arrow_type(), nullable=not f.required, metadata={"description": f.description})
             for f in self.fields]
        )


def _as_tuple(v) -> tuple[str, ...]:
    return (v,) if isinstance(v, str) else tuple(v)
