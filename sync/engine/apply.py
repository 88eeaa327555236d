"""Write a plan through querypie_admin.directory_bulk: users, then groups, then memberships."""

from collections.abc import Callable, Sequence
from typing import Any

from querypie_admin import directory_bulk
from querypie_admin.audit import Actor
from querypie_admin.directory import DirectoryConflict
from querypie_admin.models import AuthProvider

from .conflicts import conflict
from .plan import Plan
from .plan_users import user_fields

Phase = Callable[[str], None]


def apply_plan(plan: Plan, actor: Actor, phase: Phase) -> list[dict[str, str]]:
    """Apply every change; returns conflicts found only while writing (e.g. login swaps)."""
    late_conflicts: list[dict[str, str]] = []
    phase("Writing users")
    new_users = _create_users(actor, plan)
    updates = [(pk, login, changes) for pk, _, login, changes in plan.users.update]
    late_conflicts += _update_each_on_conflict(directory_bulk.update_users, actor, updates, "user")
    directory_bulk.deactivate_users(actor, [pk for pk, _ in plan.users.deactivate])
    phase("Writing groups")
    new_groups = _create_groups(actor, plan)
    updates = [(pk, name, changes) for pk, _, name, changes in plan.groups.update]
    late_conflicts += _update_each_on_conflict(
        directory_bulk.update_groups, actor, updates, "group"
    )
    directory_bulk.delete_groups(actor, [pk for pk, _ in plan.groups.delete])
    phase("Writing memberships")
    adds = [
        (new_groups.get(g, g), new_users.get(u, u))
        for g, u in plan.memberships.add
        if new_groups.get(g, g) is not None and new_users.get(u, u) is not None
    ]
    directory_bulk.change_memberships(actor, adds, plan.memberships.remove)
    return late_conflicts


def _create_users(actor: Actor, plan: Plan) -> dict[str, int]:
    """Okta id -> new user id; rows are built one batch at a time to keep memory flat."""
    made: dict[str, int] = {}
    creates = plan.users.create
    for start in range(0, len(creates), directory_bulk.BATCH):
        rows = [
            user_fields(okta_id, v) for okta_id, v in creates[start : start + directory_bulk.BATCH]
        ]
        made.update((okta_id, pk) for pk, okta_id in directory_bulk.create_users(actor, rows))
    return made


def _create_groups(actor: Actor, plan: Plan) -> dict[str, int]:
    rows = [
        {"name": name, "description": description, "auth_provider": AuthProvider.OKTA}
        | {"external_id": okta_id}
        for okta_id, name, description in plan.groups.create
    ]
    return {g.external_id: g.pk for g in directory_bulk.create_groups(actor, rows)}


def _update_each_on_conflict(
    update: Callable[[Actor, Sequence[tuple[int, str, dict[str, Any]]]], int],
    actor: Actor,
    changes: list[tuple[int, str, dict[str, Any]]],
    kind: str,
) -> list[dict[str, str]]:
    """Batched first; if a batch clashes (two Okta users swapped logins), one by one."""
    try:
        update(actor, changes)
        return []
    except DirectoryConflict:
        pass
    found = []
    for change in changes:
        try:
            update(actor, [change])
        except DirectoryConflict:
            found.append(conflict(kind, "", change[1], "name already in use; left unchanged"))
    return found
