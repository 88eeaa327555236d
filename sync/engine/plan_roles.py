"""Plan role changes: what the Okta group → console role mappings would change once this
run's memberships are written. The rule is querypie_admin.directory.roles; this reads only.

A role depends only on the mapped groups, so only their memberships are read, as they will
be after the plan: the members stored here with the membership plan's additions and removals.
For a group whose members this run read, that is Okta's member list; for a mapped group the
sync does not read (outside its scope, or unchanged since an incremental run's watermark) it
is what is stored here (SCIM's pushes, earlier runs). So a run costs a few small queries
whatever the size of the directory, and SCIM and the sync together give one answer.

Users considered: those the sync links or matches (users it creates are keyed by their Okta
id until they exist) and every user whose role came from a mapping, so a mapping removed or
a group left demotes. Mappings name groups by Okta id only: a group given a mapped group's
old name grants nothing, and a mapped group's rename is shown in the plan.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from itertools import chain

from okta.profile import LOGIN
from querypie_admin.directory import roles
from querypie_admin.directory.caller import PROVISIONING
from querypie_admin.directory.roles import Current, RoleChange
from querypie_admin.models import (
    AuthProvider,
    DirectoryLink,
    GroupMembership,
    LinkSource,
    Role,
    RoleMapping,
    RoleSource,
    User,
)

from .conflicts import conflict
from .plan_groups import GroupPlan
from .plan_memberships import MembershipPlan
from .plan_users import UserPlan
from .snapshot import Snapshot

Key = int | str  # a user's or group's pk, or the Okta id of one this run creates
HAND_SET_OWNER = "An Owner set by hand is changed only by an Owner."
NEW_USER = Current("", roles.DEFAULT_ROLE, RoleSource.MANUAL, (), AuthProvider.OKTA)


@dataclass
class RolePlan:
    # (pk, or the Okta id of a user this run creates; the change)
    changes: list[tuple[Key, RoleChange]] = field(default_factory=list)
    # changes the Owner rules refuse: foreseen by the plan, then what the directory refused
    refused: list[tuple[RoleChange, str]] = field(default_factory=list)
    renames: list[tuple[str, str, str, str]] = field(default_factory=list)
    # ^ (Okta group id, name stored with the mapping, name in Okta, role it grants)
    names: dict[str, str] = field(default_factory=dict)  # mapped Okta group id -> name
    touched: set[int] = field(default_factory=set)  # users whose mapped memberships change

    def promoted(self) -> list[Key]:
        """Who this run makes an administrator: what a confirmation is bound to."""
        return ordered(key for key, change in self.changes if change.is_promotion)

    def counts(self) -> dict[str, int]:
        kinds = [kind_of(change) for _, change in self.changes]
        return {
            "roles_promote": kinds.count("promote"),
            "roles_demote": kinds.count("demote"),
            "roles_change": kinds.count("change"),
            "roles_renamed": len(self.renames),
        }

    def samples(self, size: int) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {"promote": [], "demote": [], "change": []}
        for _, change in self.changes:
            found[kind_of(change)].append(self.label(change))
        samples = {f"roles_{kind}": labels[:size] for kind, labels in found.items()}
        samples["roles_renamed"] = [
            f"Mapped group {okta_id} renamed in Okta: {old or '(no name)'} → {new} "
            f"(still grants {Role(role).label})"
            for okta_id, old, new, role in self.renames[:size]
        ]
        return samples

    def label(self, change: RoleChange) -> str:
        """ "ada@corp.example: User → System Admin (Admins 00g…)"."""
        why = ", ".join(f"{self.names.get(g) or 'unnamed group'} {g}" for g in change.groups)
        before, after = Role(change.before).label, Role(change.after).label
        return f"{change.login_id}: {before} → {after} ({why or 'in no mapped group'})"

    @property
    def conflicts(self) -> list[dict[str, str]]:
        return [conflict("role", "", change.login_id, reason) for change, reason in self.refused]


def kind_of(change: RoleChange) -> str:
    if change.is_promotion:
        return "promote"  # System Admin → Owner too: the guard counts it
    if change.is_demotion:
        return "demote"
    return "change"  # only where the role comes from


def ordered(keys: Iterable[Key]) -> list[Key]:
    """Database ids first, then Okta ids: a stable order for JSON and comparisons."""
    return sorted(keys, key=lambda k: (isinstance(k, str), k if isinstance(k, int) else 0, str(k)))


def plan_roles(
    snapshot: Snapshot, users: UserPlan, groups: GroupPlan, memberships: MembershipPlan
) -> RolePlan:
    """The role changes, mapped group renames and foreseen refusals of this run's plan."""
    plan = RolePlan()
    rows = list(RoleMapping.objects.values_list("okta_group_id", "role", "group_name"))
    by_mapping = _mapped_roles_now()
    if not rows and not by_mapping:
        return plan  # no mapping and no mapped role: nothing to read
    plan.names = {gid: _name(snapshot, gid, stored) for gid, _, stored in rows}
    plan.renames = [
        (gid, stored, plan.names[gid], role)
        for gid, role, stored in rows
        if gid in snapshot.groups and plan.names[gid] and plan.names[gid] != stored
    ]
    mappings = roles.active_mappings() if rows else {}
    group_keys = _mapped_group_keys(set(mappings), groups)
    groups_of, plan.touched = _groups_after(group_keys, memberships)
    others = {k for k in groups_of if isinstance(k, int) and k in users.synced}
    current = by_mapping | roles.current_of(others - set(by_mapping))
    plan.changes = [
        (change.user_id, change) for change in roles.decide(current, groups_of, mappings)
    ]
    plan.changes += _new_users(users, groups_of, mappings)
    _foresee_refusals(plan, current)
    return plan


