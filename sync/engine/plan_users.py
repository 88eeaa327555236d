"""Plan users: create, adopt (link), update, and release. Reads only.

The sync decides only over rows it has linked. A listed Okta user is matched to the row
whose sync link has its Okta id; else an Okta-owned row with no sync link is adopted, the
one whose SCIM or SAML link has that id, else the one with the same login ID; else it is
created. (A row whose sync link names an Okta id a complete listing no longer has may be
adopted too: Okta recreated the user.) An explicit negative from Okta (SUSPENDED,
DEPROVISIONED) deactivates; absence from a complete listing only releases the sync's link,
which deactivates only when no SCIM link is left. Rows the sync does not link (SCIM-only,
SAML-only, local) are never deactivated here.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from okta.profile import ACTIVE, FIELDS, LOGIN, STATUS, UserValues, as_fields, user_attributes
from querypie_admin.directory import check_user_fields
from querypie_admin.directory.fields import checked_user_values
from querypie_admin.directory.rules import ADMIN_LOGIN_HELD
from querypie_admin.lookups import comparison_key
from querypie_admin.models import ADMIN_ROLES, AuthProvider, Role, User

from .conflicts import (
    Candidates,
    Kind,
    checked_creates,
    conflict,
    drop_update_conflicts,
    with_links,
)
from .snapshot import Snapshot

STREAM_CHUNK = 5000
CREATE_CHUNK = 2000  # new users checked (and handed on) at a time: a batch of the writes
OnCreate = Callable[[list[tuple[str, Any]]], None]
Candidate = tuple[int, UserValues, bool, bool]  # pk, current values, sync-linked, SCIM-linked
USERS = Kind(
    "user", User, "login_id", "login ID", as_fields, check_user_fields, checked_user_values
)


@dataclass
class UserPlan:
    create: list[tuple[str, UserValues]] = field(default_factory=list)
    update: list[tuple[int, str, str, dict[str, Any]]] = field(default_factory=list)
    # ^ (pk, Okta id, login ID, changed fields)
    link: list[tuple[int, str, UserValues]] = field(default_factory=list)
    # ^ sync links to write, new or with changed attributes: (pk, Okta id, what Okta sent)
    adopted: set[int] = field(default_factory=set)  # rows linked to the sync for the first time
    release: list[tuple[int, str, bool]] = field(default_factory=list)  # pk, login, deactivates
    linked: dict[str, int] = field(default_factory=dict)  # Okta id -> pk, in scope this run
    synced: set[int] = field(default_factory=set)  # pks sync-linked before or by this run
    gone: set[int] = field(default_factory=set)  # pks leaving every synced group
    active_owned: int = 0  # active sync-linked users, and active users this run adopts
    conflicts: list[dict[str, str]] = field(default_factory=list)

    def deactivated(self) -> list[int]:
        """Explicit negatives (is_active turned off), and releases that leave no SCIM link."""
        off = [pk for pk, _, _, changes in self.update if changes.get("is_active") is False]
        return off + [pk for pk, _, deactivates in self.release if deactivates]

    def kept_by_scim(self) -> set[int]:
        """Users the sync lets go of that SCIM still manages (they stay active)."""
        return {pk for pk, _, deactivates in self.release if not deactivates}

    @property
    def deactivations(self) -> int:
        return len(self.deactivated())

    def refreshed(self) -> list[tuple[int, str]]:
        """(pk, label) of updated rows: changed fields, or only a changed "What Okta sent"."""
        rows = [(pk, f"{login} ({', '.join(sorted(ch))})") for pk, _, login, ch in self.update]
        counted = self.adopted | {pk for pk, _ in rows}
        only_sent = [(pk, values) for pk, _, values in self.link if pk not in counted]
        return rows + [(pk, f"{values[LOGIN]} (what Okta sent)") for pk, values in only_sent]


def _changes(current: UserValues, wanted: UserValues) -> dict[str, Any]:
    pairs = zip(FIELDS, current, wanted, strict=False)  # `wanted` also carries the status
    return {name: new for name, old, new in pairs if old != new}


def plan_users(snapshot: Snapshot, on_create: OnCreate | None = None) -> UserPlan:
    """The users' plan; `on_create` is handed the users to create as they are checked, a
    batch at a time, so they can be written while the rest is planned."""
    plan = UserPlan()
    candidates: Candidates[Candidate] = Candidates()
    rows = with_links(User).values_list(
        "pk", "sync__id", "sync__external_id", "sync__attributes", "scim__id",
        "scim__external_id", "saml__external_id", *FIELDS,
    )  # fmt: skip
    for pk, sync_link, okta_id, sent, scim_link, scim_id, saml_id, *values in rows.iterator(
        chunk_size=STREAM_CHUNK
    ):
        current = tuple(values)
        if sync_link is not None:
            plan.synced.add(pk)
            plan.active_owned += current[ACTIVE]
            wanted = snapshot.users.get(okta_id)
            if wanted is not None:
                _keep(plan, snapshot, pk, okta_id, current, wanted, sent)
                continue
            if not snapshot.complete:  # not re-read by this incremental run
                continue
        row = (pk, current, sync_link is not None, scim_link is not None)
        candidates.add(pk, row, current[LOGIN], scim_id, saml_id)
    _place_new_users(plan, snapshot, candidates, on_create)
    _release_absent(plan, candidates.rows.values())
    drop_update_conflicts(plan, USERS)
    _spare_owners(plan)
    _report_admin_logins(plan)
    return plan


def _report_admin_logins(plan: UserPlan) -> None:
    """An Owner's or a System Admin's new login ID is held by the directory for an Owner
    to accept (rules.hold_admin_logins): the run lists it as a conflict. The change stays in
    the plan, so the write keeps the ask on the user's page."""
    asked = {pk: (okta, ch["login_id"]) for pk, okta, _, ch in plan.update if "login_id" in ch}
    if not asked:
        return
    admins = User.objects.filter(pk__in=list(asked), role__in=ADMIN_ROLES)
    for pk, login in admins.values_list("pk", "login_id"):
        okta_id, wanted = asked[pk]
        reason = f"Okta asks to change the login ID to {wanted}: {ADMIN_LOGIN_HELD}"
        plan.conflicts.append(conflict("user", okta_id, login, reason))


