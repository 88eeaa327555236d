"""Plan users: who to create, update (only differing fields) and deactivate. Reads only."""

from dataclasses import dataclass, field
from typing import Any

from querypie_admin.models import AuthProvider, User

from .conflicts import conflict, holders
from .mapping import ACTIVE, FIELDS, LOGIN, UserValues, as_fields
from .snapshot import Snapshot

STREAM_CHUNK = 5000


@dataclass
class UserPlan:
    create: list[tuple[str, UserValues]] = field(default_factory=list)
    update: list[tuple[int, str, str, dict[str, Any]]] = field(default_factory=list)
    # ^ (pk, Okta id, login ID, changed fields)
    deactivate: list[tuple[int, str]] = field(default_factory=list)  # pk, login
    linked: dict[str, int] = field(default_factory=dict)  # Okta id -> pk, in scope this run
    gone: set[int] = field(default_factory=set)  # pks leaving every synced group
    active_synced: int = 0
    conflicts: list[dict[str, str]] = field(default_factory=list)

    @property
    def deactivations(self) -> int:
        turned_off = sum(1 for *_, changes in self.update if changes.get("is_active") is False)
        return len(self.deactivate) + turned_off


def _changes(current: UserValues, wanted: UserValues) -> dict[str, Any]:
    return {name: new for name, old, new in zip(FIELDS, current, wanted, strict=True) if old != new}


def plan_users(snapshot: Snapshot) -> UserPlan:
    """Match by external ID (the Okta user id), so a login change keeps the same user."""
    plan = UserPlan()
    adoptable: dict[str, tuple[int, UserValues]] = {}
    rows = User.objects.filter(auth_provider=AuthProvider.OKTA).order_by("pk")
    rows = rows.values_list("pk", "external_id", *FIELDS).iterator(chunk_size=STREAM_CHUNK)
    for pk, external_id, *values in rows:
        current = tuple(values)
        plan.active_synced += bool(current[ACTIVE])
        wanted = snapshot.users.get(external_id) if external_id else None
        if wanted is not None and external_id not in plan.linked:
            _link(plan, snapshot, pk, external_id, current, wanted)
        elif not external_id or snapshot.complete:
            # An Okta user we cannot link (yet): adopt it by login, or it is no longer in scope.
            adoptable[current[LOGIN].lower()] = (pk, current)
    _place_new_users(plan, snapshot, adoptable)
    for pk, current in adoptable.values():
        if current[ACTIVE] and snapshot.complete:
            plan.deactivate.append((pk, current[LOGIN]))
        if snapshot.complete:
            plan.gone.add(pk)
    _drop_taken_logins(plan)
    return plan


def _link(plan: UserPlan, snapshot: Snapshot, pk: int, okta_id: str, current, wanted) -> None:
    plan.linked[okta_id] = pk
    if okta_id in snapshot.gone:
        plan.gone.add(pk)
    changes = _changes(current, wanted)
    if changes:
        plan.update.append((pk, okta_id, wanted[LOGIN], changes))


def _place_new_users(plan: UserPlan, snapshot: Snapshot, adoptable: dict) -> None:
    """Okta users not linked yet: adopt a same-login Okta user here, else create."""
    seen: set[str] = set()
    for okta_id, wanted in snapshot.users.items():
        if okta_id in plan.linked or okta_id in snapshot.gone:
            continue
        key = wanted[LOGIN].lower()
        if not key or key in seen:
            reason = "Okta sent no login ID" if not key else "another Okta user has this login ID"
            plan.conflicts.append(conflict("user", okta_id, wanted[LOGIN], reason))
            continue
        seen.add(key)
        if key in adoptable:
            pk, current = adoptable.pop(key)
            plan.linked[okta_id] = pk
            changes = {**_changes(current, wanted), "external_id": okta_id}
            plan.update.append((pk, okta_id, wanted[LOGIN], changes))
        else:
            plan.create.append((okta_id, wanted))


def _drop_taken_logins(plan: UserPlan) -> None:
    """A login held by someone else (e.g. a local QueryPie user) is a conflict, left alone."""
    renames = [ch["login_id"] for *_, ch in plan.update if "login_id" in ch]
    taken = holders(User, "login_id", [v[LOGIN] for _, v in plan.create] + renames)
    if not taken:
        return
    kept = []
    for okta_id, values in plan.create:
        holder = taken.get(values[LOGIN].lower())
        if holder:
            plan.conflicts.append(_taken(okta_id, values[LOGIN], holder))
        else:
            kept.append((okta_id, values))
    plan.create = kept
    for pk, okta_id, _, changes in plan.update:
        holder = taken.get(changes.get("login_id", "").lower())
        if holder and holder[0] != pk:
            plan.conflicts.append(_taken(okta_id, changes.pop("login_id"), holder))
    plan.update = [item for item in plan.update if item[3]]


def _taken(okta_id: str, login: str, holder: tuple) -> dict[str, str]:
    owner = "a QueryPie (local) user" if holder[2] == AuthProvider.QUERYPIE else "another user"
    return conflict("user", okta_id, login, f"login ID already used by {owner}; left untouched")


def user_fields(okta_id: str, values: UserValues) -> dict[str, Any]:
    return {**as_fields(values), "auth_provider": AuthProvider.OKTA, "external_id": okta_id}
