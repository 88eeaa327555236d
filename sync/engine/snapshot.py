"""Read what Okta says into a compact Snapshot; nothing is written while reading.

Every listing must finish before the plan may deactivate anyone: an exception from the
client (5xx, timeout, rate limit beyond its retries) ends the run here, before any write.
"""

import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from ..models import Scope
from ..okta_client import DIRECTORY_GROUPS_FILTER, OktaClient, okta_timestamp
from .config import RunConfig, SyncSetupError
from .mapping import GONE_STATUS, UserValues, group_values, user_values

APP_LABEL = "QueryPie"

Phase = Callable[[str], None]
Counter = Callable[[int], None]
# (group ids, keep(member) -> id or None, phase) -> group id -> member ids
MemberReader = Callable[[list[str], Callable[[dict], str | None], Phase], dict[str, list[str]]]


@dataclass
class Snapshot:
    """Okta's side of one run. `complete` means absent objects are really gone from scope."""

    complete: bool
    users: dict[str, UserValues] = field(default_factory=dict)
    gone: set[str] = field(default_factory=set)  # returned, but DEPROVISIONED
    groups: dict[str, tuple[str, str]] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)  # only groups whose list was read


def resolve_app_id(client: OktaClient, app_id: str) -> str:
    """The QueryPie app's id: as configured, else the only app labelled QueryPie."""
    if app_id:
        return client.get_app(app_id)["id"]
    apps = client.find_apps(APP_LABEL)
    if len(apps) == 1:
        return apps[0]["id"]
    found = "no app" if not apps else f"{len(apps)} apps"
    raise SyncSetupError(
        f"Okta has {found} labelled {APP_LABEL!r}: enter the Application ID "
        "(Okta Admin > Applications > the QueryPie app; the id is in its URL)."
    )


def read_okta(
    client: OktaClient, config: RunConfig, phase: Phase, count: Counter, members: MemberReader
) -> Snapshot:
    """Users first, then groups, then each group's members (authentik's order)."""
    snapshot = Snapshot(complete=not config.incremental)
    if config.scope == Scope.APP:
        phase("Reading the QueryPie app's users")
        app_id = resolve_app_id(client, config.app_id)
        logins = {
            sys.intern(u["id"]): (u.get("profile") or {}).get("loginId")
            for u in client.iter_app_users(app_id)
        }
        _read_users(client, snapshot, phase, count, None, logins)
        phase("Reading the QueryPie app's groups")
        assigned = {g["id"] for g in client.iter_app_groups(app_id)}
        _read_groups(client, snapshot, None, assigned)
    else:
        search = _since("lastUpdated", config)
        _read_users(client, snapshot, phase, count, search, None)
        phase("Reading groups")
        changed = _since("lastUpdated", config)
        if changed:
            changed = f"({changed} or {_since('lastMembershipUpdated', config)})"
        group_filter = " and ".join(filter(None, [DIRECTORY_GROUPS_FILTER, changed]))
        _read_groups(client, snapshot, group_filter, None)
    _read_members(snapshot, members, phase)
    return snapshot


def _since(attribute: str, config: RunConfig) -> str | None:
    return f'{attribute} gt "{okta_timestamp(config.since)}"' if config.since else None


def _read_users(
    client: OktaClient,
    snapshot: Snapshot,
    phase: Phase,
    count: Counter,
    search: str | None,
    app_logins: dict[str, str | None] | None,
) -> None:
    phase("Reading users")
    for user in client.iter_users(search=search):
        okta_id = sys.intern(user["id"])
        if app_logins is not None and okta_id not in app_logins:
            continue
        login = app_logins.get(okta_id) if app_logins else None
        snapshot.users[okta_id] = user_values(user, login)
        if user.get("status") == GONE_STATUS:
            snapshot.gone.add(okta_id)
        count(1)


def _read_groups(
    client: OktaClient, snapshot: Snapshot, group_filter: str | None, only: set[str] | None
) -> None:
    for group in client.iter_groups(filter=group_filter):
        if only is None or group["id"] in only:
            snapshot.groups[sys.intern(group["id"])] = group_values(group)


def _read_members(snapshot: Snapshot, members: MemberReader, phase: Phase) -> None:
    """Members that are in scope: returned this run (full) and not DEPROVISIONED."""

    def keep(member: dict) -> str | None:
        if member.get("status") == GONE_STATUS:
            return None
        member_id = sys.intern(member["id"])
        if snapshot.complete and member_id not in snapshot.users:
            return None
        return member_id

    snapshot.members = members(list(snapshot.groups), keep, phase)