def _spare_owners(plan: UserPlan) -> None:
    """Only an Owner deactivates an Owner, even one handed over to Okta: Okta's negative for
    an Owner is reported as a conflict, not written (the directory would refuse it)."""
    owners = set(
        User.objects.filter(role=Role.OWNER, auth_provider=AuthProvider.OKTA).values_list(
            "pk", flat=True
        )
    )
    if not owners:
        return
    reason = "an Owner: only an Owner can deactivate it (take it back, then deactivate it)"
    for pk, okta_id, login, changes in plan.update:
        if pk in owners and changes.get("is_active") is False:
            del changes["is_active"]
            plan.conflicts.append(conflict("user", okta_id, login, reason))
    plan.update = [item for item in plan.update if item[3]]
    for index, (pk, login, deactivates) in enumerate(plan.release):
        if pk in owners and deactivates:
            plan.release[index] = (pk, login, False)
            plan.conflicts.append(conflict("user", "", login, reason))


def _keep(plan: UserPlan, snapshot: Snapshot, pk, okta_id, current, wanted, sent) -> None:
    """A listed user the sync already manages: update what differs."""
    plan.linked[okta_id] = pk
    if okta_id in snapshot.gone:
        plan.gone.add(pk)
    changes = _changes(current, wanted) if current != wanted[:STATUS] else None
    if changes:
        plan.update.append((pk, okta_id, wanted[LOGIN], changes))
    if okta_id not in snapshot.stored and user_attributes(wanted) != sent:
        plan.link.append((pk, okta_id, wanted))


def _place_new_users(
    plan: UserPlan, snapshot: Snapshot, candidates: Candidates, on_create: OnCreate | None
) -> None:
    """Okta users the sync does not link yet: adopt an Okta-owned row, else create."""
    seen: set[str] = set()
    new: list[tuple[str, UserValues]] = []
    for okta_id, wanted in snapshot.users.items():
        if okta_id in plan.linked or okta_id in snapshot.gone:
            continue
        key = comparison_key(wanted[LOGIN])
        if not key or key in seen:
            reason = "Okta sent no login ID" if not key else "another Okta user has this login ID"
            plan.conflicts.append(conflict("user", okta_id, wanted[LOGIN], reason))
            continue
        seen.add(key)
        candidate = candidates.take(okta_id, wanted[LOGIN])
        if candidate is not None:
            _adopt(plan, okta_id, wanted, candidate)
            continue
        new.append((okta_id, wanted))
        if len(new) == CREATE_CHUNK:
            _create(plan, snapshot, new, on_create)
            new = []
    _create(plan, snapshot, new, on_create)


def _create(plan: UserPlan, snapshot: Snapshot, new: list, on_create: OnCreate | None) -> None:
    """New users, checked by the directory's validator; those it refuses are conflicts."""
    checked = checked_creates(new, plan.conflicts, USERS)
    for okta_id, values in checked:  # the checked values, not a copy beside them
        snapshot.users[okta_id] = values
    plan.create += checked
    if on_create and checked:
        on_create(checked)


def _adopt(plan: UserPlan, okta_id: str, wanted: UserValues, candidate: Candidate) -> None:
    pk, current, was_synced, _ = candidate
    plan.linked[okta_id] = pk
    plan.synced.add(pk)
    if not was_synced:
        plan.adopted.add(pk)
        plan.active_owned += current[ACTIVE]
    changes = _changes(current, wanted)
    if changes:
        plan.update.append((pk, okta_id, wanted[LOGIN], changes))
    plan.link.append((pk, okta_id, wanted))


def _release_absent(plan: UserPlan, candidates: Iterable[Candidate]) -> None:
    """Sync-linked users a complete listing lacks: the sync lets go of them and of their
    memberships in its groups. Those SCIM also manages keep their status; the others are
    deactivated."""
    for pk, current, was_synced, scim_linked in candidates:
        if was_synced:  # rows the sync never linked are left alone
            plan.release.append((pk, current[LOGIN], current[ACTIVE] and not scim_linked))
            plan.gone.add(pk)
