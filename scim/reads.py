"""Okta's two most frequent SCIM reads, each one prepared statement on PostgreSQL.

Okta looks every person up by `userName eq "…"` before it creates or updates them, and reads
the groups a page at a time. Through the ORM each read spent 2-3 ms building and compiling its
query and PostgreSQL as long again planning it (docs/PERFORMANCE.md, issue 21). Here each is a
fixed SQL text, planned once per connection (querypie_admin.prepared_statements), returning
the same model instances the ORM path returns, with the same SCIM link (`with_scim_link`) and
groups (`with_groups`) annotations, so the adapters render them unchanged and the answer is the
same byte for byte (tests/scim/test_reads.py). Any other filter, and SQLite (the embedded
default), take the ORM path.
"""

import functools
import re

from django.db import connection
from django.db.models import Model

from querypie_admin import prepared_statements
from querypie_admin.lookups import comparison_key
from querypie_admin.models import (
    AuthProvider,
    DirectoryLink,
    Group,
    GroupMembership,
    LinkSource,
    User,
)

# Okta's look-up as it sends it; a value with an escape or a NUL, or any other filter, is
# left to the filter parser, which knows every case.
USERNAME_EQ = re.compile(r'\s*userName\s+eq\s+"([^"\\\x00]*)"\s*', re.IGNORECASE)
LINK_ANNOTATIONS = ("scim_link_pk", "scim_external_id", "scim_attributes")


def available() -> bool:
    return connection.vendor == "postgresql"


def okta_username(filter_query: object) -> str | None:
    """The userName an Okta look-up filter asks for, or None for any other filter."""
    match = USERNAME_EQ.fullmatch(filter_query) if isinstance(filter_query, str) else None
    return match.group(1) if match else None


@functools.cache
def _statements() -> dict[str, str]:
    quote = connection.ops.quote_name
    table = {m: quote(m._meta.db_table) for m in (User, Group, GroupMembership)}
    # json, not jsonb: psycopg parses json itself (Django has it hand jsonb over as text).
    link = "l.id, l.external_id, l.attributes::json"
    user_by_login = f"""
        SELECT {_columns(User, "u")}, {link}, (
            SELECT coalesce(json_agg(json_build_object('id', m.group_id, 'name', g.name)
                                     ORDER BY m.group_id), '[]')
            FROM {table[GroupMembership]} m JOIN LATERAL (  -- each group by its key, never
                SELECT name FROM {table[Group]}       -- a scan of every group to hash
                WHERE id = m.group_id AND auth_provider = %s LIMIT 1) g ON true
            WHERE m.user_id = u.id)
        FROM {table[User]} u {_scim_link("user", "u")}
        WHERE u.login_key = %s AND u.auth_provider = %s
    """  # noqa: S608 (table and column names from the models; every value is a parameter)
    groups_page = f"""
        SELECT {_columns(Group, "g")}, {link},
            (SELECT count(*) FROM {table[Group]} WHERE auth_provider = %s)
        FROM {table[Group]} g {_scim_link("group", "g")}
        WHERE g.auth_provider = %s ORDER BY g.id LIMIT %s OFFSET %s
    """  # noqa: S608 (as above)
    return {"user_by_login": user_by_login, "groups_page": groups_page}


def _scim_link(row: str, alias: str) -> str:
    """The row's SCIM link as `l`, found from the row's own links (the link's row index),
    whatever the statistics say. Planned while Okta's push was creating the first SCIM links,
    a join on `source = 'scim'` started from every SCIM link instead (9,000 read for one
    look-up); the source is compared as an expression, which no index on it can serve."""
    links = connection.ops.quote_name(DirectoryLink._meta.db_table)
    return f"""LEFT JOIN LATERAL (
        SELECT * FROM {links} WHERE {row}_id = {alias}.id AND source || '' = %s LIMIT 1
    ) l ON true"""  # noqa: S608 (names from the models; the source is a parameter)


def _columns(model: type[Model], alias: str) -> str:
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)


def _instances(model: type[Model], rows: list[tuple]) -> list[Model]:
    """The model instances of the rows' leading columns, with their SCIM link's annotations."""
    fields = model._meta.concrete_fields
    names, alias, width = [f.attname for f in fields], connection.alias, len(fields)
    found = []
    for row in rows:
        obj = model.from_db(alias, names, row[:width])
        for name, value in zip(LINK_ANNOTATIONS, row[width:], strict=False):
            setattr(obj, name, value)
        found.append(obj)
    return found


def user_by_login(login_id: str) -> list[User]:
    """The Okta user with this login ID (any case, any alphabet's form: its comparison key),
    with its SCIM link and Okta groups; [] when there is none."""
    okta, scim = AuthProvider.OKTA.value, LinkSource.SCIM.value
    params = [okta, scim, comparison_key(login_id), okta]
    rows = prepared_statements.fetch(_statements()["user_by_login"], params)
    users = _instances(User, rows)
    for user, row in zip(users, rows, strict=True):
        user.scim_group_list = row[-1]
    return users


def groups_page(start: int, count: int) -> tuple[list[Group], int] | None:
    """A page of Okta's groups in id order with their SCIM links, and how many there are in
    all; None for a page past the end, which the ORM path answers with its count."""
    okta, scim = AuthProvider.OKTA.value, LinkSource.SCIM.value
    rows = prepared_statements.fetch(
        _statements()["groups_page"], [okta, scim, okta, count, start - 1]
    )
    if not rows:
        return None
    return _instances(Group, rows), rows[0][-1]
