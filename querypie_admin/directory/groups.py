"""Per-group writes: create, update, delete, members, and release a source's link.

Membership changes lock the group row, so Okta's parallel PATCHes for one group
serialise and lose nobody; adding one member inserts one row whatever the group's size.
"""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from ..models import AuthProvider, Group, GroupMembership, User
from .caller import Caller
from .errors import Refused
from .fields import changed, check_group_fields
from .links import Sent, drop_link, link_new_row, lock, provisioned_elsewhere, save_link
from .roles import mapped_okta_ids_of
from .rules import check_reach, check_reach_all
from .users import apply_changes, save_unique


def _taken(name: Any) -> str:
    return f"Group {name!r} already exists"


def create_group(caller: Caller, fields: dict[str, Any], *, sent: Sent | None = None) -> Group:
    check_group_fields(fields)
    provider = AuthProvider.OKTA if caller.is_integration else AuthProvider.QUERYPIE
    group = Group(**fields, auth_provider=provider)
    with transaction.atomic():
        save_unique(group, _taken(group.name))
        audited = [("group.created", group, {"fields": sorted(fields)})]
        if caller.is_integration:
            audited.append(link_new_row(caller, group, sent))
        caller.record_together(audited)
    return group


def update_group(
    caller: Caller, group: Group, fields: dict[str, Any], *, sent: Sent | None = None
) -> list[str]:
    check_group_fields(fields)
    with transaction.atomic():
        lock(group)
        check_reach(caller, "group.updated", group)
        changes = changed(group, fields)
        if changes:
            apply_changes(group, changes, _taken(changes.get("name")))
            caller.record("group.updated", target=group, fields=sorted(changes))
        if caller.is_integration:
            save_link(caller, group, sent)
    return sorted(changes)


def delete_group(caller: Caller, group: Group) -> bool:
    """Delete; an integration that shares the group with another source only lets go of it.

    An administrator may delete an Okta group after a warning (Okta may push it back),
    but not one whose Okta id grants a console role: its members would keep the role with
    no group left to take it back (the integrations decide the roles again after a delete).
    Returns whether the group was deleted.
    """
    with transaction.atomic():
        lock(group)
        if caller.is_integration:
            check_reach(caller, "group.deleted", group)
            if provisioned_elsewhere(caller, group):
                drop_link(caller, group)
                return False
        elif mapped_okta_ids_of(group):
            raise Refused(caller, "group.deleted", group, (
                f"Group {group.name}'s Okta id grants a console role (role mapping): an Owner "
                "removes the mapping first, or Okta deletes the group."
            ))  # fmt: skip
        members = group.memberships.count()
        caller.record("group.deleted", target=group, members_removed=members)
        group.delete()
    return True


def _check_members(caller: Caller, action: str, group: Group, users: list[User]) -> None:
    check_reach(caller, action, group)
    if caller.is_integration:
        check_reach_all(caller, action, User, [u.pk for u in users])


def add_members(caller: Caller, group: Group, users: Iterable[User]) -> int:
    """Add users not yet members; existing rows are not touched."""
    wanted = {u.pk: u for u in users}
    with transaction.atomic():
        lock(group)
        _check_members(caller, "group.members_added", group, list(wanted.values()))
        present = set(
            GroupMembership.objects.filter(group=group, user_id__in=wanted).values_list(
                "user_id", flat=True
            )
        )
        new = [GroupMembership(group=group, user_id=pk) for pk in wanted if pk not in present]
        GroupMembership.objects.bulk_create(new, ignore_conflicts=True)
        if new:
            added = [wanted[m.user_id].login_id for m in new]
            caller.record("group.members_added", target=group, added=added)
    return len(new)


def _reachable(caller: Caller, memberships: QuerySet[GroupMembership]) -> QuerySet:
    """An integration changes only memberships of users Okta owns: a local member of an
    Okta group (one an Owner took back) is not its to remove, nor even to see."""
    if caller.is_integration:
        return memberships.filter(user__auth_provider=AuthProvider.OKTA)
    return memberships


def remove_members(caller: Caller, group: Group, users: Iterable[User]) -> int:
    wanted = {u.pk: u.login_id for u in users}
    with transaction.atomic():
        lock(group)
        check_reach(caller, "group.members_removed", group)
        rows = _reachable(caller, GroupMembership.objects.filter(group=group, user_id__in=wanted))
        gone = list(rows.values_list("user_id", flat=True))
        removed, _ = rows.delete()
        wanted = {pk: wanted[pk] for pk in gone}
        if removed:
            caller.record("group.members_removed", target=group, removed=sorted(wanted.values()))
    return removed


def set_members(caller: Caller, group: Group, users: Iterable[User]) -> tuple[int, int]:
    """Make the member list exactly `users`; returns (added, removed)."""
    wanted = {u.pk: u for u in users}
    with transaction.atomic():
        lock(group)
        check_reach(caller, "group.members_set", group)
        present = set(_reachable(caller, group.memberships.all()).values_list("user_id", flat=True))
        gone = User.objects.filter(pk__in=[pk for pk in present if pk not in wanted])
        removed = remove_members(caller, group, gone) if gone else 0
        added = add_members(caller, group, [u for pk, u in wanted.items() if pk not in present])
    return added, removed
