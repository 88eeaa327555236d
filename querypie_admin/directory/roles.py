"""Console roles granted by Okta group membership (role mappings), for every path that learns
memberships: SCIM group pushes, the Okta API sync, SAML sign-in and Okta Event Hooks.

The rule, in one place:
- A mapping names an Okta group by its Okta id (00g…), never by name.
- Only Okta rows are reached: a local account keeps its role whatever its groups say.
- A user in mapped groups gets the highest of their roles (Owner only while an Owner has
  allowed mapping to Owner); a user whose role came from a mapping and who is in no mapped
  group any more gets the default role, User. A role set by hand is left alone until the
  user joins a mapped group.
- A role an Owner set by hand on an Owner is never changed by a mapping, and the last
  active Owner is never demoted: such a change is refused and audited.
- A role change ends the user's open sessions (User.get_session_auth_hash) and their API
  tokens stop opening administrator endpoints at the next request (they re-read the role).
- One Okta id names one group here (`group_of_okta_id`): the sync's, which read it from
  Okta's API, else the first group SCIM linked under it. A SCIM externalId is what the SCIM
  client says, so a later group claiming a known id grants nothing.
- A recompute locks its users before it reads their memberships and writes in the same
  transaction (`apply_from_directory`), and waits for a mapping change being saved: a
  membership or mapping change committed meanwhile is decided again by its own recompute,
  so no role is written from memberships or mappings that are gone.

Callers decide which users to look at and where memberships come from: `decide` is pure,
`changes_from_directory` reads the memberships stored here, `apply` writes.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from ..models import (
    ROLE_RANK,
    AuthProvider,
    DirectoryLink,
    GroupMembership,
    LinkSource,
    Role,
    RoleMapping,
    RoleMappingSettings,
    RoleSource,
    User,
)
from . import promotion_guard
from .caller import PROVISIONING, Caller
from .errors import Refused

DEFAULT_ROLE = Role.USER
BATCH = 2000


@dataclass(frozen=True)
class RoleChange:
    """One user's role moving because of the mappings: from `before` to `after`."""

    user_id: int
    login_id: str
    before: str
    after: str
    source: str  # RoleSource after the change
    groups: tuple[str, ...]  # the Okta group ids that grant `after` (empty: default role)

    @property
    def is_promotion(self) -> bool:
        """Up to a higher role, User → System Admin and System Admin → Owner alike: what the
        promotion guard counts (a group of System Admins mapped to Owner is held too)."""
        return ROLE_RANK[self.after] > ROLE_RANK[self.before]

    @property
    def is_demotion(self) -> bool:
        return ROLE_RANK[self.after] < ROLE_RANK[self.before]

    def as_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "login_id": self.login_id,
            "before": self.before,
            "after": self.after,
            "groups": list(self.groups),
        }


@dataclass(frozen=True)
class Current:
    """What the rule needs to know of a user today."""

    login_id: str
    role: str
    role_source: str
    role_groups: tuple[str, ...]
    auth_provider: str


@dataclass
class Applied:
    changed: list[RoleChange] = field(default_factory=list)
    refused: list[tuple[RoleChange, str]] = field(default_factory=list)
    held: list[tuple[RoleChange, str]] = field(default_factory=list)  # (promotion_guard)


def active_mappings() -> dict[str, str]:
    """Okta group id -> role, without Owner mappings unless an Owner allowed them."""
    owner_ok = RoleMappingSettings.load().owner_mappable
    rows = RoleMapping.objects.values_list("okta_group_id", "role")
    return {gid: role for gid, role in rows if role != Role.OWNER or owner_ok}


def current_of(user_ids: Iterable[int]) -> dict[int, Current]:
    fields = ("pk", "login_id", "role", "role_source", "role_groups", "auth_provider")
    rows = User.objects.filter(pk__in=list(user_ids)).values_list(*fields)
    return {
        pk: Current(login, role, source, tuple(groups or ()), provider)
        for pk, login, role, source, groups, provider in rows
    }


