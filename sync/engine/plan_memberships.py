"""Plan memberships: make each synced group's members Okta's, over the users the sync links.

Only pairs of a synced group and a sync-linked user are removed: SCIM-only and local
members of a shared group are left alone, and so are users the sync lets go of that SCIM
keeps, in a group SCIM manages too (SCIM says who its members are). The memberships of the groups
the plan deletes are listed too, so the plan counts exactly what the run removes.

Keys are database ids for existing rows and Okta ids for users or groups this run creates.
Present memberships are streamed group by group, so 300,000 of them need little memory.
"""

from collections.abc import Iterable, Iterator
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


def read_order(groups: GroupPlan, okta_ids: Iterable[str]) -> list[str]:
    """The groups whose members to read, in the order MembershipPlanner.take wants them:
    those linked here, by id, then those this run creates. Others (a conflict) are not read."""
    keys = _group_keys(groups)
    keyed = [(keys[okta_id], okta_id) for okta_id in okta_ids if okta_id in keys]
    keyed.sort(key=lambda item: (isinstance(item[0], str), _sortable(item[0]), item[1]))
    return [okta_id for _, okta_id in keyed]


class MembershipPlanner:
    """The plan group by group, as each group's members arrive: take() the groups in the
    order read_order() gives, then finish(). The memberships stored here are streamed in the same
    order (by group id) beside them, so a group's additions are known as soon as its pages
    are in, and the groups not read this run are dealt with as the stream passes them."""

    def __init__(self, snapshot: Snapshot, users: UserPlan, groups: GroupPlan) -> None:
        self.plan = MembershipPlan()
        self._users = users
        self._complete = snapshot.complete
        self._keys = _user_keys(users)
        self._looked_up: set[str] = set()  # incremental runs: Okta ids looked up here
        self._group_keys = _group_keys(groups)
        self._deleted = {pk for pk, _ in groups.delete}
        self._managed = set(groups.linked.values())
        self._kept = users.kept_by_scim()
        self._shared: set[int] | None = None
        self._present: Iterator[tuple[int, set[int]]] | None = None
        self._head: tuple[int, set[int]] | None = None

    def take(self, okta_id: str, members: Iterable[str]) -> list[tuple[Key, Key]]:
        """One group's members as Okta lists them; returns the memberships to add."""
        key = self._group_keys[okta_id]
        wanted = self._wanted(members)
        if isinstance(key, str):  # a group this run creates
            added = [(key, user) for user in _ordered(wanted)]
        else:
            added = self._follow_okta(key, self._present_until(key), wanted)
        self.plan.add += added
        return added

    def finish(self) -> MembershipPlan:
        """The groups not read this run (after the last one read), then the whole plan."""
        self._present_until(None)
        return self.plan

    def _follow_okta(self, group_pk: int, present: set[int], wanted: set[Key]) -> list:
        """A synced group read this run: add Okta's members, remove the sync's users Okta no
        longer lists."""
        ours = self._ours(group_pk, present)
        self.plan.owned += len(ours)
        self.plan.remove += [(group_pk, pk) for pk in sorted(ours - wanted)]
        return [(group_pk, key) for key in _ordered(wanted - present)]

    def _not_read(self, group_pk: int, present: set[int]) -> None:
        """A group whose members were not read: its memberships go with it when it is
        deleted; if it stays synced, only users leaving every synced group leave it."""
        if group_pk in self._deleted:
            self.plan.with_groups += [(group_pk, pk) for pk in sorted(present)]
            self.plan.owned += len(present)
        elif group_pk in self._managed:
            ours = self._ours(group_pk, present)
            self.plan.owned += len(ours)
            self.plan.remove += [(group_pk, pk) for pk in sorted(ours & self._users.gone)]

    def _ours(self, group_pk: int, present: set[int]) -> set[int]:
        """Members the sync manages: its users, except those SCIM keeps in a group SCIM
        manages too (SCIM says who its members are)."""
        if self._shared is None:
            self._shared = _groups_scim_manages()
        ours = present & self._users.synced
        return ours - self._kept if group_pk in self._shared else ours

    def _present_until(self, group_pk: int | None) -> set[int]:
        """Stored members of `group_pk`; the groups before it in the stream were not read."""
        if self._present is None:
            self._present = _present_by_group()
            self._head = next(self._present, None)
        while self._head is not None and (group_pk is None or self._head[0] <= group_pk):
            head, self._head = self._head, next(self._present, None)
            if head[0] == group_pk:
                return head[1]
            self._not_read(*head)
        return set()

    def _wanted(self, members: Iterable[str]) -> set[Key]:
        keys = self._keys
        if not self._complete:  # an incremental run also sees members it did not re-read
            unknown = {m for m in members if m not in keys and m not in self._looked_up}
            self._looked_up |= unknown
            found = _linked_in_database(unknown) if unknown else {}
            keys.update((m, pk) for m, pk in found.items() if pk not in self._users.gone)
        return {keys[m] for m in members if m in keys}


def _group_keys(groups: GroupPlan) -> dict[str, Key]:
    keys: dict[str, Key] = {okta_id: okta_id for okta_id, _ in groups.create}
    keys.update(groups.linked)
    return keys


def _sortable(key: Key) -> int:
    return key if isinstance(key, int) else 0


def _ordered(keys: set[Key]) -> list[Key]:
    """Database ids in order, then Okta ids in order."""
    ids = [key for key in keys if isinstance(key, int)]
    return sorted(ids) + sorted(keys.difference(ids)) if len(ids) < len(keys) else sorted(ids)


def _user_keys(users: UserPlan) -> dict[str, Key]:
    """Okta id -> key for every user this run reads who may be a member."""
    keys: dict[str, Key] = {okta_id: okta_id for okta_id, _ in users.create}
    keys.update(users.linked)
    return {okta_id: key for okta_id, key in keys.items() if key not in users.gone}


def _linked_in_database(okta_ids: set[str]) -> dict[str, int]:
    ordered, found = sorted(okta_ids), {}
    links = DirectoryLink.objects.filter(source=LinkSource.OKTA_SYNC, user__isnull=False)
    for start in range(0, len(ordered), LOOKUP_BATCH):
        chunk = ordered[start : start + LOOKUP_BATCH]
        found.update(links.filter(external_id__in=chunk).values_list("external_id", "user_id"))
    return found


def _groups_scim_manages() -> set[int]:
    links = DirectoryLink.objects.filter(source=LinkSource.SCIM, group__isnull=False)
    return set(links.values_list("group_id", flat=True))


def _present_by_group() -> Iterator[tuple[int, set[int]]]:
    """(group id, its members' ids) of every Okta group with members, by group id."""
    rows = (
        GroupMembership.objects.filter(group__auth_provider=AuthProvider.OKTA)
        .order_by("group_id", "user_id")
        .values_list("group_id", "user_id")
        .iterator(chunk_size=STREAM_CHUNK)
    )
    for group_pk, members in groupby(rows, key=lambda row: row[0]):
        yield group_pk, {user_pk for _, user_pk in members}
