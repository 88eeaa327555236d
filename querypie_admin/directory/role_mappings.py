"""Managing role mappings: which Okta group, by its Okta id, grants which console role.

Only an active Owner (or the server's command line) creates, changes or removes a mapping,
turns "Allow mapping to Owner" on or off, or sets the promotion threshold: a mapping is a
standing grant of administrator rights to everyone Okta puts in a group, so a System Admin
who could edit one could grant rights to others, and to themselves. A refusal is raised as
`Refused` for the entry point to audit (`refusals_audited`).

Each change recomputes the roles of everyone concerned in the same transaction, so the
mapping and the roles it grants change together. A change that would promote more users to
an administrator role than `RoleMappingSettings.promotion_threshold` is rolled back and
raised as `PromotionsHeld`, until the Owner confirms the very list it shows (its `token`).
"""

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count

from ..models import (
    Group,
    Role,
    RoleMapping,
    RoleMappingSettings,
    User,
)
from . import roles
from .caller import Caller
from .errors import DirectoryInvalid, Refused
from .rules import is_owner_now
from .users import save_unique

# Okta's group ids: "00g" and 17 letters or digits (fake_okta.model.okta_id makes the same).
OKTA_GROUP_ID = re.compile(r"00g[A-Za-z0-9]{17}")
GROUP_NAME_MAX = RoleMapping._meta.get_field("group_name").max_length
THRESHOLD_MAX = 10_000
SHOWN_PER_ROLE = 20


class PromotionsHeld(Exception):
    """The change would promote more users than the threshold: nothing was saved.

    `token` binds a confirmation to exactly these promotions: if they differ when the
    Owner confirms (someone joined the group meanwhile), the change is held again."""

    def __init__(self, promotions: list[roles.RoleChange], threshold: int) -> None:
        self.promotions = promotions
        self.threshold = threshold
        self.token = confirmation_token(promotions)
        super().__init__(self.summary())

    def by_role(self) -> list[tuple[str, list[str]]]:
        """(role label, login IDs) for each role users would be promoted to, highest first."""
        found: dict[str, list[str]] = {}
        for change in self.promotions:
            found.setdefault(change.after, []).append(change.login_id)
        ordered = sorted(found, key=roles.ROLE_RANK.__getitem__, reverse=True)
        return [(Role(role).label, sorted(found[role])) for role in ordered]

    def summary(self) -> str:
        parts = []
        for label, logins in self.by_role():
            shown = ", ".join(logins[:SHOWN_PER_ROLE])
            more = (
                f" and {len(logins) - SHOWN_PER_ROLE} more" if len(logins) > SHOWN_PER_ROLE else ""
            )
            parts.append(f"{len(logins)} users to {label}: {shown}{more}")
        return f"This would promote {'; '.join(parts)}."


@dataclass(frozen=True)
class MappingRow:
    """A mapping as the Authentication page lists it."""

    okta_group_id: str
    role: str
    role_label: str
    name: str  # the linked group's current name, else the name stored with the mapping
    note: str  # "not seen yet", "renamed in Okta: was …" or ""
    members: int | None  # None while no group here carries this Okta id


def confirmation_token(promotions: Iterable[roles.RoleChange]) -> str:
    """A digest of who would be promoted to what: what a confirmation is bound to."""
    plan = sorted(f"{c.user_id}:{c.after}" for c in promotions)
    return hashlib.sha256("\n".join(plan).encode()).hexdigest()


def check_okta_group_id(value: str) -> str:
    """The id as Okta writes it, or DirectoryInvalid: a name is never accepted for an id."""
    value = (value or "").strip()
    if not OKTA_GROUP_ID.fullmatch(value):
        raise DirectoryInvalid(
            "okta_group_id",
            f"{value[:40]!r} is not an Okta group ID: it is 00g followed by 17 letters or "
            "digits (Okta Admin Console > Directory > Groups > the group: the ID is in the "
            "address, /admin/group/00g…).",
        )
    return value


