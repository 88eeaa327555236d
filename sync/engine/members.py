"""Each group's members, read by a few clients at once.

Member listings are most of a full run's requests (one or more per group), so a few run
in parallel. Each reader has its own client; as Okta's remaining count is shared, each
pausing at the configured share keeps them together within it.
"""

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from ..okta_client import OktaClient

Keep = Callable[[dict], str | None]


def read_members(
    group_ids: Iterable[str],
    new_client: Callable[[], OktaClient],
    keep: Keep,
    phase: Callable[[str], None],
    readers: int,
) -> dict[str, list[str]]:
    """group id -> kept member ids; the first failure stops the reading and is raised."""
    ordered = list(group_ids)
    clients: list[OktaClient] = []
    local = threading.local()

    def read(group_id: str) -> list[str]:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = new_client()
            clients.append(client)
        kept = (keep(member) for member in client.iter_group_members(group_id))
        return [member_id for member_id in kept if member_id]

    found: dict[str, list[str]] = {}
    pool = ThreadPoolExecutor(max_workers=max(readers, 1), thread_name_prefix="okta-members")
    try:
        futures = [(group_id, pool.submit(read, group_id)) for group_id in ordered]
        for number, (group_id, future) in enumerate(futures, start=1):
            phase(f"Reading group memberships ({number}/{len(ordered)})")
            found[group_id] = future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for client in clients:
            client.close()
    return found
