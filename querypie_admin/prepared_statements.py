"""The hottest fixed statements, planned once per connection and sent without look-ups.

Django binds parameters on the client (psycopg's ClientCursor): every statement is sent as
text and planned anew. For the few statements Okta's SCIM push runs by the thousand (a
look-up, a page of groups, a create, a member-add) planning cost as much as running them:
0.3 ms of a 0.5 ms look-up, measured in docs/PERFORMANCE.md (issue 21). Here they bind on
the server instead, so psycopg prepares a statement once it has run a few times on a
connection (`prepare_threshold`, 5 by default) and PostgreSQL reuses its plan.

Each statement text gets a server-binding cursor of its own, kept for as long as its
connection lives (one per thread, as Django's connections are), and always runs as the
same string object: psycopg keeps how to send each parameter only while a cursor runs the
very query it ran last, and looking that up again for a create's 38 values cost 0.15 ms of
its CPU, as much as PostgreSQL's part of it.

The cursors are wrapped in Django's own cursor wrapper: errors are Django's, the statements
are logged and counted as any other (tests assert query counts), and they run in the
connection's current transaction. Only fixed SQL texts with every value a parameter belong
here; the rest of the console keeps Django's default cursor. A database behind a
transaction-pooling PgBouncer needs `max_prepared_statements` set there
(docs/PRODUCTION.md).
"""

from collections.abc import Sequence
from typing import Any

import psycopg
from django.db import connection

TIMESTAMPTZ = 1184  # the type's oid (psycopg.postgres.types["timestamptz"])
KEPT = "_querypie_statement_cursors"  # the attribute that keeps them on Django's connection
MOST_KEPT = 32  # fixed statements are a handful; a text built with its values is not one


class KeptCursors(dict[str, tuple[str, psycopg.Cursor]]):
    """Statement text → (that text as first seen, its cursor), for one psycopg connection."""

    def __init__(self, psycopg_connection: psycopg.Connection) -> None:
        super().__init__()
        self.connection = psycopg_connection


def fetch(statement: str, params: Sequence[Any]) -> list[tuple]:
    """Run a fixed statement with its parameters and return its rows; prepared (and kept)
    on PostgreSQL, through Django's default cursor on SQLite."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    text, kept = _kept(statement)
    cursor = connection._prepare_cursor(kept)
    cursor.execute(text, params)
    return cursor.fetchall()


def _kept(statement: str) -> tuple[str, psycopg.Cursor]:
    """The statement's cursor on the current psycopg connection; new ones after a reconnect
    (kept on Django's connection object, which lives as long as its thread, so those of a
    closed connection are dropped with it)."""
    cursors = getattr(connection, KEPT, None)
    if cursors is None or cursors.connection is not connection.connection:
        cursors = KeptCursors(connection.connection)
        setattr(connection, KEPT, cursors)
    found = cursors.get(statement)
    if found is None or found[1].closed:
        if len(cursors) >= MOST_KEPT:
            cursors.clear()
        found = cursors[statement] = (statement, _server_bound(cursors.connection))
    return found


def _server_bound(psycopg_connection: psycopg.Connection) -> psycopg.Cursor:
    from django.db.backends.postgresql.base import ServerBindingCursor

    cursor = ServerBindingCursor(psycopg_connection)
    # psycopg's own timestamptz loader (C) instead of Django's subclass of the Python one:
    # the same aware datetimes in the session's time zone (Django sets it on connect), 5 µs
    # less each, and a page of 100 groups holds 200 of them.
    loader = psycopg.adapters.get_loader(TIMESTAMPTZ, psycopg.pq.Format.TEXT)
    cursor.adapters.register_loader(TIMESTAMPTZ, loader)
    return cursor
