"""Checks that come straight from the Table Schema: types, constraints and keys.

Each check is one vectorised Polars expression over the whole table, queued in a
:class:`~conflictdata.validation.collect.Batch` so that all of a table's checks are counted
in one parallel pass.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..cast import parse
from ..catalogue import get
from ..read import LINE, RawTable
from ..schema import TableSchema, whole
from .collect import TEXT as _TEXT
from .collect import Batch

if TYPE_CHECKING:
    import polars as pl

    from ..schema import ForeignKey


def check_header(raw: RawTable, schema: TableSchema) -> None:
    names, line = schema.names, raw.header_line
    for name in names:
        if name not in raw.header:
            raw.fault(line, name, None, "missing-header", f"the column '{name}' is missing from the header")
    for name in raw.header:
        if name not in names:
            raw.fault(line, name, name, "extra-header",
                      f"the column '{name}' is not a field of the table; expected: {', '.join(names)}")
    if set(names) == set(raw.header) and names != raw.header:
        raw.fault(line, None, ",".join(raw.header), "header-order",
                  f"the columns are out of order; expected: {','.join(names)}")




def prepare(frame: pl.DataFrame, schema: TableSchema) -> pl.DataFrame:
    """Every schema field typed under its own name (absent ones null), plus ``__line__``.

    The text a parsed field came from stays beside it as ``<name>`` + ``_TEXT`` (Arrow
    strings are shared, not copied), so one frame serves the cell checks, the foreign keys
    and the rules, and a type error is "text present, value null".
    """
    import polars as pl

    parsed = [f for f in schema.fields if f.name in frame.columns and (f.type != "string" or f.enum is not None)]
    absent = [f for f in schema.fields if f.name not in frame.columns]
    return frame.with_columns(
        *[pl.col(f.name).alias(f.name + _TEXT) for f in parsed],
        *[parse(f, pl.col(f.name)).alias(f.name) for f in parsed],
        *[pl.lit(None, dtype=f.polars_type()).alias(f.name) for f in absent],
    )


def typed_view(work: pl.DataFrame, schema: TableSchema) -> pl.DataFrame:
    """The typed table from :func:`prepare`'s frame: the schema's fields and ``__line__``."""
    return work.select(*schema.names, LINE)


def queue_cell_checks(batch: Batch, schema: TableSchema, present: Collection[str],
                      refs: Sequence[Reference] = ()) -> None:
    """Checks of one cell at a time (types and constraints) on a :func:`prepare` frame.

    ``present`` names the columns the file has: a field it lacks is a header fault, not a
    fault on every row. With ``refs`` (attached to the frame), a value that matches a key
    of the table it points at is not matched against the field's pattern again when every
    such key matches it: most of the regex work of a claims table.
    """
    import polars as pl

    work = batch.frame
    known = {ref.fk.fields[0]: ref.found() for ref in refs if ref.keys_match}

    def text_of(name: str) -> str:
        return name + _TEXT if name + _TEXT in work.columns else name

    for f in schema.fields:
        if f.name not in present:
            continue
        name, c = f.name, f.constraints
        text, typed, shown = pl.col(text_of(name)), pl.col(name), text_of(name)
        # Polars keeps each column's null count: equal counts of text and typed nulls mean
        # every cell parsed, and no text nulls mean nothing required is empty.
        def same_nulls(fr, n=name, t=shown):
            return fr.get_column(n).null_count() == fr.get_column(t).null_count()

        if f.type != "string":
            batch.add(text.is_not_null() & typed.is_null(), field=name, code="type-error", value_of=shown,
                      message=get("type-error").say(field=name, type=f.type,
                                                    hint=" (YYYY-MM-DD)" if f.type == "date" else ""),
                      clean=same_nulls)
        if c.get("required"):
            batch.add(text.is_null(), field=name, code="constraint-required", value_of=shown,
                      message=get("constraint-required").say(field=name),
                      clean=lambda fr, t=shown: fr.get_column(t).null_count() == 0)
        if c.get("enum") is not None:
            allowed = [str(v) for v in c["enum"]]
            # A string enum is parsed into a Polars Enum, null when the text is not allowed.
            parsed = f.type == "string" and shown != name
            outside = typed.is_null() if parsed else ~text.is_in(allowed)
            batch.add(text.is_not_null() & outside, field=name, code="constraint-enum", value_of=shown,
                      clean=same_nulls if parsed else None,
                      message=get("constraint-enum").say(field=name, allowed=", ".join(allowed)))
        if "minimum" in c:
            batch.add(typed < c["minimum"], field=name, code="constraint-minimum", value_of=shown,
                      message=get("constraint-minimum").say(field=name, minimum=c["minimum"]))
        if "maximum" in c:
            batch.add(typed > c["maximum"], field=name, code="constraint-maximum", value_of=shown,
                      message=get("constraint-maximum").say(field=name, maximum=c["maximum"]))
        if "pattern" in c and f.type == "string" and f.pattern is not None:  # f.pattern: c's, anchored
            unknown = text if name not in known else pl.when(~known[name]).then(text)
            batch.add(~unknown.str.contains(f.pattern), field=name, code="constraint-pattern",
                      value_of=shown, message=get("constraint-pattern").say(field=name, pattern=c["pattern"]))
        if "minLength" in c:
            batch.add(text.str.len_chars() < c["minLength"], field=name, code="constraint-min-length",
                      value_of=shown, message=get("constraint-min-length").say(field=name, length=c["minLength"]))
        if "maxLength" in c:
            # Bytes bound characters from above, cheaply: count characters only past the limit.
            batch.add((text.str.len_bytes() > c["maxLength"]) & (text.str.len_chars() > c["maxLength"]),
                      field=name, code="constraint-max-length", value_of=shown,
                      message=get("constraint-max-length").say(field=name, length=c["maxLength"]))


def key_columns(schema: TableSchema) -> set[str]:
    """Fields whose values are compared across rows: unique fields, the primary key, self-references."""
    cols = {f.name for f in schema.fields if f.constraints.get("unique")} | set(schema.primary_key)
    for fk in schema.foreign_keys:
        if fk.resource == "":
            cols |= set(fk.fields) | set(fk.reference_fields)
    return cols


def queue_key_checks(batch: Batch, schema: TableSchema, name: str) -> None:
    """Unique fields, the primary key and self-references, on the whole (typed) table."""
    import polars as pl

    pk = list(schema.primary_key)
    unique = [f.name for f in schema.fields if f.constraints.get("unique")]
    keyed = {f"unique {n}": pl.col(n).drop_nulls() for n in unique}
    if len(pk) > 1 or (pk and pk[0] not in unique):  # a one-field key that is also unique: hashed once
        keyed["primary key"] = (pl.struct(pk) if len(pk) > 1 else pl.col(pk[0])).filter(
            pl.all_horizontal([pl.col(k).is_not_null() for k in pk]))
    repeated = may_repeat(batch.frame, keyed)
    if len(pk) == 1 and f"unique {pk[0]}" in repeated:
        repeated.add("primary key")
    for n in unique:
        if f"unique {n}" in repeated:
            col = pl.col(n)
            batch.add(col.is_not_null() & ~col.is_first_distinct(), field=n, code="constraint-unique",
                      message=get("constraint-unique").say(field=n))
    if "primary key" in repeated:
        key = pl.col(pk[0]) if len(pk) == 1 else pl.struct(pk)
        batch.add(pl.all_horizontal([pl.col(k).is_not_null() for k in pk]) & ~key.is_first_distinct(),
                  field=pk[0] if len(pk) == 1 else None, value_of=pk[0], code="primary-key",
                  message=get("primary-key").say(key=", ".join(pk)))
    refs = references(schema, name, {name: batch.frame}, only_self=True)
    batch.frame = attach(batch.frame, refs)
    queue_foreign_keys(batch, refs)


def may_repeat(frame: pl.DataFrame, keys: dict[str, Any]) -> set[str]:
    """The names in ``keys`` (name: Polars expression) whose values may repeat in ``frame``.

    Equal values have equal 64-bit hashes, so a key whose hashes are all distinct has no
    repeats and needs no exact check. Counting a million distinct hashes costs a sixth of
    the hash set of strings that finds the repeats themselves.
    """
    if not keys:
        return set()
    hashes = {n: e.hash(seed=0) for n, e in keys.items()}
    found = frame.select([(h.n_unique() < h.len()).alias(n) for n, h in hashes.items()])
    return {n for n, hit in found.row(0, named=True).items() if hit}


@dataclass
class Reference:
    """One foreign key prepared for checking: the referenced keys as a frame to join on.

    ``frame`` holds the key columns (named as in the referring table), a ``flag`` column that
    is true on every row, and any looked-up context columns; None when the target table is
    not in the package (each referring row is then a fault). A row whose key finds no
    match gets a null flag (:func:`attach`: a binary search in the keys, sorted once, which
    costs less than ``is_in`` on large key sets).
    """

    fk: ForeignKey
    target: str
    frame: pl.DataFrame | None
    flag: str
    keys: pl.Series | None = None  # a small key set, tested with is_in instead of a join
    keys_match: bool = False  # every referenced key matches the referring field's pattern

    def found(self) -> pl.Expr:
        """Polars expression, on an :func:`attach`-ed frame: the row's key is in the target."""
        import polars as pl

        if self.flag in _attached(self):
            return pl.col(self.flag).is_not_null()
        # not joined on: a small key set (a missing target, frame None, is never asked what it found)
        assert self.keys is not None
        return pl.col(self.fk.fields[0]).cast(pl.String).is_in(self.keys)


