"""Batched writes to the directory, for syncs of tens of thousands of users.

The per-object functions in querypie_admin.directory cost several queries and one audit
event per object; an Okta org of 100,000 users cannot be synced that way in a minute. These
write a batch per statement, each batch in its own transaction with ONE audit event that
summarises it (count and a sample of labels), so the audit trail stays readable and complete.
Callers check uniqueness first; a clash still raises DirectoryConflict for the whole batch.
"""

import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from . import audit
from .audit import Actor
from .directory import GROUP_FIELDS, USER_PROFILE_FIELDS, DirectoryConflict
from .models import Group, GroupMembership, User

BATCH = 2000
SAMPLE = 20


def _batches(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    size = BATCH  # read at call time, so it can be tuned (and made tiny in tests)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _summary(action: str, actor: Actor, count: int, sample: list[str], **detail: Any) -> None:
    detail = {"count": count, "sample": sample[:SAMPLE], **detail}
    audit.record(action, actor=actor, target_label=f"{count} objects", detail=detail)


def _unusable_password() -> str:
    """What make_password(None) stores, without its slow per-character random choice."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def _atomic_batch(write: Any) -> Any:
    try:
        with transaction.atomic():
            return write()
    except IntegrityError as exc:
        raise DirectoryConflict(f"A batch clashed with existing rows: {exc}") from exc


def create_users(actor: Actor, rows: Sequence[dict[str, Any]]) -> list[tuple[int, str]]:
    """Create users that sign in only through their IdP (no usable password).

    Returns (id, external ID) of each new user, in the order given.
    """
    created: list[tuple[int, str]] = []
    for batch in _batches(rows):
        users = [{**_checked(row, USER_PROFILE_FIELDS)} for row in batch]
        for user in users:
            user["password"] = _unusable_password()

        def write(users: list[dict] = users) -> list[tuple[int, str]]:
            done = _insert(User, users, returning=("id", "external_id"))
            _summary("user.bulk_created", actor, len(done), [u["login_id"] for u in users])
            return done

        created += _atomic_batch(write)
    return created


def _insert(
    model: type[Model], rows: list[dict[str, Any]], *, returning=(), ignore_conflicts=False
) -> list[tuple]:
    """INSERT many rows in one statement; on PostgreSQL one array per column (unnest),
    which is several times faster than bulk_create for 100,000 rows."""
    if connection.vendor != "postgresql":
        objs = model.objects.bulk_create(
            [model(**row) for row in rows], ignore_conflicts=ignore_conflicts
        )
        return [tuple(getattr(o, name) for name in returning) for o in objs]
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = [[_value(f, row, now) for row in rows] for f in fields]
    casts = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({names}) "
    sql += f"SELECT * FROM unnest({casts})"  # noqa: S608 - names from the model, values bound
    sql += " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    if returning:
        sql += " RETURNING " + ", ".join(connection.ops.quote_name(n) for n in returning)
    with connection.cursor() as cursor:
        cursor.execute(sql, columns)
        return cursor.fetchall() if returning else []


def _value(field: Any, row: dict[str, Any], now: Any) -> Any:
    if field.attname in row:
        return row[field.attname]
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return field.get_default()


def update_users(actor: Actor, changes: Sequence[tuple[int, str, dict[str, Any]]]) -> int:
    """Apply (pk, label, {field: value}) changes; rows changing the same fields share a query."""
    return _update(actor, User, changes, USER_PROFILE_FIELDS, "user.bulk_updated")


def deactivate_users(actor: Actor, user_ids: Sequence[int]) -> int:
    """Deactivate, never delete: the account and its history stay."""
    done = 0
    for batch in _batches(list(user_ids)):

        def write(batch: Sequence[int] = batch) -> int:
            users = User.objects.filter(pk__in=batch, is_active=True)
            labels = list(users.values_list("login_id", flat=True))
            count = users.update(is_active=False, updated_at=timezone.now())
            if count:
                _summary("user.bulk_deactivated", actor, count, labels)
            return count

        done += _atomic_batch(write)
    return done


def create_groups(actor: Actor, rows: Sequence[dict[str, Any]]) -> list[Group]:
    created: list[Group] = []
    for batch in _batches(rows):
        groups = [Group(**_checked(row, GROUP_FIELDS)) for row in batch]

        def write(groups: list[Group] = groups) -> list[Group]:
            done = Group.objects.bulk_create(groups)
            _summary("group.bulk_created", actor, len(done), [g.name for g in done])
            return done

        created += _atomic_batch(write)
    return created


def update_groups(actor: Actor, changes: Sequence[tuple[int, str, dict[str, Any]]]) -> int:
    return _update(actor, Group, changes, GROUP_FIELDS, "group.bulk_updated")


def delete_groups(actor: Actor, group_ids: Sequence[int]) -> int:
    done = 0
    for batch in _batches(list(group_ids)):

        def write(batch: Sequence[int] = batch) -> int:
            groups = Group.objects.filter(pk__in=batch)
            labels = list(groups.values_list("name", flat=True))
            groups.delete()
            if labels:
                _summary("group.bulk_deleted", actor, len(labels), labels)
            return len(labels)

        done += _atomic_batch(write)
    return done


def change_memberships(
    actor: Actor, add: Sequence[tuple[int, int]], remove: Sequence[tuple[int, int]]
) -> tuple[int, int]:
    """Add and remove (group id, user id) pairs; the groups touched are locked, as in
    directory.set_members, so a parallel SCIM change to the same group waits its turn."""
    removed = sum(_atomic_batch(lambda b=b: _remove_batch(actor, b)) for b in _batches(remove))
    added = sum(_atomic_batch(lambda b=b: _add_batch(actor, b)) for b in _batches(add))
    return added, removed


def _lock_groups(pairs: Sequence[tuple[int, int]]) -> None:
    ids = sorted({group_id for group_id, _ in pairs})
    list(Group.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))


def _add_batch(actor: Actor, pairs: Sequence[tuple[int, int]]) -> int:
    _lock_groups(pairs)
    rows = [{"group_id": g, "user_id": u} for g, u in pairs]
    _insert(GroupMembership, rows, ignore_conflicts=True)
    _summary("group.members_bulk_added", actor, len(rows), _pair_labels(pairs))
    return len(rows)


def _remove_batch(actor: Actor, pairs: Sequence[tuple[int, int]]) -> int:
    _lock_groups(pairs)
    removed = 0
    by_group: dict[int, list[int]] = {}
    for group_id, user_id in pairs:
        by_group.setdefault(group_id, []).append(user_id)
    for group_id, user_ids in by_group.items():
        rows = GroupMembership.objects.filter(group_id=group_id, user_id__in=user_ids)
        removed += rows.delete()[0]
    if removed:
        _summary("group.members_bulk_removed", actor, removed, _pair_labels(pairs))
    return removed


def _pair_labels(pairs: Sequence[tuple[int, int]]) -> list[str]:
    """ "group: login" for the audit sample; only the sampled pairs are looked up."""
    sample = pairs[:SAMPLE]
    groups = dict(Group.objects.filter(pk__in={g for g, _ in sample}).values_list("pk", "name"))
    users = dict(User.objects.filter(pk__in={u for _, u in sample}).values_list("pk", "login_id"))
    return [f"{groups.get(g, g)}: {users.get(u, u)}" for g, u in sample]


def _checked(row: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    unknown = set(row) - set(allowed)
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    return row


def _update(
    actor: Actor,
    model: type[User] | type[Group],
    changes: Sequence[tuple[int, str, dict[str, Any]]],
    allowed: tuple[str, ...],
    action: str,
) -> int:
    by_fields: dict[tuple[str, ...], list[tuple[int, str, dict[str, Any]]]] = {}
    for pk, label, fields in changes:
        if fields:
            key = tuple(sorted(_checked(fields, allowed)))
            by_fields.setdefault(key, []).append((pk, label, fields))
    done = 0
    for names, items in by_fields.items():
        for batch in _batches(items):

            def write(batch: Sequence[tuple] = batch, names: tuple = names) -> int:
                now = timezone.now()
                objs = [model(pk=pk, updated_at=now, **fields) for pk, _, fields in batch]
                model.objects.bulk_update(objs, [*names, "updated_at"])
                labels = [label for _, label, _ in batch]
                _summary(action, actor, len(objs), labels, fields=list(names))
                return len(objs)

            done += _atomic_batch(write)
    return done
