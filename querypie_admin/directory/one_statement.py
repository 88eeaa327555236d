"""The writes Okta's SCIM push makes by the thousand, each as ONE statement on PostgreSQL.

Okta's first push to a large org is a create per person and a member-add PATCH per
membership. Through the ORM each is 7-11 statements (savepoints, locks, checks, the row,
its link, the audit event), and each statement costs 0.5-1 ms of Python in Django and
psycopg however little PostgreSQL does for it (docs/PERFORMANCE.md, issue 21). Here the
same locks, checks, rows and audit events are one writable CTE: they commit together or
not at all, as the ORM path's transaction does, and outside a caller's transaction the
statement is its own transaction (no BEGIN, no COMMIT round trip).

What the statement cannot decide on its own (an unknown or local row, a row the caller
does not manage yet) writes nothing and returns None: the caller then takes the ORM path
of the same directory function, which answers it exactly. SQLite (the embedded default)
always takes the ORM path. Only integrations (SCIM, SAML sign-in) come here.
"""

import functools
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import BooleanField, CharField, EmailField, Field, Model, TextField

from .. import prepared_statements
from ..models import (
    AuditEvent,
    AuthProvider,
    DirectoryLink,
    Group,
    GroupMembership,
    LinkSource,
    RoleMapping,
    User,
)
from .caller import PROVISIONING, Caller
from .links import Sent


def available(caller: Caller) -> bool:
    """One statement is for integrations' writes on PostgreSQL; the rest take the ORM."""
    return caller.is_integration and connection.vendor == "postgresql"


# The values Django writes as they are, by field class: no default to fill in, no conversion
# (a ComparisonKeyField, a date or JSON is not among them). Text stays text and a boolean a
# boolean; anything else (True for a text column, "yes" for a boolean) takes Django's way.
_TEXT = frozenset({str, type(None)})
_BOOLEAN = frozenset({bool, type(None)})
_AS_IS = {CharField: _TEXT, EmailField: _TEXT, TextField: _TEXT, BooleanField: _BOOLEAN}


@functools.cache
def _shape(
    model: type[Model], sql: tuple[tuple[str, str], ...]
) -> tuple[str, str, tuple[tuple[Field, frozenset[type]], ...]]:
    """A model's inserted columns and their value expressions (`sql` replacing some), and the
    fields that take a parameter with the value types written as they are. Worked out once
    per model and statement: asking each field its type cost 0.1 ms a row."""
    quote = connection.ops.quote_name
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    expressions = dict(sql)
    values = [expressions.get(f.attname, f"%s::{f.db_type(connection)}") for f in fields]
    taking = tuple(
        (field, _AS_IS.get(type(field), frozenset()))
        for field, value in zip(fields, values, strict=True)
        if "%s" in value
    )
    return ", ".join(quote(field.column) for field in fields), ", ".join(values), taking


def _row(obj: Model, **sql: str) -> tuple[str, str, list[Any]]:
    """An unsaved row's columns and values as save() would write them (defaults, auto_now,
    comparison keys), each cast to its column's type (an INSERT … SELECT does not type its
    parameters from the columns). `sql` gives a column an SQL expression instead, e.g. the
    id another part of the statement inserts; a `%s` in that expression stands for the
    column's own value."""
    names, values, taking = _shape(type(obj), tuple(sorted(sql.items())))
    params = []
    database = connections[DEFAULT_DB_ALIAS]  # the connection itself, not its thread proxy
    for field, as_is in taking:
        value = getattr(obj, field.attname) if as_is else None
        if type(value) not in as_is:  # Django's conversions, then
            value = field.get_db_prep_save(field.pre_save(obj, add=True), database)
        params.append(value)
    return names, values, params


def _json(value: Any) -> Any:
    """A value for a jsonb parameter, as Django writes an audit event's detail."""
    return AuditEvent._meta.get_field("detail").get_db_prep_save(
        value, connections[DEFAULT_DB_ALIAS]
    )


def _execute(sql: str, params: list[Any]) -> tuple:
    """Run the statement (prepared: its text is fixed) and return its one row. Inside a
    caller's transaction a savepoint keeps that transaction usable if the statement fails;
    outside, it is its own."""
    inside = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with inside:
        return prepared_statements.fetch(sql, params)[0]


@functools.cache
def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    models = {
        "user": User,
        "group": Group,
        "link": DirectoryLink,
        "membership": GroupMembership,
        "audit": AuditEvent,
        "mapping": RoleMapping,
    }
    return {name: quote(model._meta.db_table) for name, model in models.items()}


@dataclass(frozen=True)
class MembersAdded:
    """What one member-add statement did: the users it made members (the others already
    were), and the group's Okta ids, each with whether a role mapping names it."""

    added: list[int]
    okta_ids: dict[str, bool]


