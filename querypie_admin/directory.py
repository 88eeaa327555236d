"""The one place that writes users, groups and memberships, whichever integration asks.

SCIM, SAML just-in-time creation, the Okta sync and the console pages all call these
functions, so uniqueness rules and the audit trail are the same for all of them.
"""

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from . import audit
from .audit import Actor
from .models import Group, GroupMembership, User

# What an IdP tells about a user (the Okta sync keeps exactly these, in this order).
IDP_PROFILE_FIELDS = (
    "login_id",
    "first_name",
    "last_name",
    "email",
    "second_email",
    "mobile_phone",
    "postal_address",
    "static_ip",
    "mac_address",
    "is_active",
)
USER_PROFILE_FIELDS = (*IDP_PROFILE_FIELDS, "auth_provider", "external_id", "role")
GROUP_FIELDS = ("name", "description", "auth_provider", "external_id")


class DirectoryConflict(Exception):
    """A login ID or group name is already taken (case-insensitively)."""


def _changed_fields(obj: Any, changes: dict[str, Any], allowed: tuple[str, ...]) -> dict:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}")
    return {k: v for k, v in changes.items() if getattr(obj, k) != v}


def _save_unique(obj: Any, conflict: str, update_fields: list[str] | None = None) -> None:
    """Save, turning a unique-constraint violation into DirectoryConflict(conflict).

    The database constraint is the check, so a new row costs no look-up first and two
    parallel creates of the same name cannot both succeed.
    """
    try:
        with transaction.atomic():
            obj.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise DirectoryConflict(conflict) from exc


def _apply(obj: Any, changed: dict[str, Any], conflict: str) -> None:
    """Write the changed fields; on a clash the object keeps its stored values."""
    before = {name: getattr(obj, name) for name in changed}
    for name, value in changed.items():
        setattr(obj, name, value)
    try:
        _save_unique(obj, conflict, update_fields=[*changed, "updated_at"])
    except DirectoryConflict:
        for name, value in before.items():
            setattr(obj, name, value)
        raise


def create_user(actor: Actor, *, password: str | None = None, **fields: Any) -> User:
    """Create a user; without a password the account can sign in only through an IdP."""
    _changed_fields(User(), fields, USER_PROFILE_FIELDS)
    user = User(**fields)
    user.set_password(password) if password else user.set_unusable_password()
    _save_unique(user, f"Login ID {user.login_id!r} is already in use")
    audit.record("user.created", actor=actor, target=user, detail={"fields": sorted(fields)})
    return user


def update_user(actor: Actor, user: User, **changes: Any) -> list[str]:
    """Apply only the fields that differ, so repeated syncs write nothing."""
    changed = _changed_fields(user, changes, USER_PROFILE_FIELDS)
    if not changed:
        return []
    _apply(user, changed, f"Login ID {changed.get('login_id')!r} is already in use")
    action = _status_action(changed) or "user.updated"
    audit.record(action, actor=actor, target=user, detail={"fields": sorted(changed)})
    return sorted(changed)


def _status_action(changed: dict[str, Any]) -> str | None:
    if set(changed) != {"is_active"}:
        return None
    return "user.activated" if changed["is_active"] else "user.deactivated"


def set_user_active(actor: Actor, user: User, active: bool) -> bool:
    return bool(update_user(actor, user, is_active=active))


def delete_user(actor: Actor, user: User) -> None:
    audit.record("user.deleted", actor=actor, target=user)
    user.delete()


def create_group(actor: Actor, **fields: Any) -> Group:
    _changed_fields(Group(), fields, GROUP_FIELDS)
    group = Group(**fields)
    _save_unique(group, f"Group {group.name!r} already exists")
    audit.record("group.created", actor=actor, target=group)
    return group


def update_group(actor: Actor, group: Group, **changes: Any) -> list[str]:
    changed = _changed_fields(group, changes, GROUP_FIELDS)
    if not changed:
        return []
    _apply(group, changed, f"Group {changed.get('name')!r} already exists")
    audit.record("group.updated", actor=actor, target=group, detail={"fields": sorted(changed)})
    return sorted(changed)


def delete_group(actor: Actor, group: Group) -> None:
    audit.record("group.deleted", actor=actor, target=group)
    group.delete()


def _locked(group: Group) -> Group:
    """Lock the group row so parallel membership changes from an IdP serialise."""
    return Group.objects.select_for_update().get(pk=group.pk)


def add_members(actor: Actor, group: Group, users: Iterable[User]) -> int:
    """Add users not yet members; existing rows are not touched."""
    with transaction.atomic():
        _locked(group)
        wanted = {u.pk: u for u in users}
        present = set(
            GroupMembership.objects.filter(group=group, user_id__in=wanted).values_list(
                "user_id", flat=True
            )
        )
        new = [GroupMembership(group=group, user_id=pk) for pk in wanted if pk not in present]
        GroupMembership.objects.bulk_create(new, ignore_conflicts=True)
        if new:
            added = [wanted[m.user_id].login_id for m in new]
            audit.record("group.members_added", actor=actor, target=group, detail={"added": added})
    return len(new)


def remove_members(actor: Actor, group: Group, users: Iterable[User]) -> int:
    with transaction.atomic():
        _locked(group)
        wanted = {u.pk: u.login_id for u in users}
        removed, _ = GroupMembership.objects.filter(group=group, user_id__in=wanted).delete()
        if removed:
            detail = {"removed": sorted(wanted.values())}
            audit.record("group.members_removed", actor=actor, target=group, detail=detail)
    return removed


def set_members(actor: Actor, group: Group, users: Iterable[User]) -> tuple[int, int]:
    """Make the member list exactly `users`; returns (added, removed)."""
    with transaction.atomic():
        _locked(group)
        wanted = {u.pk: u for u in users}
        present = set(group.memberships.values_list("user_id", flat=True))
        gone = [pk for pk in present if pk not in wanted]
        removed = 0
        if gone:
            gone_users = User.objects.filter(pk__in=gone)
            removed = remove_members(actor, group, gone_users)
        added = add_members(actor, group, [u for pk, u in wanted.items() if pk not in present])
    return added, removed