_JOIN_ABOVE = 50_000  # referenced keys above which attach's binary search beats is_in

def references(schema: TableSchema, name: str, targets: dict[str, pl.DataFrame], *, only_self: bool = False,
               declared: set[str] | None = None, memo: dict[Any, Any] | None = None) -> list[Reference]:
    """The foreign keys of ``schema`` into the typed tables in ``targets``, ready to join.

    A key into a table missing from ``targets`` is skipped (that table could not be read);
    with ``declared`` (every table of the package) a key into a table outside it is kept
    with ``frame=None`` and becomes a fault. ``memo`` (a dict kept for one validation) shares
    the prepared keys between tables that point at the same keys (claims at their updates).
    """
    out: list[Reference] = []
    for fk in schema.foreign_keys:
        target = fk.resource or name
        if (target == name) != only_self:
            continue
        # Named for the key, not its position: tables whose keys are alike share the frame.
        flag = f"\x1ffound {','.join(fk.fields)}>{target}.{','.join(fk.reference_fields)}"
        if declared is not None and target not in declared:
            out.append(Reference(fk, target, None, flag))
        elif target in targets:
            pattern = None
            if len(fk.fields) == 1 and fk.fields[0] in schema.names:
                pattern = schema.field(fk.fields[0]).constraints.get("pattern")
            prepared = None if memo is None else memo.get((flag, pattern))
            if prepared is None:
                prepared = _prepare_keys(targets[target], fk, flag, pattern)
                if memo is not None:
                    memo[(flag, pattern)] = prepared
            out.append(Reference(fk, target, *prepared))
    return out