def decide(
    current: Mapping[int, Current],
    groups_of: Mapping[int, Iterable[str]],
    mappings: Mapping[str, str],
) -> list[RoleChange]:
    """The role changes for the users in `current`, given the Okta group ids each belongs
    to (`groups_of`; a user missing from it belongs to none). Pure: no database."""
    changes = []
    for pk, now in current.items():
        if now.auth_provider != AuthProvider.OKTA:
            continue  # local accounts are out of the integrations' reach
        granted = sorted(g for g in set(groups_of.get(pk, ())) if g in mappings)
        if granted:
            role = max((mappings[g] for g in granted), key=ROLE_RANK.__getitem__)
            top = tuple(g for g in granted if mappings[g] == role)
            wanted = (role, RoleSource.MAPPING, top)
        elif now.role_source == RoleSource.MAPPING:
            wanted = (DEFAULT_ROLE, RoleSource.MANUAL, ())
        else:
            continue  # a role set by hand, and no mapped group: not the mappings' business
        if (now.role, now.role_source, now.role_groups) != wanted:
            changes.append(RoleChange(pk, now.login_id, now.role, *wanted))
    return changes


def group_of_okta_id(links: Iterable[tuple[Any, str, str]]) -> dict[str, Any]:
    """Okta id -> the one group it names, from (group, link source, Okta id) rows oldest
    link first. The sync's link wins: the sync read that id from Okta's API. Otherwise the
    first group SCIM linked under it: a SCIM externalId is only what the client sent, so a
    group pushed or patched later with a known id (a forged one) grants nothing. Pure."""
    found: dict[str, Any] = {}
    synced: dict[str, Any] = {}
    for group, source, okta_id in links:
        if source == LinkSource.OKTA_SYNC:
            synced[okta_id] = group
        else:
            found.setdefault(okta_id, group)
    return found | synced


def okta_ids_of_groups(okta_ids: Iterable[str] | None = None) -> dict[int, set[str]]:
    """Group pk -> the Okta ids it carries for the mappings (of these ids, or all): Okta's
    groups only, each id on one group (`group_of_okta_id`)."""
    links = DirectoryLink.objects.filter(
        source__in=PROVISIONING, group__auth_provider=AuthProvider.OKTA
    ).exclude(external_id="")
    if okta_ids is not None:
        links = links.filter(external_id__in=list(okta_ids))
    rows = links.order_by("pk").values_list("group_id", "source", "external_id")
    found: dict[int, set[str]] = {}
    for okta_id, group_id in group_of_okta_id(rows).items():
        found.setdefault(group_id, set()).add(okta_id)
    return found


def mapped_okta_ids_of(group: Any) -> set[str]:
    """The mapped Okta ids this group carries (empty for an unmapped group)."""
    carried = okta_ids_of_groups(RoleMapping.objects.values_list("okta_group_id", flat=True))
    return carried.get(group.pk, set())


def okta_groups_from_directory(user_ids: Iterable[int]) -> dict[int, set[str]]:
    """User pk -> the Okta ids of the groups they belong to here (`okta_ids_of_groups`).

    Only the links of those groups' ids are read, not every group link: SCIM requests and
    hook events call this for one user at a time."""
    ids = list(user_ids)
    pairs = list(GroupMembership.objects.filter(user_id__in=ids).values_list("user_id", "group_id"))
    carried = DirectoryLink.objects.filter(
        source__in=PROVISIONING, group_id__in={group_id for _, group_id in pairs}
    ).exclude(external_id="")
    okta_id_of = okta_ids_of_groups(set(carried.values_list("external_id", flat=True)))
    found: dict[int, set[str]] = {}
    for user_id, group_id in pairs:
        if group_id not in okta_id_of:
            continue
        found.setdefault(user_id, set()).update(okta_id_of[group_id])
    return found


