"""Checks that come straight from the Table Schema: types, constraints and keys.

Each check is one vectorised Polars expression over the whole table; rows where it is true
become Faults through :func:`~conflictdata.validate.collect.collect`.
"""

from __future__ import annotations

from ..cast import nulled, parse, typed_frame
from ..read import LINE, RawTable
from ..report import Report
from ..schema import TableSchema
from .collect import collect


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


def check_table(raw: RawTable, schema: TableSchema, report: Report, cap: int):
    """Report type and constraint faults; return the typed table (with ``__line__``)."""
    import polars as pl

    frame = raw.frame
    res, path = raw.resource.name, raw.resource.path
    typed = typed_frame(frame, schema, keep=(LINE,))
    # Joined side by side so each check sees the text and the typed value of a cell.
    text = frame.select([nulled(schema.field(c), schema.missing_values).alias(f"{c}__text")
                         for c in schema.names if c in frame.columns])
    both = pl.concat([typed, text], how="horizontal")

    def add(mask, field, code, message, **kw):
        collect(report, both, mask, resource=res, path=path, field=field, code=code,
                message=message, value_of=kw.pop("value_of", f"{field}__text"), cap=cap, **kw)

    for f in schema.fields:
        if f.name not in frame.columns:
            continue
        name, t = f.name, pl.col(f"{f.name}__text")
        c = f.constraints
        typed_col = pl.col(name)
        if f.type != "string":
            add(t.is_not_null() & parse(f, t).is_null(), name, "type-error",
                lambda r, f=f: f"{f.name} is {r['value']!r}, which is not a valid {f.type}"
                + (" (YYYY-MM-DD)" if f.type == "date" else ""))
        if c.get("required"):
            add(t.is_null(), name, "constraint-required", lambda r, n=name: f"{n} is required but empty")
        if c.get("enum") is not None:
            allowed = [str(v) for v in c["enum"]]
            add(t.is_not_null() & ~t.is_in(allowed), name, "constraint-enum",
                lambda r, n=name, a=allowed: f"{n} is {r['value']!r}; allowed: {', '.join(a)}")
        if "minimum" in c:
            add(typed_col < c["minimum"], name, "constraint-minimum",
                lambda r, n=name, m=c["minimum"]: f"{n} is {r['value']}, below the minimum {m}")
        if "maximum" in c:
            add(typed_col > c["maximum"], name, "constraint-maximum",
                lambda r, n=name, m=c["maximum"]: f"{n} is {r['value']}, above the maximum {m}")
        if "pattern" in c and f.type == "string":
            add(t.is_not_null() & ~t.str.contains(f"^(?:{c['pattern']})$"), name, "constraint-pattern",
                lambda r, n=name, p=c["pattern"]: f"{n} is {r['value']!r}, which does not match the pattern {p}")
        if "minLength" in c:
            add(t.str.len_chars() < c["minLength"], name, "constraint-min-length",
                lambda r, n=name, m=c["minLength"]: f"{n} is shorter than {m} characters")
        if "maxLength" in c:
            add(t.str.len_chars() > c["maxLength"], name, "constraint-max-length",
                lambda r, n=name, m=c["maxLength"]: f"{n} is longer than {m} characters")
        if c.get("unique"):
            add(t.is_not_null() & ~t.is_first_distinct(), name, "constraint-unique",
                lambda r, n=name: f"{n} {r['value']!r} appears on an earlier line too; it must be unique")
    pk = [k for k in schema.primary_key if k in frame.columns]
    if pk and len(pk) == len(schema.primary_key):
        key = pl.struct([pl.col(f"{k}__text") for k in pk])
        shown = pk[0] if len(pk) == 1 else None
        add(pl.all_horizontal([pl.col(f"{k}__text").is_not_null() for k in pk]) & ~key.is_first_distinct(),
            shown, "primary-key",
            lambda r, pk=pk: f"the primary key ({', '.join(pk)}) {r.get('value')!r} is used by an earlier row too",
            value_of=f"{pk[0]}__text")
    return typed


def check_foreign_keys(tables: dict, schemas: dict[str, TableSchema], paths: dict[str, str],
                       report: Report, cap: int) -> None:
    """Every foreign key of every table points at an existing row (self-references too).

    ``tables`` holds the typed tables that could be read; a key into a table that could not
    be read is skipped (that table's own faults say why), a key into a table the package
    does not declare at all is a fault.
    """
    import polars as pl

    for name, typed in tables.items():
        for fk in schemas[name].foreign_keys:
            target = fk.resource or name
            if target not in schemas:
                collect(report, typed.head(1), pl.lit(True), resource=name, path=paths[name], field=fk.fields[0],
                        code="foreign-key", cap=1,
                        message=lambda r, t=target: f"the foreign key points at a table '{t}' that the package lacks")
                continue
            if target not in tables:
                continue
            pairs = zip(fk.fields, fk.reference_fields, strict=True)
            keyset = (tables[target]
                      .select([pl.col(r).cast(pl.String).alias(c) for c, r in pairs])
                      .drop_nulls().unique().with_columns(pl.lit(True).alias("__found__")))
            child = typed.with_columns([pl.col(c).cast(pl.String) for c in fk.fields])
            marked = child.join(keyset, on=list(fk.fields), how="left", nulls_equal=False, maintain_order="left")
            present = pl.all_horizontal([pl.col(c).is_not_null() for c in fk.fields])
            collect(report, marked, present & pl.col("__found__").is_null(), resource=name, path=paths[name],
                    field=fk.fields[0], code="foreign-key", cap=cap,
                    message=lambda r, fk=fk, t=target: (
                        f"{', '.join(fk.fields)} {r['value']!r} is not a {', '.join(fk.reference_fields)} "
                        f"of any row in the table '{t}'"))