def _prepare_keys(table: pl.DataFrame, fk: ForeignKey, flag: str,
                  pattern: str | None) -> tuple[pl.DataFrame, str, pl.Series | None, bool]:
    """(frame, flag, keys, keys_match) of a :class:`Reference` to ``table``."""
    import polars as pl

    pairs = zip(fk.reference_fields, fk.fields, strict=True)
    frame = table.select([pl.col(r).cast(pl.String).alias(c) for r, c in pairs]).drop_nulls()
    keys, keys_match = None, False
    if len(fk.fields) > 1:
        frame = frame.unique()
    else:
        field = fk.fields[0]
        frame = sorted_distinct(frame, field)  # for the binary search in attach
    frame = frame.with_columns(pl.lit(True).alias(flag))
    if len(fk.fields) == 1:
        if frame.height <= _JOIN_ABOVE:
            keys = frame.get_column(field).implode()
        if pattern:
            keys_match = bool(frame.select(pl.col(field).str.contains(whole(pattern)).all()).item())
    return frame, flag, keys, keys_match


def sorted_distinct(frame: pl.DataFrame, key: str) -> pl.DataFrame:
    """``frame`` sorted by ``key``, with only the first row (in ``frame``'s order) of each key.

    Rows without a key are dropped. One stable sort: cheaper than finding the distinct keys
    and then sorting them.
    """
    import polars as pl

    return frame.sort(key, maintain_order=True).filter(pl.col(key).ne_missing(pl.col(key).shift(1)))


