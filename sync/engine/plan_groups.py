"""Plan groups: create, adopt (link), rename or re-describe, and release. Reads only.

A listed Okta group is matched to the group whose sync link has its Okta id, else an
Okta-owned group with no sync link and the same name is adopted, else it is created. A
group SCIM pushed members into is not adopted by name for an Okta group whose id a role
mapping names, unless SCIM pushed it with that id as externalId: its members are SCIM's
word, and the sync's link would give them the mapped role outside the run's plan
(docs/ROLE_MAPPING.md); such a group is a conflict, left untouched. A
sync-linked group a complete listing lacks is released: deleted with its memberships
unless SCIM also manages it. Groups the sync does not link are never deleted here.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef

from okta.profile import GroupValues, group_attributes, group_fields
from querypie_admin.directory import check_group_fields
from querypie_admin.directory.fields import checked_group_values
from querypie_admin.models import Group, GroupMembership, RoleMapping

from .conflicts import Candidates, Kind, conflict, drop_conflicts, with_links
from .snapshot import Snapshot

SCIM_MEMBERS = (
    "group name used by a group SCIM pushed members into without this mapped Okta id: the "
    "sync adopts it only if SCIM pushes it with this Okta id as externalId; left untouched"
)
Candidate = tuple[int, GroupValues, bool, bool, str | None]
# ^ pk, current values, sync-linked, SCIM-linked, SCIM's externalId if SCIM pushed members
GROUPS = Kind(
    "group", Group, "name", "group name", group_fields, check_group_fields, checked_group_values
)


@dataclass
class GroupPlan:
    create: list[tuple[str, GroupValues]] = field(default_factory=list)  # Okta id, values
    update: list[tuple[int, str, str, dict[str, Any]]] = field(default_factory=list)
    # ^ (pk, Okta id, name, changed fields)
    link: list[tuple[int, str, GroupValues]] = field(default_factory=list)
    adopted: set[int] = field(default_factory=set)
    release: list[tuple[int, str, bool]] = field(default_factory=list)  # pk, name, deleted
    linked: dict[str, int] = field(default_factory=dict)
    owned: int = 0  # sync-linked groups, and groups this run adopts
    conflicts: list[dict[str, str]] = field(default_factory=list)

    @property
    def delete(self) -> list[tuple[int, str]]:
        """Released groups no other source manages: deleted with their memberships."""
        return [(pk, name) for pk, name, deleted in self.release if deleted]

    def refreshed(self) -> list[tuple[int, str]]:
        """(pk, name) of updated groups: changed fields, or only a changed "What Okta sent"."""
        rows = [(pk, name) for pk, _, name, _ in self.update]
        counted = self.adopted | {pk for pk, _ in rows}
        return rows + [(pk, values[0]) for pk, _, values in self.link if pk not in counted]


def plan_groups(snapshot: Snapshot) -> GroupPlan:
    plan = GroupPlan()
    candidates: Candidates[Candidate] = Candidates()
    members = GroupMembership.objects.filter(group=OuterRef("pk"))
    rows = with_links(Group).annotate(has_members=Exists(members)).values_list(
        "pk", "sync__id", "sync__external_id", "sync__attributes", "scim__id",
        "scim__external_id", "has_members", "name", "description",
    )  # fmt: skip
    for pk, sync_link, okta_id, sent, scim_link, scim_id, has_members, *values in rows:
        current = (values[0], values[1])
        if sync_link is not None:
            plan.owned += 1
            wanted = snapshot.groups.get(okta_id)
            if wanted is not None:
                plan.linked[okta_id] = pk
                _refresh(plan, snapshot, pk, okta_id, current, wanted, sent)
                continue
            if not snapshot.complete:
                continue
        pushed = (scim_id or "") if scim_link is not None and has_members else None
        row = (pk, current, sync_link is not None, scim_link is not None, pushed)
        candidates.add(pk, row, current[0])
    _place_new_groups(plan, snapshot, candidates)
    _release_absent(plan, candidates.rows.values())
    drop_conflicts(plan, GROUPS)
    return plan


def _changes(current: GroupValues, wanted: GroupValues) -> dict[str, Any]:
    names = ("name", "description")
    return {n: new for n, old, new in zip(names, current, wanted, strict=True) if old != new}


def _refresh(plan: GroupPlan, snapshot: Snapshot, pk, okta_id, current, wanted, sent) -> None:
    changes = _changes(current, wanted)
    if changes:
        plan.update.append((pk, okta_id, wanted[0], changes))
    if okta_id not in snapshot.stored and group_attributes(wanted) != sent:
        plan.link.append((pk, okta_id, wanted))


def _place_new_groups(plan: GroupPlan, snapshot: Snapshot, candidates: Candidates) -> None:
    mapped = set(RoleMapping.objects.values_list("okta_group_id", flat=True))
    for okta_id, values in snapshot.groups.items():
        if okta_id in plan.linked:
            continue
        if not values[0]:
            plan.conflicts.append(conflict("group", okta_id, "", "Okta sent no group name"))
            continue
        candidate = candidates.take(okta_id, values[0])
        if candidate is not None and _pushed_apart(candidate, okta_id, mapped):
            candidates.rows[candidate[0]] = candidate  # left as it is
            plan.conflicts.append(conflict("group", okta_id, values[0], SCIM_MEMBERS))
            continue
        if candidate is None:
            plan.create.append((okta_id, values))
            continue
        pk, current, was_synced, _, _ = candidate
        plan.linked[okta_id] = pk
        if not was_synced:
            plan.adopted.add(pk)
            plan.owned += 1
        changes = _changes(current, values)
        if changes:
            plan.update.append((pk, okta_id, values[0], changes))
        plan.link.append((pk, okta_id, values))


def _pushed_apart(candidate: Candidate, okta_id: str, mapped: set[str]) -> bool:
    """A group SCIM pushed members into under another externalId (or none), found by the
    name of an Okta group a mapping names: not that group, as far as the console knows."""
    pushed = candidate[4]
    return okta_id in mapped and pushed is not None and pushed != okta_id


def _release_absent(plan: GroupPlan, candidates: Iterable[Candidate]) -> None:
    for pk, current, was_synced, scim_linked, _ in candidates:
        if was_synced:
            plan.release.append((pk, current[0], not scim_linked))
