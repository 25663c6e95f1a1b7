"""Type text columns from their Table Schema fields (Polars expressions).

The text columns come from :mod:`conflictdata.read`, where missing values are already null.
:func:`parse` turns a text column into its typed column, null where the cell is missing *or*
does not parse; the validator (:func:`conflictdata.validation.structure.prepare`) keeps both
and reports "text present, value null" as a type error.
"""

from __future__ import annotations

from .schema import DATE_FORMAT, DATETIME_FORMAT, TIME_FORMAT, Field

# Lengths a cell must have before it is parsed: chrono alone accepts "2024-1-5", which the
# Frictionless reference validator rejects. A length test is far cheaper than a regex, and
# with the fixed formats below it admits exactly the zero-padded forms.
_LENGTHS = {"date": (10,), "time": (8,), "datetime": (19, 20)}


def parse(f: Field, text):
    """Polars expression: the typed value of text expression ``text`` (null if it does not parse)."""
    import polars as pl

    shaped = text
    if f.type in _LENGTHS:
        sizes = _LENGTHS[f.type]
        ok = text.str.len_bytes() == sizes[0] if len(sizes) == 1 else text.str.len_bytes().is_in(list(sizes))
        shaped = pl.when(ok).then(text)
    if f.type == "string":
        # An enum value outside the list becomes null here; the validator reports it.
        return text.cast(f.polars_type(), strict=f.enum is None)
    if f.type == "integer":
        return shaped.cast(pl.Int64, strict=False)
    if f.type == "number":
        return text.cast(pl.Float64, strict=False)
    if f.type == "boolean":
        return (pl.when(text.is_in(list(f.true_values))).then(True)
                .when(text.is_in(list(f.false_values))).then(False))
    if f.type == "date":
        return shaped.str.to_date(DATE_FORMAT, strict=False)
    if f.type == "time":
        return shaped.str.to_time(TIME_FORMAT, strict=False)
    if f.type == "datetime":
        return shaped.str.strip_suffix("Z").str.to_datetime(DATETIME_FORMAT, strict=False, time_unit="us")
    raise ValueError(f"field {f.name!r}: type {f.type!r} is not supported; use one of string, integer, "
                     "number, boolean, date, time, datetime")