def concerned_users() -> list[int]:
    """Every Okta user the mappings may concern: a mapped role now, or a member of a group
    linked under a mapped id."""
    mapped = RoleMapping.objects.values_list("okta_group_id", flat=True)
    concerned = Q(role_source=RoleSource.MAPPING) | Q(
        memberships__group__links__external_id__in=list(mapped)
    )
    okta_users = User.objects.filter(concerned, auth_provider=AuthProvider.OKTA)
    return sorted(set(okta_users.values_list("pk", flat=True)))


def changes_from_directory(user_ids: Iterable[int] | None = None) -> list[RoleChange]:
    """What the mappings would change for these users (every Okta user when None), by the
    memberships stored here."""
    ids = concerned_users() if user_ids is None else list(user_ids)
    return decide(current_of(ids), okta_groups_from_directory(ids), active_mappings())


def lock_for_recompute(user_ids: Iterable[int]) -> list[int]:
    """Lock these users (in one order) and wait for a mapping change being saved, before
    reading memberships and mappings; call inside the transaction that writes the roles.

    A membership or mapping change that commits after this read is followed by its own
    recompute, which waits here and decides again from what this one wrote. The mapping
    settings row is share-locked: recomputes run side by side, a mapping change (which
    locks it for update) waits for them and they for it."""
    RoleMappingSettings.load()
    if connection.vendor == "postgresql":  # SQLite writes one transaction at a time anyway
        table = connection.ops.quote_name(RoleMappingSettings._meta.db_table)  # not input
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {table} WHERE id = 1 FOR KEY SHARE")  # noqa: S608
    rows = User.objects.select_for_update(no_key=True).filter(pk__in=list(user_ids))
    return list(rows.order_by("pk").values_list("pk", flat=True))


def apply(
    caller: Caller,
    changes: Iterable[RoleChange],
    *,
    planned: bool = False,
    decided_for: Iterable[int] = (),
    **cause: Any,
) -> Applied:
    """Write role changes, each audited as `user.role_changed` with its cause (the group
    ids, and what the caller passes: run, hook event…).

    An integration's changes outside a plan an administrator saw (`planned`: a sync run's
    plan, held events an Owner confirmed) pass the promotion guard first: what it holds is
    in `Applied.held`, not written. `decided_for`: the users this decision covers, whose
    earlier held promotions it settles.

    Changes that touch the Owner role go one by one under the Owner rules; a change those
    rules forbid is refused and audited, and the others go on. The rest are written in
    batches (a first sync may map thousands), still one audit event per user."""
    changes = list(changes)
    if not caller.is_integration or planned:
        return _write(caller, changes, cause)
    now, held = promotion_guard.split(caller, changes, decided_for)
    done = _write(caller, [c for c in now if not c.is_promotion], cause)
    promoted = _write(caller, [c for c in now if c.is_promotion], outside_plan(cause))
    done.changed += promoted.changed
    done.refused += promoted.refused
    done.held = held
    return done


def outside_plan(cause: dict[str, Any]) -> dict[str, Any]:
    return {**cause, promotion_guard.OUTSIDE_PLAN: True}


def _write(caller: Caller, changes: list[RoleChange], cause: dict[str, Any]) -> Applied:
    done = Applied()
    owners = [c for c in changes if Role.OWNER in (c.before, c.after)]
    for change in owners:
        try:
            with transaction.atomic():
                if _apply_owner_change(caller, change, cause):
                    done.changed.append(change)
        except Refused as refusal:
            refusal.record()
            done.refused.append((change, str(refusal)))
    others = [c for c in changes if Role.OWNER not in (c.before, c.after)]
    for start in range(0, len(others), BATCH):
        with transaction.atomic():
            done.changed += _apply_batch(caller, others[start : start + BATCH], cause)
    return done