def add_mapping(
    caller: Caller, okta_group_id: str, role: str, *, group_name: str = "", confirm: str = ""
) -> roles.Applied:
    """Map an Okta group to a role; its members get the role at once."""
    action = "role_mapping.created"
    _check_owner(caller, action, _target(okta_group_id, role))
    mapping = RoleMapping(okta_group_id=check_okta_group_id(okta_group_id), role=_role(role))
    okta_group_id = mapping.okta_group_id

    def write() -> None:
        _check_owner_role(caller, action, mapping)
        typed = (group_name or "").strip()[:GROUP_NAME_MAX]
        mapping.group_name = typed or _linked_name(okta_group_id)
        mapping.created_by = caller.actor if isinstance(caller.actor, User) else None
        save_unique(mapping, f"The Okta group {okta_group_id} is already mapped.")
        caller.record(action, target=mapping, okta_group_id=okta_group_id, role=mapping.role)

    return _recompute(caller, write, confirm, mapping=okta_group_id)


def change_mapping(
    caller: Caller, okta_group_id: str, role: str, *, confirm: str = ""
) -> roles.Applied:
    action = "role_mapping.changed"
    _check_owner(caller, action, _target(okta_group_id))
    wanted = _role(role)

    def write() -> None:
        mapping = _locked(okta_group_id)
        before, mapping.role = mapping.role, wanted
        _check_owner_role(caller, action, mapping)
        if before != wanted:
            mapping.save(update_fields=["role", "updated_at"])
            caller.record(action, target=mapping, okta_group_id=okta_group_id, before=before)

    return _recompute(caller, write, confirm, mapping=okta_group_id)


def remove_mapping(caller: Caller, okta_group_id: str, *, confirm: str = "") -> roles.Applied:
    """Its members lose the role it granted (unless another mapping grants one)."""
    action = "role_mapping.removed"
    _check_owner(caller, action, _target(okta_group_id))

    def write() -> None:
        mapping = _locked(okta_group_id)
        caller.record(action, target=mapping, okta_group_id=okta_group_id, role=mapping.role)
        mapping.delete()

    return _recompute(caller, write, confirm, mapping=okta_group_id)


def set_owner_mappable(caller: Caller, on: bool, *, confirm: str = "") -> roles.Applied:
    """Turning it off makes Owner mappings inactive: the Owners they made are demoted
    (the last active Owner excepted, refused and audited)."""
    action = "role_mapping.settings_changed"
    _check_owner(caller, action, None)

    def write() -> None:
        config = _locked_settings()
        if config.owner_mappable != on:
            config.owner_mappable = on
            config.save(update_fields=["owner_mappable", "updated_at"])
            caller.record(action, target_label="Role mapping", owner_mappable=on)

    return _recompute(caller, write, confirm, owner_mappable=on)


def set_promotion_threshold(caller: Caller, threshold: int) -> None:
    action = "role_mapping.settings_changed"
    _check_owner(caller, action, None)
    if isinstance(threshold, bool) or not isinstance(threshold, int):
        raise DirectoryInvalid("promotion_threshold", "The threshold must be a whole number.")
    if not 0 <= threshold <= THRESHOLD_MAX:
        raise DirectoryInvalid(
            "promotion_threshold", f"The threshold must be between 0 and {THRESHOLD_MAX}."
        )
    with transaction.atomic():
        config = _locked_settings()
        if config.promotion_threshold != threshold:
            before, config.promotion_threshold = config.promotion_threshold, threshold
            config.save(update_fields=["promotion_threshold", "updated_at"])
            caller.record(
                action, target_label="Role mapping", promotion_threshold=threshold, before=before
            )


# Reading ------------------------------------------------------------------------------------


def linked_groups(okta_ids: Iterable[str]) -> dict[str, Group]:
    """Okta group id -> the console group that carries it (the sync's, else the first SCIM
    linked: roles.okta_ids_of_groups), with its member count (`member_count`)."""
    found = {
        okta_id: group_id
        for group_id, ids in roles.okta_ids_of_groups(okta_ids).items()
        for okta_id in ids
    }
    groups = Group.objects.filter(pk__in=found.values()).annotate(member_count=Count("memberships"))
    by_pk = {g.pk: g for g in groups}
    return {okta_id: by_pk[pk] for okta_id, pk in found.items() if pk in by_pk}