def add_members_at_once(
    caller: Caller, group_pk: int, user_pks: Iterable[int]
) -> MembersAdded | None:
    """groups.add_members for a group the caller links and users Okta owns, in one statement:
    the group locked (parallel PATCHes queue and lose nobody), then the users (FOR NO KEY
    UPDATE, as check_reach_all), the new rows (a present member is left alone) and their
    `group.members_added` event. None, with nothing written, when the group is unknown,
    local or not the caller's yet, or a user is unknown or local: the ORM path answers."""
    wanted = sorted(set(user_pks))
    if not available(caller) or not wanted:
        return None
    t = _tables()
    new_rows = _row(GroupMembership(), group_id="grp.id", user_id="usr.id")
    event = caller.event("group.members_added", Group(pk=group_pk))
    added_logins = (
        "(SELECT jsonb_agg(usr.login_id ORDER BY usr.id)"
        " FROM usr JOIN added ON added.user_id = usr.id)"
    )
    audit_row = _row(
        event,
        target_label="grp.name",
        detail=f"CAST(%s AS jsonb) || jsonb_build_object('added', {added_logins})",
    )
    sql = f"""
        WITH grp AS (
            SELECT g.id, g.name FROM {t["group"]} g
            WHERE g.id = %s AND g.auth_provider = %s
              AND EXISTS (SELECT 1 FROM {t["link"]} l WHERE l.group_id = g.id AND l.source = %s)
            FOR UPDATE OF g
        ), usr AS (
            SELECT u.id, u.login_id FROM {t["user"]} u
            WHERE u.id = ANY(%s::bigint[]) AND u.auth_provider = %s AND EXISTS (SELECT FROM grp)
            ORDER BY u.id FOR NO KEY UPDATE OF u
        ), added AS (
            INSERT INTO {t["membership"]} ({new_rows[0]})
            SELECT {new_rows[1]} FROM grp, usr WHERE (SELECT count(*) FROM usr) = %s
            ON CONFLICT DO NOTHING RETURNING user_id
        ), audited AS (
            INSERT INTO {t["audit"]} ({audit_row[0]})
            SELECT {audit_row[1]} FROM grp WHERE EXISTS (SELECT FROM added)
        )
        SELECT (SELECT count(*) FROM usr), ARRAY(SELECT user_id FROM added ORDER BY user_id),
            (SELECT json_object_agg(l.external_id, EXISTS (
                SELECT FROM {t["mapping"]} m WHERE m.okta_group_id = l.external_id))
             FROM {t["link"]} l
             WHERE l.group_id = %s AND l.source = ANY(%s) AND l.external_id <> '')
    """  # noqa: S608 (table names from the models; every value is a parameter)
    okta = AuthProvider.OKTA.value
    params = [group_pk, okta, caller.link_source.value, wanted, okta, *new_rows[2]]
    params += [len(wanted), *audit_row[2], group_pk, [s.value for s in PROVISIONING]]
    found, added, okta_ids = _execute(sql, params)
    if found != len(wanted):
        return None
    return MembersAdded(list(added), okta_ids or {})


def create_user(
    caller: Caller,
    user: User,
    sent: Sent | None,
    audited: dict[str, Any],
    known_by: tuple[LinkSource, ...],
) -> tuple[int | None, int | None]:
    """users.create_user's write for an integration, in one statement: the user, the
    caller's link with what it sent, and the `user.created` and `user.linked` events.
    Returns (the new user's id, None); (None, that user's id) when a source of `known_by`
    links an Okta user by the external id sent; (None, None) when the login ID is taken
    (the unique comparison key). In both cases nothing is written."""
    t = _tables()
    sent = sent or Sent()
    user_row = _row(user)
    link = DirectoryLink(
        source=caller.link_source, external_id=sent.external_id, attributes=sent.attributes
    )
    link_row = _row(link, user_id="made.id")
    created = caller.event("user.created", user, **audited)
    # Both events from one row: they differ only in action and detail.
    events = _row(created, target_id="made.id::text", action="e.action", detail="e.detail")
    details = [_json(created.detail), _json(caller.detail(external_id=sent.external_id))]
    sql = f"""
        WITH known AS (
            SELECT l.user_id FROM {t["link"]} l JOIN {t["user"]} u ON u.id = l.user_id
            WHERE l.source = ANY(%s) AND l.external_id = %s AND l.external_id <> ''
              AND u.auth_provider = %s
            ORDER BY l.id LIMIT 1
        ), made AS (
            INSERT INTO {t["user"]} ({user_row[0]})
            SELECT {user_row[1]} WHERE NOT EXISTS (SELECT FROM known)
            ON CONFLICT DO NOTHING RETURNING id
        ), linked AS (
            INSERT INTO {t["link"]} ({link_row[0]}) SELECT {link_row[1]} FROM made
        ), audited AS (
            INSERT INTO {t["audit"]} ({events[0]})
            SELECT {events[1]}
            FROM made, (VALUES (1, 'user.created', %s::jsonb), (2, 'user.linked', %s::jsonb))
                AS e (n, action, detail)
            ORDER BY e.n
        )
        SELECT (SELECT id FROM made), (SELECT user_id FROM known)
    """  # noqa: S608 (table names from the models; every value is a parameter)
    params = [[s.value for s in known_by], sent.external_id, AuthProvider.OKTA.value]
    params += [*user_row[2], *link_row[2], *events[2], *details]
    try:
        made, known = _execute(sql, params)
    except IntegrityError:  # a constraint other than the login ID's: refused all the same
        return None, None
    if made is not None:
        user.pk = made
        user._state.adding, user._state.db = False, connection.alias
    return made, known
