"""What Okta says, kept compactly as a Snapshot, and the listings that fill it.

Nothing is written while reading: every listing must finish before the plan may deactivate
anyone, so an exception from the client (5xx, timeout, rate limit beyond its retries) ends
the run before any write is committed (runs.py and pending.py: what a run writes while
the members are still read stays in a transaction that only a complete read commits).
"""

import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from okta.client import OktaClient
from okta.profile import UserValues, group_values, user_values
from okta.wire import GONE_STATUS, okta_timestamp

from .config import RunConfig

Phase = Callable[[str], None]
Counter = Callable[[int], None]


@dataclass
class Snapshot:
    """Okta's side of one run. `complete` means absent objects are really gone from scope."""

    complete: bool
    users: dict[str, UserValues] = field(default_factory=dict)
    gone: set[str] = field(default_factory=set)  # returned, but DEPROVISIONED
    groups: dict[str, tuple[str, str]] = field(default_factory=dict)
    # (members are not kept here: they are planned group by group as they arrive)
    # Okta ids whose values came from the database (an incremental run did not re-read them):
    # what Okta sent for them is unchanged, so their links are not rewritten.
    stored: set[str] = field(default_factory=set)

    def add_user(self, user: dict, app_login: str | None = None) -> str:
        okta_id = sys.intern(user["id"])
        self.users[okta_id] = user_values(user, app_login)
        if user.get("status") == GONE_STATUS:
            self.gone.add(okta_id)
        return okta_id

    def add_group(self, group: dict) -> str:
        okta_id = sys.intern(group["id"])
        self.groups[okta_id] = group_values(group)
        return okta_id


def since(attribute: str, config: RunConfig) -> str | None:
    """The change filter of an incremental run, e.g. ``lastUpdated gt "…"``."""
    return f'{attribute} gt "{okta_timestamp(config.since)}"' if config.since else None


def changed_groups_filter(config: RunConfig) -> str:
    """Groups renamed or whose membership changed since the last run."""
    return f"({since('lastUpdated', config)} or {since('lastMembershipUpdated', config)})"


def read_users(
    client: OktaClient,
    snapshot: Snapshot,
    phase: Phase,
    count: Counter,
    search: str | None,
    app_logins: dict[str, str | None] | None,
) -> None:
    """Users from the listing (or a search); with `app_logins`, only those app users."""
    phase("Reading users")
    for user in client.iter_users(search=search, ahead=True):
        if app_logins is not None and user["id"] not in app_logins:
            continue
        snapshot.add_user(user, app_logins.get(user["id"]) if app_logins else None)
        count(1)


def read_groups(
    client: OktaClient, snapshot: Snapshot, group_filter: str | None, only: set[str] | None
) -> set[str]:
    """Groups from the listing, optionally only those in `only`; returns the ids read."""
    read = set()
    for group in client.iter_groups(filter=group_filter):
        if only is None or group["id"] in only:
            read.add(snapshot.add_group(group))
    return read
