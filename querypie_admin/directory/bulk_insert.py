"""How a batch of rows reaches the database: on PostgreSQL COPY into a temporary table, then
one INSERT … SELECT or UPDATE … FROM; bulk_create and bulk_update elsewhere (SQLite).

COPY streams the rows in PostgreSQL's own text format, where bound arrays or a CASE per
column were quoted value by value by the client (docs/PERFORMANCE.md). The temporary table
lives in the batch's transaction (ON COMMIT DROP) and is dropped as soon as it is used.
"""

import json
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Field, Model
from django.db.models.expressions import RawSQL
from django.utils import timezone

from ..lookups import ComparisonKeyField, with_keys

Row = dict[str, Any]
# COPY's text format: a backslash, tab, newline or carriage return inside a value is escaped.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
COPY_CHUNK = 2000  # rows sent to COPY at a time
_SPECIAL = re.compile(r"[\\\t\n\r]")  # what COPY's text format escapes
_ARRAY_CASTS = {"bigint": "bigint[]", "text": "text[]"}
_ID_TYPES = {"ForeignKey", "BigIntegerField", "IntegerField", "BigAutoField", "AutoField"}


def many_ids(pks: Iterable[int]) -> Any:
    """`pk__in=many_ids(pks)`: on PostgreSQL the ids go as one array parameter; a
    placeholder per id costs psycopg's client-side binding a parse of thousands of them."""
    return many(pks, "bigint")


def many(values: Iterable[Any], sql_type: str = "text") -> Any:
    """Many values for an `__in` look-up, as many_ids does for ids."""
    if connection.vendor != "postgresql":
        return list(values)
    cast = _ARRAY_CASTS[sql_type]  # a fixed text: the values themselves are a parameter
    # Ids as an array literal: psycopg would quote a list element by element.
    values = _id_array(values) if sql_type == "bigint" else list(values)
    return RawSQL(f"SELECT unnest(%s::{cast})", (values,))  # noqa: S611


def in_order(rows: list[tuple], given: Sequence[Row], name: str) -> list[int]:
    """The new ids in the order rows were given (RETURNING does not promise an order)."""
    by_name = {label.lower(): pk for pk, label in rows}
    return [by_name[row[name].lower()] for row in given]


def insert(
    model: type[Model], rows: Sequence[Row], *, returning=(), ignore_conflicts=False
) -> list[tuple]:
    """INSERT many rows at once; `returning` names the columns to read back."""
    if connection.vendor != "postgresql":
        objs = model.objects.bulk_create(
            [model(**row) for row in rows], ignore_conflicts=ignore_conflicts
        )
        return [tuple(getattr(o, name) for name in returning) for o in objs]
    quote, table, now = connection.ops.quote_name, model._meta.db_table, timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    given = set().union(*rows)
    # Columns no row names (a default, auto_now) are one parameter, not a value per row.
    copied = [f for f in fields if f.attname in given or isinstance(f, ComparisonKeyField)]
    fixed = [f for f in fields if f not in copied]
    values = [quote(f.column) if f in copied else f"%s::{f.db_type(connection)}" for f in fields]
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
        f"SELECT {', '.join(values)} FROM {{staging}}"
    )
    sql += " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    if returning:
        sql += " RETURNING " + ", ".join(quote(n) for n in returning)
    params = [_fixed(f, now) for f in fixed]
    if _ids_only(copied, rows):
        return _from_id_arrays(copied, rows, sql, params, fetch=bool(returning))
    return _through_copy(model, copied, rows, sql, params=params, fetch=bool(returning))


def _from_id_arrays(
    fields: list[Field], rows: Sequence[Row], sql: str, params: list[Any], *, fetch: bool
) -> list[tuple]:
    """Rows of ids only (memberships): each column one array parameter, written as its
    literal, which costs no temporary table and no per-value quoting."""
    quote = connection.ops.quote_name
    arrays = [_id_array(row[f.attname] for row in rows) for f in fields]
    names = ", ".join(quote(f.column) for f in fields)
    unnest = ", ".join(["%s::bigint[]"] * len(fields))
    staging = f"unnest({unnest}) AS staging ({names})"
    with connection.cursor() as cursor:  # the SELECT list's parameters come first
        cursor.execute(sql.format(staging=staging), [*params, *arrays])
        return cursor.fetchall() if fetch else []


