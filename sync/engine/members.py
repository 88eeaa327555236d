"""Each group's members, read by a few clients at once, handed over group by group.

Member listings are most of a full run's requests (one or more per group), so a few run
in parallel. Each reader has its own client; as Okta's remaining count is shared, each
pausing at the configured share keeps them together within it. The groups come back in the
order asked, each as soon as its pages are in, so the run plans (and writes) a group's
memberships while later groups are still being read.
"""

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from ..okta_client import OktaClient

Keep = Callable[[dict], str | None]
Stream = Iterator[tuple[str, list[str]]]  # (group id, kept member ids), in the order asked


@contextmanager
def stream_members(
    group_ids: Iterable[str], new_client: Callable[[], OktaClient], keep: Keep, readers: int
) -> Iterator[Stream]:
    """Yield the groups' kept members in order; the first failure is raised where its group
    is taken, and leaving the block stops the reading and closes the clients."""
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

    pool = ThreadPoolExecutor(max_workers=max(readers, 1), thread_name_prefix="okta-members")
    try:
        futures = [(group_id, pool.submit(read, group_id)) for group_id in ordered]
        yield ((group_id, future.result()) for group_id, future in futures)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for client in clients:
            client.close()


def read_members(
    group_ids: Iterable[str],
    new_client: Callable[[], OktaClient],
    keep: Keep,
    phase: Callable[[str], None],
    readers: int,
) -> dict[str, list[str]]:
    """group id -> kept member ids, all at once (the bench's bare fetch reads this way)."""
    ordered = list(group_ids)
    found: dict[str, list[str]] = {}
    with stream_members(ordered, new_client, keep, readers) as groups:
        for number, (group_id, members) in enumerate(groups, start=1):
            phase(f"Reading group memberships ({number}/{len(ordered)})")
            found[group_id] = members
    return found


@dataclass(frozen=True)
class MemberReaders:
    """The run's member readers: clients made by `new_client`, `readers` at a time."""

    new_client: Callable[[], OktaClient]
    readers: int

    def stream(self, group_ids: Iterable[str], keep: Keep):  # -> ContextManager[Stream]
        return stream_members(group_ids, self.new_client, keep, self.readers)