def _mapped_roles_now() -> dict[int, Current]:
    """Every Okta user whose role came from a mapping, read in one query (no list of ids)."""
    fields = ("pk", "login_id", "role", "role_source", "role_groups", "auth_provider")
    rows = User.objects.filter(role_source=RoleSource.MAPPING, auth_provider=AuthProvider.OKTA)
    return {
        pk: Current(login, role, source, tuple(groups or ()), provider)
        for pk, login, role, source, groups, provider in rows.values_list(*fields)
    }


def _name(snapshot: Snapshot, okta_id: str, stored: str) -> str:
    values = snapshot.groups.get(okta_id)
    return values[0] if values and values[0] else stored


def _mapped_group_keys(mapped: set[str], groups: GroupPlan) -> dict[Key, set[str]]:
    """Group key -> the mapped Okta ids it carries once the plan is written: each id on one
    group, the sync's (its link, unless the plan lets go of that group, or the group the
    plan adopts or creates for it), else the first SCIM linked (roles.group_of_okta_id)."""
    keys: dict[Key, set[str]] = {}
    if not mapped:
        return keys
    released = {pk for pk, _, _ in groups.release}
    links = DirectoryLink.objects.filter(
        source__in=PROVISIONING,
        group__auth_provider=AuthProvider.OKTA,
        external_id__in=sorted(mapped),
    )
    rows: list[tuple[Key, str, str]] = [
        (group_id, source, okta_id)
        for group_id, source, okta_id in links.order_by("pk").values_list(
            "group_id", "source", "external_id"
        )
        if not (source == LinkSource.OKTA_SYNC and group_id in released)
    ]
    rows += [(groups.linked[i], LinkSource.OKTA_SYNC, i) for i in mapped if i in groups.linked]
    rows += [(i, LinkSource.OKTA_SYNC, i) for i, _ in groups.create if i in mapped]
    for okta_id, group in roles.group_of_okta_id(rows).items():
        keys.setdefault(group, set()).add(okta_id)
    return keys


def _groups_after(
    group_keys: dict[Key, set[str]], memberships: MembershipPlan
) -> tuple[dict[Key, set[str]], set[int]]:
    """User key -> mapped Okta group ids after the plan, and the users whose mapped
    memberships the plan changes (decided again from what is stored once written)."""
    members: dict[Key, set[Key]] = {key: set() for key in group_keys}
    stored = GroupMembership.objects.filter(
        group_id__in=[key for key in group_keys if isinstance(key, int)]
    )
    for group_id, user_id in stored.values_list("group_id", "user_id"):
        members[group_id].add(user_id)
    touched: set[int] = set()
    for group, user in chain(memberships.remove, memberships.with_groups):
        if group in members:
            members[group].discard(user)
            touched.add(user)
    for group, user in memberships.add:
        if group in members:
            members[group].add(user)
            if isinstance(user, int):
                touched.add(user)
    groups_of: dict[Key, set[str]] = {}
    for group, users in members.items():
        for user in users:
            groups_of.setdefault(user, set()).update(group_keys[group])
    return groups_of, touched


def _new_users(
    users: UserPlan, groups_of: dict[Key, set[str]], mappings: dict[str, str]
) -> list[tuple[Key, RoleChange]]:
    """Users this run creates start with the default role set by hand: decide for them by
    placeholder ids, keyed by Okta id until the write gives them a pk."""
    wanted = {key for key in groups_of if isinstance(key, str)}
    if not wanted:
        return []
    logins = {okta_id: values[LOGIN] for okta_id, values in users.create if okta_id in wanted}
    okta_ids = dict(enumerate(sorted(logins), start=1))
    current = {-n: replace(NEW_USER, login_id=logins[o]) for n, o in okta_ids.items()}
    found = roles.decide(current, {-n: groups_of[o] for n, o in okta_ids.items()}, mappings)
    return [(okta_ids[-change.user_id], change) for change in found]


def _foresee_refusals(plan: RolePlan, current: dict[int, Current]) -> None:
    """An Owner set by hand keeps its role whatever its groups: the write would refuse (and
    audit) it, so the plan shows it as a conflict, not as a change."""
    kept = []
    for key, change in plan.changes:
        now = current.get(key) if isinstance(key, int) else None
        if change.before == Role.OWNER and now and now.role_source != RoleSource.MAPPING:
            plan.refused.append((change, HAND_SET_OWNER))
        else:
            kept.append((key, change))
    plan.changes = kept
