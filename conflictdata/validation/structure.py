"""Checks that come straight from the Table Schema: types, constraints and keys.

Each check is one vectorised Polars expression over the whole table, queued in a
:class:`~conflictdata.validation.collect.Batch` so that all of a table's checks are counted
in one parallel pass.
"""

from __future__ import annotations

from ..cast import parse
from ..read import LINE, RawTable
from ..report import Report
from ..schema import TableSchema
from .collect import DEFAULT_CAP, Batch

_TYPED = "\x1ftyped"  # suffix of the typed twin of a text column while both are needed


def check_header(raw: RawTable, schema: TableSchema) -> None:
    names = schema.names
    for name in names:
        if name not in raw.header:
            raw.fault(1, name, None, "missing-header", f"the column '{name}' is missing from the header")
    for name in raw.header:
        if name not in names:
            raw.fault(1, name, name, "extra-header",
                      f"the column '{name}' is not a field of the table; expected: {', '.join(names)}")
    if set(names) == set(raw.header) and names != raw.header:
        raw.fault(1, None, ",".join(raw.header), "header-order",
                  f"the columns are out of order; expected: {','.join(names)}")


def check_table(raw: RawTable, schema: TableSchema, report: Report, cap: int = DEFAULT_CAP):
    """Report type and constraint faults; return the typed table (with ``__line__``).

    Text columns stay as read (Arrow strings are shared, not copied); each non-text field
    gets a typed twin beside its text, so a type error is "text present, value null".
    """
    import polars as pl

    res, path = raw.resource.name, raw.resource.path
    present = [f for f in schema.fields if f.name in raw.frame.columns]
    work = raw.frame.with_columns([parse(f, pl.col(f.name)).alias(f.name + _TYPED)
                                   for f in present if f.type != "string" or f.enum is not None])
    batch = Batch(work, res, path)

    def typed(name):
        return pl.col(name + _TYPED) if name + _TYPED in work.columns else pl.col(name)

    for f in present:
        name, text, c = f.name, pl.col(f.name), f.constraints
        if f.type != "string":
            batch.add(text.is_not_null() & typed(name).is_null(), field=name, code="type-error",
                      message=lambda r, f=f: f"{f.name} is {r['value']!r}, which is not a valid {f.type}"
                      + (" (YYYY-MM-DD)" if f.type == "date" else ""))
        if c.get("required"):
            batch.add(text.is_null(), field=name, code="constraint-required",
                      message=lambda r, n=name: f"{n} is required but empty")
        if c.get("enum") is not None:
            allowed = [str(v) for v in c["enum"]]
            batch.add(text.is_not_null() & ~text.is_in(allowed), field=name, code="constraint-enum",
                      message=lambda r, n=name, a=allowed: f"{n} is {r['value']!r}; allowed: {', '.join(a)}")
        if "minimum" in c:
            batch.add(typed(name) < c["minimum"], field=name, code="constraint-minimum",
                      message=lambda r, n=name, m=c["minimum"]: f"{n} is {r['value']}, below the minimum {m}")
        if "maximum" in c:
            batch.add(typed(name) > c["maximum"], field=name, code="constraint-maximum",
                      message=lambda r, n=name, m=c["maximum"]: f"{n} is {r['value']}, above the maximum {m}")
        if "pattern" in c and f.type == "string":
            batch.add(~text.str.contains(f"^(?:{c['pattern']})$"), field=name, code="constraint-pattern",
                      message=lambda r, n=name, p=c["pattern"]:
                      f"{n} is {r['value']!r}, which does not match the pattern {p}")
        if "minLength" in c:
            batch.add(text.str.len_chars() < c["minLength"], field=name, code="constraint-min-length",
                      message=lambda r, n=name, m=c["minLength"]: f"{n} is shorter than {m} characters")
        if "maxLength" in c:
            batch.add(text.str.len_bytes() > c["maxLength"], field=name, code="constraint-max-length",
                      message=lambda r, n=name, m=c["maxLength"]: f"{n} is longer than {m} characters")
            # Bytes are a cheap upper bound of characters; only those rows are counted exactly.
            batch.items[-1].mask = (text.str.len_bytes() > c["maxLength"]) & (text.str.len_chars() > c["maxLength"])
        if c.get("unique"):
            batch.add(text.is_not_null() & ~text.is_first_distinct(), field=name, code="constraint-unique",
                      message=lambda r, n=name: f"{n} {r['value']!r} appears on an earlier line too; it must be unique")
    pk = list(schema.primary_key)
    if pk and all(k in raw.frame.columns for k in pk):
        key = pl.col(pk[0]) if len(pk) == 1 else pl.struct(pk)
        batch.add(pl.all_horizontal([pl.col(k).is_not_null() for k in pk]) & ~key.is_first_distinct(),
                  field=pk[0] if len(pk) == 1 else None, value_of=pk[0], code="primary-key",
                  message=lambda r: f"the primary key ({', '.join(pk)}) {r.get('value')!r} is used by an earlier row "
                                    "too")
    batch.run(report, cap)
    out = []
    for f in schema.fields:
        if f.name not in raw.frame.columns:
            out.append(pl.lit(None, dtype=f.polars_type()).alias(f.name))
        else:
            out.append(typed(f.name).alias(f.name))
    return work.select(*out, pl.col(LINE))


def check_foreign_keys(tables: dict, schemas: dict[str, TableSchema], paths: dict[str, str],
                       report: Report, cap: int = DEFAULT_CAP) -> None:
    """Every foreign key of every table points at an existing row (self-references too).

    ``tables`` holds the typed tables that could be read; a key into a table that could not
    be read is skipped (that table's own faults say why), a key into a table the package
    does not declare at all is a fault.
    """
    import polars as pl

    def joined(frame_cols):
        exprs = [pl.col(c).cast(pl.String) for c in frame_cols]
        return exprs[0] if len(exprs) == 1 else pl.concat_str(exprs, separator="\x1f")

    for name, typed in tables.items():
        batch = Batch(typed, name, paths[name])
        for fk in schemas[name].foreign_keys:
            target = fk.resource or name
            if target not in schemas:
                batch.add(pl.int_range(pl.len()) == 0, field=fk.fields[0], code="foreign-key",
                          message=lambda r, t=target: f"the foreign key points at a table '{t}' that the package lacks")
                continue
            if target not in tables:
                continue
            keys = tables[target].select(joined(fk.reference_fields).alias("k")).get_column("k")
            present = pl.all_horizontal([pl.col(c).is_not_null() for c in fk.fields])
            batch.add(present & ~joined(fk.fields).is_in(keys.drop_nulls().unique().implode()),
                      field=fk.fields[0], code="foreign-key",
                      message=lambda r, fk=fk, t=target: (
                          f"{', '.join(fk.fields)} {r['value']!r} matches no {', '.join(fk.reference_fields)} "
                          f"in the table '{t}'"))
        batch.run(report, cap)
