"""Records to Arrow, and the raw tables' columns: both follow from the record classes' annotations,
so `connectors/records.py` stays the one place where a record's shape is written down."""
from __future__ import annotations

import datetime as dt
import types
import typing
from functools import cache

import pyarrow as pa

_SCALARS = {
    str: pa.string(),
    bool: pa.bool_(),
    int: pa.int64(),
    float: pa.float64(),
    dt.datetime: pa.timestamp("us", tz="UTC"),
    dt.date: pa.date32(),
}


def _arrow_type(hint) -> pa.DataType:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):  # X | None: Arrow columns are nullable anyway
        (inner,) = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _arrow_type(inner)
    if origin is list:
        return pa.list_(_arrow_type(typing.get_args(hint)[0]))
    if hint in _SCALARS:
        return _SCALARS[hint]
    if isinstance(hint, type) and issubclass(hint, tuple) and hasattr(hint, "_fields"):
        return pa.struct([(name, _arrow_type(h)) for name, h in typing.get_type_hints(hint).items()])
    raise TypeError(f"no Arrow type for {hint!r}")


@cache
def arrow_schema(record_type: type) -> pa.Schema:
    """The Arrow schema of a record class; its `origin` field becomes the `_origin` column."""
    return pa.schema([("_origin" if name == "origin" else name, _arrow_type(hint))
                      for name, hint in typing.get_type_hints(record_type).items()])


def sql_columns(record_type: type) -> list[tuple[str, str, bool]]:
    """The DuckDB columns holding a record class, as (name, type, whether a value is required):
    its Arrow schema's, a field annotated `X | None` being the only kind that may be null."""
    hints = typing.get_type_hints(record_type)
    return [(field.name, _sql_type(field.type), not _is_optional(hint))
            for field, hint in zip(arrow_schema(record_type), hints.values(), strict=True)]


def _is_optional(hint) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in typing.get_args(hint)


def _sql_type(arrow: pa.DataType) -> str:
    if pa.types.is_list(arrow):
        return f"{_sql_type(arrow.value_type)}[]"
    if pa.types.is_struct(arrow):
        return f"struct({', '.join(f'{f.name} {_sql_type(f.type)}' for f in arrow)})"
    return _SQL_SCALARS[arrow]


_SQL_SCALARS = {
    pa.string(): "varchar",
    pa.bool_(): "boolean",
    pa.int64(): "bigint",
    pa.float64(): "double",
    pa.timestamp("us", tz="UTC"): "timestamptz",
    pa.date32(): "date",
}


def to_arrow(record_type: type, records: list[tuple], **constants) -> pa.Table:
    """A table of `records` (all of `record_type`), plus one constant column per keyword."""
    schema = arrow_schema(record_type)
    columns = [pa.array(values, type=field.type)
               for values, field in zip(zip(*records), schema, strict=True)] if records else \
        [pa.array([], type=field.type) for field in schema]
    return with_constants(pa.Table.from_arrays(columns, schema=schema), **constants)


def with_constants(table: pa.Table, **constants) -> pa.Table:
    """`table` plus one column per keyword, holding its value in every row."""
    for name, value in constants.items():
        table = table.append_column(name, pa.array([value] * table.num_rows))
    return table
