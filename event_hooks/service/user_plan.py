"""What Okta's current state of one user asks of the console, decided before anything is
written so the guard can hold it. The sync's rules, for one user:

- Deleted in Okta, or out of the sync's scope (app scope: no longer assigned): the sync's
  link goes and its groups' memberships with it; the user is deactivated only when no other
  provisioning source (SCIM) manages them, and never when an Owner.
- DEPROVISIONED or SUSPENDED in Okta: an explicit negative, deactivated (never an Owner).
- In scope and unknown here: created, or an Okta-owned row adopted; a local account of that
  login is out of reach. Deactivated in Okta and unknown here: not created.
- Memberships: the user's groups in Okta that the sync reads (app groups, or OKTA_GROUP
  ones), over the groups the sync links; a group not here yet is created as the sync would.
"""

from dataclasses import dataclass, field
from typing import Any

from okta.profile import FIELDS, LOGIN, as_fields, group_values, user_sent, user_values
from querypie_admin.directory import Sent
from querypie_admin.directory.roles import (
    Current,
    active_mappings,
    current_of,
    decide,
    okta_groups_from_directory,
)
from querypie_admin.models import AuthProvider, Group, LinkSource, Role, RoleSource, User

from .groups import name_taken
from .okta import SeenUser
from .rows import How, Match, linked_groups, linked_user, match_group, match_user, scim_groups
from .rows import synced_groups_of as present_groups

OWNER_KEPT = (
    "{login} is an Owner: only an Owner can deactivate it (take it back, then deactivate it)."
)


@dataclass
class UserPlan:
    okta_id: str
    ignored: str = ""  # why nothing is done
    user: User | None = None
    create: dict[str, Any] | None = None
    sent: Sent | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # profile changes
    active: bool | None = None  # a change of status
    release: str = ""  # why the sync's link goes (deleted in Okta, out of scope)
    deactivates: bool = False
    promotes: bool = False
    join: list[Group] = field(default_factory=list)
    join_new: list[tuple[dict, Match]] = field(default_factory=list)  # groups not here yet
    leave: list[Group] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def login(self) -> str:
        return self.user.login_id if self.user else (self.create or {}).get("login_id", "")


def plan_user(seen: SeenUser) -> UserPlan:
    plan = UserPlan(seen.okta_id)
    if seen.body is None or not seen.in_scope:
        return _plan_release(plan, "deleted in Okta" if seen.body is None else "out of scope")
    values = user_values(seen.body, seen.app_login)
    match = match_user(seen.okta_id, values[LOGIN])
    if match.how is How.LOCAL:
        plan.ignored = (
            f"{values[LOGIN]} is a local account: an administrator must hand it over to "
            "Okta before Okta can manage it."
        )
    elif match.how is How.TAKEN:
        plan.ignored = f"Login ID {values[LOGIN]!r} belongs to another Okta user here."
    elif match.how is How.NONE and seen.deprovisioned:
        plan.ignored = "Deactivated in Okta and not in the console: nothing to do."
    if plan.ignored:
        return plan
    plan.sent = user_sent(seen.okta_id, values)
    if match.how is How.NONE:
        plan.create = as_fields(values)
    else:
        plan.user = match.row
        _plan_changes(plan, values)
    _plan_memberships(plan, seen)
    _plan_role(plan)
    return plan


def _plan_release(plan: UserPlan, why: str) -> UserPlan:
    user = linked_user(plan.okta_id)
    if user is None:
        plan.ignored = f"Not in the console ({why}): nothing to do."
        return plan
    plan.user, plan.release = user, why
    scim = user.links.filter(source=LinkSource.SCIM).exists()
    plan.deactivates = user.is_active and user.role != Role.OWNER and not scim
    present = present_groups(user)
    kept = scim_groups(set(present)) if scim else set()  # SCIM says who their members are
    plan.leave = list(Group.objects.filter(pk__in=[pk for pk in present if pk not in kept]))
    if user.role == Role.OWNER and user.is_active and not scim:
        plan.notes.append(OWNER_KEPT.format(login=user.login_id))
    _plan_role(plan)
    return plan


def _plan_changes(plan: UserPlan, values: tuple) -> None:
    user = plan.user
    current = tuple(getattr(user, name) for name in FIELDS)
    changes = {n: new for n, old, new in zip(FIELDS, current, values, strict=False) if old != new}
    active = changes.pop("is_active", None)
    if active is False and user.role == Role.OWNER:
        plan.notes.append(OWNER_KEPT.format(login=user.login_id))
        active = None
    plan.fields, plan.active = changes, active
    plan.deactivates = active is False


def _plan_memberships(plan: UserPlan, seen: SeenUser) -> None:
    wanted = {group["id"]: group for group in seen.groups}
    here = linked_groups(set(wanted))
    for okta_id, body in wanted.items():
        if okta_id in here:
            continue
        name = group_values(body)[0]
        match = match_group(okta_id, name)
        if match.how in (How.LOCAL, How.TAKEN):
            plan.notes.append(name_taken(match, name))
        else:
            plan.join_new.append((body, match))
    present = present_groups(plan.user) if plan.user else {}
    plan.join = [group for group in here.values() if group.pk not in present]
    plan.leave = list(
        Group.objects.filter(pk__in=[pk for pk, o in present.items() if o not in wanted])
    )


def _plan_role(plan: UserPlan) -> None:
    """Would the membership changes promote the user to an administrator role?"""
    mappings = active_mappings()
    if not mappings:
        return
    pk = plan.user.pk if plan.user else 0
    if plan.user:
        current = current_of([pk])
        before = okta_groups_from_directory([pk]).get(pk, set())
    else:
        login = plan.login
        current = {0: Current(login, Role.USER, RoleSource.MANUAL, (), AuthProvider.OKTA)}
        before = set()
    left = {okta_id for g in plan.leave for okta_id in _okta_ids(g)}
    joined = {okta_id for g in plan.join for okta_id in _okta_ids(g)}
    joined |= {body["id"] for body, _ in plan.join_new}
    changes = decide(current, {pk: (before - left) | joined}, mappings)
    plan.promotes = any(change.is_promotion for change in changes)


def _okta_ids(group: Group) -> list[str]:
    return [link.external_id for link in group.links.all() if link.external_id]
