"""Each group's members, read by a few clients at once, handed over group by group.

Member listings are most of a full run's requests (one or more per group), so a few run
in parallel. Each reader has its own client; as Okta's remaining count is shared, each
pausing at the configured share keeps them together within it. The groups come back in the
order asked, each as soon as its pages are in, so the run plans (and writes) a group's
memberships while later groups are still being read.

The readers run in a child process of their own (member_process.py). Reading is waiting
for Okta and parsing its JSON; in the run's own process each answer would wait for the
interpreter lock while the run plans and writes, and the reading would stretch by about
as long as the planning and writing take. The child gets the token through a pipe (never
its command line or environment) and sends back only the kept member ids of each group.
A test whose client runs on a fake clock reads in threads of the run's process instead
(settings.OKTA_SYNC_MEMBERS_IN_CHILD = False): a clock cannot cross into another process.
"""

import os
import pickle
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from okta.client import OktaClient, OktaClientStats
from okta.errors import OktaError
from okta.wire import GONE_STATUS

Stream = Iterator[tuple[str, list[str]]]  # (group id, kept member ids), in the order asked
PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHILD_COMMAND = ["-m", "sync.engine.member_process"]  # run by this Python, in PROJECT_ROOT
READ_AHEAD = 500  # groups read ahead of the one the run takes (about a second's reading)


def kept_id(member: dict) -> str | None:
    """The id of a member the run keeps: all but DEPROVISIONED users. (Members the users
    listing did not return are left out by the planner, which knows only the listed ones.)"""
    return None if member.get("status") == GONE_STATUS else member["id"]


@dataclass(frozen=True)
class MemberReaders:
    """How a run reads members: `readers` clients at once, against `api_url` with `token`
    and the client `options`; their requests and pages are added to `stats`."""

    api_url: str
    token: str = field(repr=False)
    options: dict[str, Any]
    readers: int
    stats: OktaClientStats
    in_child: bool = True
    allow_loopback: bool = False  # the fake Okta's switch, which the child cannot read

    def new_client(self) -> OktaClient:
        client = OktaClient(self.api_url, self.token, **self.options)
        client.stats = self.stats
        return client

    def stream(self, group_ids: Iterable[str]):  # -> ContextManager[Stream]
        """The groups' kept members, in order; leaving the block stops the reading."""
        if self.in_child:
            return _stream_from_child(list(group_ids), self)
        return stream_in_threads(group_ids, self.new_client, self.readers)


@contextmanager
def stream_in_threads(
    group_ids: Iterable[str], new_client: Callable[[], OktaClient], readers: int
) -> Iterator[Stream]:
    """Yield the groups' kept members in order; the first failure is raised where its group
    is taken, and leaving the block stops the reading and closes the clients. Reading runs
    at most READ_AHEAD groups ahead of the one taken, so memory stays flat."""
    clients: list[OktaClient] = []
    local = threading.local()

    def read(group_id: str) -> list[str]:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = new_client()
            clients.append(client)
        kept = (kept_id(member) for member in client.iter_group_members(group_id))
        return [member_id for member_id in kept if member_id]

    pool = ThreadPoolExecutor(max_workers=max(readers, 1), thread_name_prefix="okta-members")
    waiting = iter(group_ids)
    reading: deque[tuple[str, Future]] = deque()

    def taken() -> Stream:
        while True:
            while len(reading) < READ_AHEAD and (group_id := next(waiting, None)) is not None:
                reading.append((group_id, pool.submit(read, group_id)))
            if not reading:
                return
            group_id, future = reading.popleft()
            yield group_id, future.result()

    try:
        yield taken()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for client in clients:
            client.close()


@dataclass(frozen=True)
class ChildJob:
    """What the child reads from its stdin: the whole job, token included."""

    readers: MemberReaders
    group_ids: list[str]
    parent_pid: int  # the child ends when this process does


class MemberReadingFailed(Exception):
    """The child reading members stopped without saying why (killed, out of memory); its
    own error output went to this process's standard error, the worker's log."""


@contextmanager
def _stream_from_child(group_ids: list[str], readers: MemberReaders) -> Iterator[Stream]:
    """Start member_process.py, hand it the job, and yield what it sends, group by group."""
    if not group_ids:
        yield iter(())
        return
    command = [sys.executable, *CHILD_COMMAND]
    path = os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE}
    child = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": path}, **pipes
    )
    try:
        try:
            job = ChildJob(readers, group_ids, os.getpid())
            pickle.dump(job, child.stdin, pickle.HIGHEST_PROTOCOL)
            child.stdin.close()
        except OSError:  # it died before reading its job
            raise _stopped(child) from None
        yield _groups_sent(child, group_ids, readers.stats)
    finally:
        child.kill()
        child.wait()
        child.stdout.close()


def _groups_sent(child: subprocess.Popen, group_ids: list[str], stats: OktaClientStats) -> Stream:
    """Each group as the child sends it, its requests added to `stats`; the child's failure
    (an OktaError, with the path and page) is raised where its group is taken."""
    before = asdict(stats)
    for expected in group_ids:
        try:
            group_id, members, counted = _ChildUnpickler(child.stdout).load()
        except (EOFError, pickle.UnpicklingError):
            raise _stopped(child) from None
        for name, value in counted.items():
            setattr(stats, name, before[name] + value)
        if isinstance(members, BaseException):
            raise members
        if group_id != expected:
            raise MemberReadingFailed(f"The member reader sent {group_id!r} for {expected!r}.")
        yield group_id, members


def _stopped(child: subprocess.Popen) -> MemberReadingFailed:
    status = child.wait()
    return MemberReadingFailed(f"The process reading group members stopped (exit status {status}).")


class _ChildUnpickler(pickle.Unpickler):
    """Reads what the child sends: plain data, and failures of the Okta client's kinds only
    (never any other class), so even a child gone wrong cannot run code in the run."""

    def find_class(self, module: str, name: str) -> Any:
        found = super().find_class(module, name) if module in _FAILURE_MODULES else None
        if isinstance(found, type) and issubclass(found, _FAILURE_MODULES.get(module, ())):
            return found
        raise pickle.UnpicklingError(f"The member reader sent a {module}.{name}.")


_FAILURE_MODULES: dict[str, tuple[type, ...]] = {
    "okta.errors": (OktaError,),
    "builtins": (RuntimeError,),
}
