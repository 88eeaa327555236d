"""Plan groups: create, rename or re-describe, and delete those Okta no longer has."""

from dataclasses import dataclass, field
from typing import Any

from querypie_admin.models import AuthProvider, Group

from .conflicts import conflict, holders
from .snapshot import Snapshot


@dataclass
class GroupPlan:
    create: list[tuple[str, str, str]] = field(default_factory=list)  # Okta id, name, description
    update: list[tuple[int, str, str, dict[str, Any]]] = field(default_factory=list)
    delete: list[tuple[int, str]] = field(default_factory=list)  # pk, name
    linked: dict[str, int] = field(default_factory=dict)
    conflicts: list[dict[str, str]] = field(default_factory=list)


def plan_groups(snapshot: Snapshot) -> GroupPlan:
    """Groups follow Okta exactly; only Okta-provider groups are ever changed."""
    plan = GroupPlan()
    adoptable: dict[str, tuple[int, str, str]] = {}
    rows = Group.objects.filter(auth_provider=AuthProvider.OKTA).order_by("pk")
    for pk, external_id, name, description in rows.values_list(
        "pk", "external_id", "name", "description"
    ):
        wanted = snapshot.groups.get(external_id) if external_id else None
        if wanted is not None and external_id not in plan.linked:
            plan.linked[external_id] = pk
            changes = _changes((name, description), wanted)
            if changes:
                plan.update.append((pk, external_id, wanted[0], changes))
        elif not external_id or snapshot.complete:
            adoptable[name.lower()] = (pk, name, description)
    _place_new_groups(plan, snapshot, adoptable)
    if snapshot.complete:
        plan.delete = [(pk, name) for pk, name, _ in adoptable.values()]
    _drop_taken_names(plan)
    return plan


def _changes(current: tuple[str, str], wanted: tuple[str, str]) -> dict[str, Any]:
    names = ("name", "description")
    return {n: new for n, old, new in zip(names, current, wanted, strict=True) if old != new}


def _place_new_groups(plan: GroupPlan, snapshot: Snapshot, adoptable: dict) -> None:
    for okta_id, (name, description) in snapshot.groups.items():
        if okta_id in plan.linked:
            continue
        if not name:
            plan.conflicts.append(conflict("group", okta_id, name, "Okta sent no group name"))
            continue
        if name.lower() in adoptable:
            pk, old_name, old_description = adoptable.pop(name.lower())
            plan.linked[okta_id] = pk
            changes = {**_changes((old_name, old_description), (name, description))}
            plan.update.append((pk, okta_id, name, {**changes, "external_id": okta_id}))
        else:
            plan.create.append((okta_id, name, description))


def _drop_taken_names(plan: GroupPlan) -> None:
    renames = [changes["name"] for *_, changes in plan.update if "name" in changes]
    taken = holders(Group, "name", [name for _, name, _ in plan.create] + renames)
    if not taken:
        return
    kept = []
    for okta_id, name, description in plan.create:
        if name.lower() in taken:
            plan.conflicts.append(_taken(okta_id, name))
        else:
            kept.append((okta_id, name, description))
    plan.create = kept
    for pk, okta_id, _, changes in plan.update:
        holder = taken.get(changes.get("name", "").lower())
        if holder and holder[0] != pk:
            plan.conflicts.append(_taken(okta_id, changes.pop("name")))
    plan.update = [item for item in plan.update if item[3]]


def _taken(okta_id: str, name: str) -> dict[str, str]:
    return conflict("group", okta_id, name, "group name already used by another group; left alone")
