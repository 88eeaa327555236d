"""Plan memberships: make each synced group's members Okta's, over the users the sync links.

Only pairs of a synced group and a sync-linked user are removed: SCIM-only and local
members of a shared group are left alone, and so are users the sync lets go of that SCIM
keeps, in a group SCIM manages too (SCIM says who its members are). The memberships of the groups
the plan deletes are listed too, so the plan counts exactly what the run removes.

Keys are database ids for existing rows and Okta ids for users or groups this run creates.
Present memberships are streamed group by group, so 300,000 of them need little memory.
"""

from dataclasses import dataclass, field
from itertools import groupby

from querypie_admin.models import AuthProvider, DirectoryLink, GroupMembership, LinkSource

from .plan_groups import GroupPlan
from .plan_users import UserPlan
from .snapshot import Snapshot

Key = int | str
STREAM_CHUNK = 10_000
LOOKUP_BATCH = 5000


@dataclass
class MembershipPlan:
    add: list[tuple[Key, Key]] = field(default_factory=list)  # (group, user)
    remove: list[tuple[int, int]] = field(default_factory=list)
    with_groups: list[tuple[int, int]] = field(default_factory=list)  # go with deleted groups
    owned: int = 0  # present memberships the sync manages (the guard's measure)

    @property
    def removals(self) -> int:
        return len(self.remove) + len(self.with_groups)


def plan_memberships(snapshot: Snapshot, users: UserPlan, groups: GroupPlan) -> MembershipPlan:
    plan = MembershipPlan()
    wanted_by_group = _wanted(snapshot, groups, _user_keys(snapshot, users))
    deleted = {pk for pk, _ in groups.delete}
    managed = set(groups.linked.values())
    shared, kept = _groups_scim_manages(), users.kept_by_scim()
    for group_pk, rows in _present_by_group():
        present = {user_pk for _, user_pk in rows}
        if group_pk in deleted:
            plan.with_groups += [(group_pk, pk) for pk in sorted(present)]
            plan.owned += len(present)
        elif group_pk in managed:
            ours = present & users.synced - (kept if group_pk in shared else set())
            _follow_okta(plan, group_pk, present, ours, wanted_by_group, users)
    for group_key, wanted in wanted_by_group.items():  # groups with no member yet
        plan.add += [(group_key, key) for key in _ordered(wanted)]
    return plan


def _follow_okta(
    plan: MembershipPlan,
    group_pk: int,
    present: set[int],
    ours: set[int],
    wanted_by_group: dict,
    users: UserPlan,
) -> None:
    """One synced group: add Okta's members, remove the sync's users Okta no longer lists
    (or, when its members were not read this run, only the users leaving every synced group)."""
    plan.owned += len(ours)
    wanted = wanted_by_group.pop(group_pk, None)
    if wanted is None:
        plan.remove += [(group_pk, pk) for pk in sorted(ours & users.gone)]
        return
    plan.remove += [(group_pk, pk) for pk in sorted(ours - wanted)]
    plan.add += [(group_pk, key) for key in _ordered(wanted - present)]


def _ordered(keys: set[Key]) -> list[Key]:
    return sorted(keys, key=lambda k: (isinstance(k, str), str(k) if isinstance(k, str) else k))


def _user_keys(snapshot: Snapshot, users: UserPlan) -> dict[str, Key]:
    """Okta id -> key for every user who may be a member this run."""
    keys: dict[str, Key] = {okta_id: okta_id for okta_id, _ in users.create}
    keys.update(users.linked)
    if not snapshot.complete:  # an incremental run also sees members it did not re-read
        unknown = {m for ms in snapshot.members.values() for m in ms if m not in keys}
        keys.update(_linked_in_database(unknown))
    return {okta_id: key for okta_id, key in keys.items() if key not in users.gone}


def _linked_in_database(okta_ids: set[str]) -> dict[str, int]:
    ordered, found = sorted(okta_ids), {}
    links = DirectoryLink.objects.filter(source=LinkSource.OKTA_SYNC, user__isnull=False)
    for start in range(0, len(ordered), LOOKUP_BATCH):
        chunk = ordered[start : start + LOOKUP_BATCH]
        found.update(links.filter(external_id__in=chunk).values_list("external_id", "user_id"))
    return found


def _wanted(snapshot: Snapshot, groups: GroupPlan, user_keys: dict[str, Key]) -> dict:
    creating = {okta_id for okta_id, _ in groups.create}
    wanted: dict[Key, set[Key]] = {}
    for okta_id, members in snapshot.members.items():
        group_key = groups.linked.get(okta_id) or (okta_id if okta_id in creating else None)
        if group_key is not None:
            wanted[group_key] = {user_keys[m] for m in members if m in user_keys}
    return wanted


def _groups_scim_manages() -> set[int]:
    links = DirectoryLink.objects.filter(source=LinkSource.SCIM, group__isnull=False)
    return set(links.values_list("group_id", flat=True))


def _present_by_group():
    rows = (
        GroupMembership.objects.filter(group__auth_provider=AuthProvider.OKTA)
        .order_by("group_id", "user_id")
        .values_list("group_id", "user_id")
        .iterator(chunk_size=STREAM_CHUNK)
    )
    return groupby(rows, key=lambda row: row[0])
