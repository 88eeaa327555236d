"""Read one run's Okta side: the QueryPie app's users and groups, or the whole directory.

The listings of users and groups are read first, whole; then the runner streams the
members of the groups returned here (members.py), planning and writing as they arrive.
"""

from okta.client import OktaClient
from okta.endpoints.users_groups import DIRECTORY_GROUPS_FILTER
from okta.models import Scope
from okta.wire import GONE_STATUS

from .app_scope import read_app_scope
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

DEPROVISIONED_SEARCH = f'status eq "{GONE_STATUS}"'


def read_listings(
    client: OktaClient, config: RunConfig, phase: Phase, count: Counter
) -> tuple[Snapshot, set[str]]:
    """Users first, then groups (authentik's order); returns the snapshot and the groups
    whose members the run reads next."""
    if config.scope == Scope.APP:
        # The app's listings are read whole even when incremental, so absence is certain.
        snapshot = Snapshot(complete=True)
        return snapshot, read_app_scope(client, snapshot, config, phase, count)
    snapshot = Snapshot(complete=not config.incremental)
    return snapshot, _read_directory(client, snapshot, config, phase, count)


def _read_directory(
    client: OktaClient, snapshot: Snapshot, config: RunConfig, phase: Phase, count: Counter
) -> set[str]:
    """All users and OKTA_GROUP groups, or (incremental) those changed since the last run."""
    read_users(client, snapshot, phase, count, since("lastUpdated", config), None)
    if not config.incremental:  # the search above already returns them
        # Okta's listing leaves deactivated users out: read them, as a deactivation in Okta
        # deactivates here (even a user SCIM also manages), while absence only releases.
        read_users(client, snapshot, phase, count, DEPROVISIONED_SEARCH, None)
    phase("Reading groups")
    changed = changed_groups_filter(config) if config.incremental else None
    group_filter = " and ".join(filter(None, [DIRECTORY_GROUPS_FILTER, changed]))
    return read_groups(client, snapshot, group_filter, None)