def _attached(ref: Reference) -> list[str]:
    """The columns :func:`attach` adds to a frame for ``ref``."""
    if ref.frame is None or (ref.keys is not None and ref.frame.width == 2):
        return []  # no join for a missing target or a small key set without context columns
    return [c for c in ref.frame.columns if c not in ref.fk.fields]


def attach(frame: pl.DataFrame, refs: list[Reference]) -> pl.DataFrame:
    """``frame`` with each reference's flag (and context) columns joined on."""
    import polars as pl

    columns: list[pl.Series] = []
    for ref in refs:
        if ref.frame is None or not _attached(ref):  # (no columns are attached without a frame)
            continue
        keys = list(ref.fk.fields)
        if len(keys) == 1:
            columns += _look_up(frame.get_column(keys[0]).cast(pl.String), ref.frame, keys[0])
            continue
        joined = (frame.select([pl.col(k).cast(pl.String) for k in keys])
                  .join(ref.frame, on=keys, how="left", maintain_order="left"))
        columns += [joined.get_column(c) for c in ref.frame.columns if c not in keys]
    return frame.with_columns(columns) if columns else frame


def _look_up(values: pl.Series, table: pl.DataFrame, key: str) -> list[pl.Series]:
    """Columns of ``table`` (sorted by ``key``) for each of ``values``; nulls where none matches.

    A binary search into the sorted keys, built once per table, not a hash join per batch: a
    batch of 80,000 claims against 2 million updates costs milliseconds instead of a tenth of
    a second, which is most of the time at ten million rows.
    """
    import polars as pl

    keys = table.get_column(key)
    if keys.is_empty():
        return [pl.Series(c, [None] * len(values), dtype=table.schema[c]) for c in table.columns if c != key]
    at = keys.search_sorted(values, side="left").clip(0, len(keys) - 1)
    found = (keys.gather(at) == values).fill_null(False)
    return [pl.select(pl.when(found).then(table.get_column(c).gather(at))).to_series().alias(c)
            for c in table.columns if c != key]


def queue_foreign_keys(batch: Batch, refs: list[Reference]) -> None:
    """Queue a check per foreign key on an :func:`attach`-ed frame: every present key matched."""
    import polars as pl

    for ref in refs:
        fk, target = ref.fk, ref.target
        if ref.frame is None:
            batch.add(pl.int_range(pl.len()) == 0, field=fk.fields[0], code="foreign-key",
                      message=get("foreign-key").say("the foreign key points at a table '{table}' that the package "
                                                     "lacks", table=target))
            continue
        present = pl.all_horizontal([pl.col(c).is_not_null() for c in fk.fields])
        batch.add(present & ~ref.found(), field=fk.fields[0], code="foreign-key",
                  message=get("foreign-key").say(fields=", ".join(fk.fields), reference=", ".join(fk.reference_fields),
                                                 table=target))