def apply_from_directory(
    caller: Caller, user_ids: Iterable[int] | None = None, *, planned: bool = False, **cause: Any
) -> Applied:
    """Recompute from the stored memberships and write: what SCIM and the hooks call after
    a membership change, and the sync after its writes. Each batch of users is locked
    before it is read and written in the same transaction (`lock_for_recompute`)."""
    ids = concerned_users() if user_ids is None else sorted(set(user_ids))
    done = Applied()
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            locked = lock_for_recompute(ids[start : start + BATCH])
            changes = changes_from_directory(locked)
            part = apply(caller, changes, planned=planned, decided_for=locked, **cause)
        done.changed += part.changed
        done.refused += part.refused
        done.held += part.held
    return done


def apply_asserted(caller: Caller, user: User, groups: Iterable[str], **cause: Any) -> Applied:
    """The user's groups as an IdP asserted them at sign-in (not the stored memberships):
    decided and written under the same locks as a recompute."""
    with transaction.atomic():
        locked = lock_for_recompute([user.pk])
        changes = decide(current_of(locked), {user.pk: set(groups)}, active_mappings())
        return apply(caller, changes, decided_for=locked, **cause)


def _apply_batch(
    caller: Caller, changes: list[RoleChange], cause: dict[str, Any]
) -> list[RoleChange]:
    """Lock the users, keep the changes still planned against their current role (another
    path may have moved it since: the next run or hook decides again), write and audit."""
    rows = User.objects.select_for_update().filter(
        pk__in=[c.user_id for c in changes], auth_provider=AuthProvider.OKTA
    )
    locked = {user.pk: user for user in rows.order_by("pk")}
    fresh = [c for c in changes if c.user_id in locked and locked[c.user_id].role == c.before]
    now = timezone.now()
    for change in fresh:
        user = locked[change.user_id]
        user.role, user.role_source = change.after, change.source
        user.role_groups, user.updated_at = list(change.groups), now
    written = [locked[c.user_id] for c in fresh]
    User.objects.bulk_update(written, ["role", "role_source", "role_groups", "updated_at"])
    caller.record_each("user.role_changed", [(locked[c.user_id], _detail(c, cause)) for c in fresh])
    return fresh


def _apply_owner_change(caller: Caller, change: RoleChange, cause: dict[str, Any]) -> bool:
    user = User.objects.select_for_update().get(pk=change.user_id)
    if (user.role, user.auth_provider) != (change.before, AuthProvider.OKTA):
        return False  # changed since planned: the next run or hook decides again
    action = "user.role_changed"
    if user.role == Role.OWNER and user.role_source != RoleSource.MAPPING:
        raise Refused(caller, action, user, "An Owner set by hand is changed only by an Owner.")
    if user.role == Role.OWNER and change.after != Role.OWNER and not _another_owner(user):
        raise Refused(caller, action, user, f"{user.login_id} is the last active Owner.")
    user.role, user.role_source, user.role_groups = change.after, change.source, list(change.groups)
    user.save(update_fields=["role", "role_source", "role_groups", "updated_at"])
    caller.record(action, target=user, **_detail(change, cause))
    return True


def _detail(change: RoleChange, cause: dict[str, Any]) -> dict[str, Any]:
    return {
        "before": change.before,
        "after": change.after,
        "role_source": change.source,
        "okta_groups": list(change.groups),
        **cause,
    }


def _another_owner(user: User) -> bool:
    owners = User.objects.select_for_update().filter(role=Role.OWNER, is_active=True)
    return owners.exclude(pk=user.pk).exists()


def check_hand_edit(caller: Caller, user: User, role: str | None) -> None:
    """A mapped role is the mapping's: the console cannot edit it by hand."""
    if role is not None and not caller.is_integration and user.role_is_mapped:
        raise Refused(
            caller,
            "user.role_changed",
            user,
            f"{user.login_id}'s role comes from an Okta group mapping: change the mapping or "
            "the user's groups in Okta.",
        )
