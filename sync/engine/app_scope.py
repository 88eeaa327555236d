"""Read the QueryPie app's users and groups: in full, or (incremental) only what changed.

Okta's app-user and app-group listings have no change filter, and they are what says who
was unassigned, so every run reads them whole; they are cheap (500 app users a page). What
an incremental run saves is everything else: profiles come from a search of the users
changed since the last run, members are read only for groups changed since, and every other
app user or group keeps the values the last run wrote. The snapshot stays complete, so an
unassigned user is still deactivated and a dropped group still deleted.
"""

import sys
from collections.abc import Iterator
from typing import Any

from okta.client import OktaClient
from okta.connection import resolve_app_id
from okta.profile import FIELDS, stored_values
from querypie_admin.models import DirectoryLink, LinkSource

from .config import RunConfig
from .snapshot import (
    Counter,
    Phase,
    Snapshot,
    changed_groups_filter,
    read_groups,
    read_users,
    since,
)

# Unknown app users or groups are read by id, this many per request (`id eq "…" or …`),
IDS_PER_REQUEST = 20
# unless there are more than this: then the full listing costs fewer requests.
MAX_ID_READS = 2000
LOOKUP_BATCH = 5000


def read_app_scope(
    client: OktaClient, snapshot: Snapshot, config: RunConfig, phase: Phase, count: Counter
) -> set[str]:
    """Fill `snapshot` with the app's users and groups; returns the groups to read members of."""
    phase("Reading the QueryPie app's users")
    app_id = resolve_app_id(client, config.app_id)
    logins = _app_logins(client, app_id)
    if config.incremental:
        _changed_users(client, snapshot, config, phase, count, logins)
    else:
        read_users(client, snapshot, phase, count, None, logins)
    phase("Reading the QueryPie app's groups")
    assigned = {g["id"] for g in client.iter_app_groups(app_id)}
    if not config.incremental:
        return read_groups(client, snapshot, None, assigned)
    return _changed_groups(client, snapshot, config, assigned)


def _app_logins(client: OktaClient, app_id: str) -> dict[str, str | None]:
    """Okta user id -> the app user's loginId, for every user assigned to the app."""
    return {
        sys.intern(u["id"]): (u.get("profile") or {}).get("loginId")
        for u in client.iter_app_users(app_id)
    }


def _changed_users(
    client: OktaClient,
    snapshot: Snapshot,
    config: RunConfig,
    phase: Phase,
    count: Counter,
    logins: dict[str, str | None],
) -> None:
    """Changed users from Okta, unchanged ones from the database, the rest read by id.

    Only active linked users are kept from the database: an inactive one assigned again must
    be read, since its Okta status may not have changed since the last run.
    """
    read_users(client, snapshot, phase, count, since("lastUpdated", config), logins)
    rest = [okta_id for okta_id in logins if okta_id not in snapshot.users]
    active = _sync_links().filter(user__is_active=True)
    kept = _by_okta_id(active, rest, tuple(f"user__{name}" for name in FIELDS))
    for okta_id, *values in kept:
        snapshot.users[okta_id] = stored_values(tuple(values), logins[okta_id])
        snapshot.stored.add(okta_id)
    count(len(kept))
    unknown = [okta_id for okta_id in rest if okta_id not in snapshot.users]
    if len(unknown) > MAX_ID_READS:
        read_users(client, snapshot, phase, count, None, {i: logins[i] for i in unknown})
        return
    for expression in _id_filters(unknown):
        for user in client.iter_users(filter=expression):
            snapshot.add_user(user, logins.get(user["id"]))
            count(1)


def _changed_groups(
    client: OktaClient, snapshot: Snapshot, config: RunConfig, assigned: set[str]
) -> set[str]:
    """Changed groups and groups new to QueryPie are read (with their members); others kept."""
    reread = read_groups(client, snapshot, changed_groups_filter(config), assigned)
    rest = [okta_id for okta_id in sorted(assigned) if okta_id not in reread]
    groups = _sync_links().filter(group__isnull=False)
    for okta_id, name, description in _by_okta_id(
        groups, rest, ("group__name", "group__description")
    ):
        snapshot.groups[okta_id] = (name, description)
        snapshot.stored.add(okta_id)
    unknown = {okta_id for okta_id in rest if okta_id not in snapshot.groups}
    if len(unknown) > MAX_ID_READS:
        return reread | read_groups(client, snapshot, None, unknown)
    for expression in _id_filters(sorted(unknown)):
        reread |= read_groups(client, snapshot, expression, unknown)
    return reread


def _id_filters(okta_ids: list[str]) -> Iterator[str]:
    """`id eq "…" or id eq "…"` expressions for Okta's user and group `filter`."""
    for start in range(0, len(okta_ids), IDS_PER_REQUEST):
        chunk = okta_ids[start : start + IDS_PER_REQUEST]
        yield " or ".join(f'id eq "{okta_id}"' for okta_id in chunk)


def _sync_links() -> Any:
    return DirectoryLink.objects.filter(source=LinkSource.OKTA_SYNC)


def _by_okta_id(links: Any, okta_ids: list[str], fields: tuple[str, ...]) -> list[tuple]:
    """(Okta id, *fields) of the rows the sync links to `okta_ids`, looked up in batches."""
    found: list[tuple] = []
    for start in range(0, len(okta_ids), LOOKUP_BATCH):
        chunk = okta_ids[start : start + LOOKUP_BATCH]
        found += links.filter(external_id__in=chunk).values_list("external_id", *fields)
    return found