def listing() -> list[MappingRow]:
    """Every mapping with its group's current name, a rename, and its member count."""
    mappings = list(RoleMapping.objects.all())
    groups = linked_groups(m.okta_group_id for m in mappings)
    return [_row(m, groups.get(m.okta_group_id)) for m in mappings]


def group_names(okta_ids: Iterable[str]) -> dict[str, str]:
    """Okta group id -> the name to show: the linked group's, else the mapping's."""
    ids = list(okta_ids)
    stored = dict(
        RoleMapping.objects.filter(okta_group_id__in=ids).values_list("okta_group_id", "group_name")
    )
    linked = {okta_id: group.name for okta_id, group in linked_groups(ids).items()}
    return {okta_id: linked.get(okta_id) or stored.get(okta_id) or "" for okta_id in ids}


def _row(mapping: RoleMapping, group: Group | None) -> MappingRow:
    if group is None:
        name, note, members = mapping.group_name, "not seen yet", None
    else:
        renamed = mapping.group_name and mapping.group_name != group.name
        note = f"renamed in Okta: was {mapping.group_name}" if renamed else ""
        name, members = group.name, group.member_count
    return MappingRow(
        mapping.okta_group_id, mapping.role, mapping.get_role_display(), name, note, members
    )


# Writing ------------------------------------------------------------------------------------


def _recompute(
    caller: Caller, write: Callable[[], None], confirm: str, **cause: object
) -> roles.Applied:
    """Write, then apply the role changes it causes, all in one transaction; over the
    threshold and not confirmed for exactly these promotions, roll back and hold."""
    with transaction.atomic():
        config = _locked_settings()  # one mapping change at a time: each sees the last
        write()
        locked = roles.lock_for_recompute(roles.concerned_users())
        changes = roles.changes_from_directory(locked)
        promotions = [c for c in changes if c.is_promotion]
        over = len(promotions) > config.promotion_threshold
        if over and confirm != confirmation_token(promotions):
            raise PromotionsHeld(promotions, config.promotion_threshold)
        return roles.apply(caller, changes, **cause)


def _check_owner(caller: Caller, action: str, target: RoleMapping | None) -> None:
    if caller.is_integration or not is_owner_now(caller):
        raise Refused(caller, action, target, "Only an Owner can change role mappings.")


def _check_owner_role(caller: Caller, action: str, mapping: RoleMapping) -> None:
    if mapping.role == Role.OWNER and not RoleMappingSettings.load().owner_mappable:
        raise Refused(
            caller,
            action,
            mapping,
            "Mapping a group to Owner is off: turn on \u201cAllow mapping to Owner\u201d first.",
        )


def _role(value: str) -> str:
    if value not in Role.values:
        raise DirectoryInvalid("role", "Choose Owner, System Admin or User.")
    return value


def _target(okta_group_id: str, role: str = "") -> RoleMapping:
    """The stored mapping, for the audit log to name; else the one asked for, unsaved."""
    value = str(okta_group_id)[:64]
    found = RoleMapping.objects.filter(okta_group_id=value).first()
    return found or RoleMapping(okta_group_id=value, role=str(role)[:16])


def _locked(okta_group_id: str) -> RoleMapping:
    mapping = RoleMapping.objects.select_for_update().filter(okta_group_id=okta_group_id).first()
    if mapping is None:
        raise DirectoryInvalid("okta_group_id", f"No mapping for the Okta group {okta_group_id}.")
    return mapping


def _locked_settings() -> RoleMappingSettings:
    RoleMappingSettings.load()
    return RoleMappingSettings.objects.select_for_update().get(pk=1)


def _linked_name(okta_group_id: str) -> str:
    group = linked_groups([okta_group_id]).get(okta_group_id)
    return group.name if group is not None else ""
