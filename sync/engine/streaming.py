"""Read Okta and plan the run as the members arrive, handing writes over as they are known.

The users and groups listings are read whole first (absence from them is what releases).
Then the member readers start, and while they read, the users are planned; each group's
memberships are planned as soon as its pages are in. A run that may write hands the users
and groups it creates, and the memberships between them, to its PendingWrites at once;
they commit only if every read succeeds and the guard lets the whole plan through.
"""

from collections.abc import Callable

from django.conf import settings

from okta import connection as okta
from okta.client import OktaClient
from okta.runs import Progress

from ..models import SyncRun
from .apply import Writes
from .config import RunConfig, member_reader
from .plan import Plan, complete_plan
from .plan_groups import plan_groups
from .plan_memberships import MembershipPlan, MembershipPlanner, read_order
from .plan_users import UserPlan, plan_users
from .reading import read_listings

MayWrite = Callable[[Plan], bool]  # would the guard let this (partial) plan be written?


def read_and_plan(
    run: SyncRun, config: RunConfig, progress: Progress, writes: Writes | None, may_write: MayWrite
) -> Plan:
    """The run's whole plan; with `writes`, what can be written early is handed over."""
    client = okta.client(config.api_url, run.api_token_encrypted, on_page=progress.on_page)
    progress.stats = client.stats
    with client:
        progress.phase("Checking the connection")
        client.check_credentials()
        snapshot, group_ids = read_listings(client, config, progress.phase, progress.count)
    groups = plan_groups(snapshot)
    early = writes is not None and _write_early(client)
    if early and may_write(Plan(UserPlan(), groups, MembershipPlan())):  # as far as known
        writes.start_early(groups)
    order = read_order(groups, (g for g in snapshot.groups if g in group_ids))
    readers = member_reader(config, run.api_token_encrypted, client.stats)
    with readers.stream(order) as members:
        progress.phase("Planning users")  # while the first groups' members are read
        users = plan_users(snapshot, writes.new_users if writes is not None else None)
        planner = MembershipPlanner(snapshot, users, groups)
        for number in range(1, len(order) + 1):
            progress.phase(f"Reading group memberships ({number}/{len(order)})")
            okta_id, member_ids = next(members)  # raises the failure of this group's read
            added = planner.take(okta_id, member_ids)
            if writes is not None:
                writes.early_memberships(added)
    progress.phase("Planning")
    return complete_plan(snapshot, users, groups, planner.finish())


def _write_early(client: OktaClient) -> bool:
    """Write while reading, unless Okta's rate limits already made the client wait: then
    reading takes as long as the limits say, writing early gains nothing, and the pending
    transaction would stay open all along. settings.OKTA_SYNC_WRITE_WHILE_READING=False
    turns it off."""
    waited = client.stats.rate_limit_waits + client.stats.pacing_waits
    return not waited and getattr(settings, "OKTA_SYNC_WRITE_WHILE_READING", True)
