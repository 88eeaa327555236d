"""How a batch of rows reaches the database: COPY and one INSERT … SELECT on PostgreSQL,
bulk_create elsewhere, with the new ids in the order the rows were given."""

from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from ..lookups import ComparisonKeyField


def in_order(rows: list[tuple], given: list[dict[str, Any]], name: str) -> list[int]:
    """The new ids in the order rows were given (RETURNING does not promise an order)."""
    by_name = {label.lower(): pk for pk, label in rows}
    return [by_name[row[name].lower()] for row in given]


def insert(
    model: type[Model], rows: list[dict[str, Any]], *, returning=(), ignore_conflicts=False
) -> list[tuple]:
    """INSERT many rows at once. On PostgreSQL they are COPYed into a temporary table, then
    moved by one INSERT … SELECT: COPY streams them in PostgreSQL's own text format, where
    bound arrays were quoted value by value by the client (docs/PERFORMANCE.md)."""
    if connection.vendor != "postgresql":
        objs = model.objects.bulk_create(
            [model(**row) for row in rows], ignore_conflicts=ignore_conflicts
        )
        return [tuple(getattr(o, name) for name in returning) for o in objs]
    now, quote, table = timezone.now(), connection.ops.quote_name, model._meta.db_table
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    names, staging = ", ".join(quote(f.column) for f in fields), quote(f"copy_{table}")
    sql = f"INSERT INTO {quote(table)} ({names}) SELECT {names} FROM {staging}"  # noqa: S608
    sql += " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    if returning:
        sql += " RETURNING " + ", ".join(quote(n) for n in returning)
    columns = ", ".join(f"{quote(f.column)} {f.db_type(connection)}" for f in fields)
    # Dropped after use; a failure half-way rolls it back with the savepoint.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {staging} ({columns}) ON COMMIT DROP")
        with cursor.cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([_value(f, row, now) for f in fields])
        cursor.execute(sql)
        found = cursor.fetchall() if returning else []
        cursor.execute(f"DROP TABLE {staging}")
    return found


def _value(field: Any, row: dict[str, Any], now: Any) -> Any:
    if isinstance(field, ComparisonKeyField):  # what pre_save would compute
        return field.key_of(row)
    if field.attname in row:
        value = row[field.attname]
    elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    else:
        value = field.get_default()
    return (
        field.get_db_prep_value(value, connection)
        if field.get_internal_type() == "JSONField"
        else value
    )
