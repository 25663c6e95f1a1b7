"""Type text columns from their Table Schema fields (Polars expressions).

The text columns come from :mod:`conflictdata.read`, where missing values are already null.
:func:`parse` turns a text column into its typed column, null where the cell is missing *or*
does not parse; the validator (:func:`conflictdata.validation.structure.prepare`) keeps both
and reports "text present, value null" as a type error.
"""

from __future__ import annotations

from .schema import DATE_FORMAT, DATETIME_FORMAT, TIME_FORMAT, Field

# Formats by the length a cell must have: chrono alone accepts "2024-1-5", which the
# Frictionless reference validator rejects. A length test is far cheaper than a regex, and
# with these fixed formats it admits exactly the zero-padded forms.
FORMATS_BY_LENGTH = {
    "date": {10: DATE_FORMAT},
    "time": {8: TIME_FORMAT},
    "datetime": {19: DATETIME_FORMAT, 20: DATETIME_FORMAT + "Z"},  # naive, or UTC with a Z
}


# The whole shape of a valid cell, in ASCII digits. The parser alone is too lenient: it skips
# a leading space (" 024-01-01"), takes a sign or year 0 ("-001-01-01", "0000-01-01": not
# dates Python or the reference validator can hold) and a leap second ("23:59:60").
_YEAR = "(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
_CLOCK = "(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
SHAPES = {
    "date": f"^{_YEAR}-[0-9]{{2}}-[0-9]{{2}}$",
    "time": f"^{_CLOCK}$",
    "datetime": f"^{_YEAR}-[0-9]{{2}}-[0-9]{{2}}T{_CLOCK}Z?$",
}


def parse(f: Field, text):
    """Polars expression: the typed value of text expression ``text`` (null if it does not parse)."""
    import polars as pl

    if f.type == "string":
        # An enum value outside the list becomes null here; the validator reports it.
        return text.cast(f.polars_type(), strict=f.enum is None)
    if f.type == "integer":
        return text.cast(pl.Int64, strict=False)
    if f.type == "number":
        return text.cast(pl.Float64, strict=False)
    if f.type == "boolean":
        return (pl.when(text.is_in(list(f.true_values))).then(True)
                .when(text.is_in(list(f.false_values))).then(False))
    if f.type in FORMATS_BY_LENGTH:
        # One parse per format, each on the cells of its length: the other cells are null
        # there, which the parser passes over for free. No cache: it costs more than it saves
        # even when a column repeats a few thousand values.
        to = {"date": lambda t, fmt: t.str.to_date(fmt, strict=False, cache=False),
              "time": lambda t, fmt: t.str.to_time(fmt, strict=False, cache=False),
              "datetime": lambda t, fmt: t.str.to_datetime(fmt, strict=False, time_unit="us", cache=False)}[f.type]
        size = text.str.len_bytes()
        parsed = [to(pl.when(size == n).then(text), fmt) for n, fmt in FORMATS_BY_LENGTH[f.type].items()]
        if f.type == "datetime" and f.time_zone:
            # Wall-clock values in the field's zone; "Z" marks UTC. A clock time the zone skips
            # (the hour lost to summer time) is null, so a type error; of a repeated hour, the first.
            parsed = [p.dt.replace_time_zone("UTC").dt.convert_time_zone(f.time_zone) if fmt.endswith("Z") else
                      p.dt.replace_time_zone(f.time_zone, ambiguous="earliest", non_existent="null")
                      for p, fmt in zip(parsed, FORMATS_BY_LENGTH[f.type].values(), strict=True)]
        value = parsed[0] if len(parsed) == 1 else pl.coalesce(parsed)
        return pl.when(text.str.contains(SHAPES[f.type])).then(value)
    raise ValueError(f"field {f.name!r}: type {f.type!r} is not supported; use one of string, integer, "
                     "number, boolean, date, time, datetime")