def _ids_only(fields: list[Field], rows: Sequence[Row]) -> bool:
    """Every column an id, named by every row."""
    return all(f.get_internal_type() in _ID_TYPES for f in fields) and all(
        len(row) == len(fields) for row in rows
    )


def _id_array(ids: Iterable[int]) -> str:
    """The literal of a bigint array (int() keeps anything else out of it)."""
    return "{" + ",".join(map(str, map(int, ids))) + "}"


def update(model: type[Model], rows: Sequence[Row], names: Sequence[str]) -> int:
    """UPDATE the fields `names` of each row (a dict with its "pk" and those fields); the
    comparison keys of names among them follow. Returns the number of rows updated."""
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        objs = [model(pk=row["pk"], **{n: row[n] for n in names}) for row in rows]
        return model._default_manager.bulk_update(objs, list(names))
    quote, table = connection.ops.quote_name, model._meta.db_table
    pk = model._meta.pk
    fields = [pk, *(model._meta.get_field(name) for name in with_keys(model, names))]
    keyed = [{**row, pk.attname: row["pk"]} for row in rows]
    sets = ", ".join(f"{quote(f.column)} = s.{quote(f.column)}" for f in fields[1:])
    sql = (
        f"UPDATE {quote(table)} AS t SET {sets} FROM {{staging}} AS s "  # noqa: S608
        f"WHERE t.{quote(pk.column)} = s.{quote(pk.column)}"
    )
    return _through_copy(model, fields, keyed, sql, fetch=False, count=True)


def _through_copy(
    model: type[Model],
    fields: list[Field],
    rows: Iterable[Row],
    sql: str,
    *,
    fetch: bool,
    count: bool = False,
    params: Sequence[Any] = (),
) -> Any:
    """COPY `rows` (the columns of `fields`) into a temporary table and run `sql` on it."""
    quote = connection.ops.quote_name
    staging = quote(f"copy_{model._meta.db_table}")
    names = ", ".join(quote(f.column) for f in fields)
    columns = ", ".join(f"{quote(f.column)} {f.db_type(connection)}" for f in fields)
    rows, now = list(rows), timezone.now()
    # Dropped after use; a failure half-way rolls back the caller's batch (or this
    # transaction, when the caller has none), the temporary table with it.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {staging} ({columns}) ON COMMIT DROP")
        with cursor.cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            for start in range(0, len(rows), COPY_CHUNK):
                copy.write(_copy_text(fields, rows[start : start + COPY_CHUNK], now))
        cursor.execute(sql.format(staging=staging), params)
        found = cursor.fetchall() if fetch else (cursor.rowcount if count else [])
        cursor.execute(f"DROP TABLE {staging}")
    return found


def _copy_text(fields: list[Field], rows: list[Row], now: datetime) -> str:
    """Rows as COPY text, their values as save() would store them: the comparison key
    computed, auto_now stamped, defaults filled, JSON encoded. Built a column at a time:
    a batch's column is mostly of one type and needs no escape, which is checked once."""
    columns = [_column(field, rows, now) for field in fields]
    return "\n".join(map("\t".join, zip(*columns, strict=True))) + "\n"


def _column(field: Field, rows: list[Row], now: datetime) -> list[str]:
    name = field.attname
    if isinstance(field, ComparisonKeyField):  # what pre_save would compute
        return _texts([field.key_of(row) for row in rows])
    if field.get_internal_type() == "JSONField":
        encoder, default = field.encoder, field.get_default
        dumped = [json.dumps(row[name] if name in row else default(), cls=encoder) for row in rows]
        return _texts(dumped)
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        fallback = now
    else:
        fallback = field.get_default() if not field.primary_key else None
    return _texts([row.get(name, fallback) for row in rows])


def _texts(values: list[Any]) -> list[str]:
    """A column's COPY texts: plain text as it is unless a value holds what COPY escapes."""
    kinds = set(map(type, values))
    if all(issubclass(kind, str) for kind in kinds):
        if _SPECIAL.search("".join(values)):
            return [value.translate(_ESCAPES) for value in values]
        return values
    if kinds == {int}:
        return list(map(str, values))
    return [_text(value) for value in values]


def _fixed(field: Field, now: datetime) -> Any:
    """The value save() would give a column the rows do not name."""
    if field.get_internal_type() == "JSONField":
        return json.dumps(field.get_default(), cls=field.encoder)
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return field.get_default()


def _text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"No COPY text for {type(value).__name__}")
