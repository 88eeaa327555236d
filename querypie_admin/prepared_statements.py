"""A cursor whose statements PostgreSQL plans once per connection, for the hottest SQL.

Django binds parameters on the client (psycopg's ClientCursor): every statement is sent as
text and planned anew. For the few statements Okta's SCIM push runs by the thousand (a
look-up, a page of groups, a create, a member-add) planning cost as much as running them:
0.3 ms of a 0.5 ms look-up, measured in docs/PERFORMANCE.md (issue 21). This cursor binds
on the server instead, so psycopg prepares a statement once it has run a few times on a
connection (`prepare_threshold`, 5 by default) and PostgreSQL reuses its plan.

It is Django's own cursor wrapper around psycopg's server-binding cursor: errors are
Django's, the statements are logged and counted as any other (tests assert query counts),
and it runs in the connection's current transaction. The psycopg cursor is kept for as long
as its connection lives (one per thread, as Django's connections are): a new cursor per
statement looked up how to send each of a create's 45 values again, 0.09 ms of its 0.25.

Only fixed SQL texts with every value a parameter belong here; the rest of the console keeps
Django's default cursor. A database behind a transaction-pooling PgBouncer needs
`max_prepared_statements` set there (docs/PRODUCTION.md).
"""

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from django.db import connection
from django.db.backends.utils import CursorWrapper

TIMESTAMPTZ = 1184  # the type's oid (psycopg.postgres.types["timestamptz"])
KEPT = "_querypie_server_bound_cursor"  # the attribute that keeps it on Django's connection


@contextmanager
def cursor() -> Iterator[CursorWrapper]:
    """A cursor on the default connection; server-bound (prepared) on PostgreSQL only."""
    if connection.vendor != "postgresql":
        with connection.cursor() as default:
            yield default
        return
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    yield connection._prepare_cursor(_server_bound())


def _server_bound() -> psycopg.Cursor:
    """The kept cursor of the current psycopg connection; a new one after a reconnect (kept
    on Django's connection object, which lives as long as its thread, so the one of a closed
    connection is dropped with it)."""
    kept = getattr(connection, KEPT, None)
    if kept is None or kept.closed or kept.connection is not connection.connection:
        from django.db.backends.postgresql.base import ServerBindingCursor

        kept = ServerBindingCursor(connection.connection)
        # psycopg's own timestamptz loader (C) instead of Django's subclass of the Python
        # one: the same aware datetimes in the session's time zone (Django sets it on
        # connect), 5 µs less each, and a page of 100 groups holds 200 of them.
        loader = psycopg.adapters.get_loader(TIMESTAMPTZ, psycopg.pq.Format.TEXT)
        kept.adapters.register_loader(TIMESTAMPTZ, loader)
        setattr(connection, KEPT, kept)
    return kept
