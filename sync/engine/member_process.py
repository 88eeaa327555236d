"""The child process that reads group members for a run (members.py starts it).

    python -m sync.engine.member_process   # a pickled ChildJob on stdin

It needs no database and no Django start: it configures only the one setting the Okta
client reads, reads the groups with the job's parallel readers, and writes one pickled
(group id, kept member ids, request counters) to stdout per group, in the order asked. A
failure is sent in place of the member ids of the group it stopped, and ends the child.
"""

import ctypes
import os
import pickle
import signal
import sys
from dataclasses import asdict, replace

from django.conf import settings

from okta.client import OktaClientStats
from okta.errors import OktaError

from .members import stream_in_threads

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def main() -> None:
    out, sys.stdout = sys.stdout.buffer, sys.stderr  # nothing else may write to the pipe
    job = pickle.load(sys.stdin.buffer)  # noqa: S301 - written by the run that started us
    _end_with(job.parent_pid)
    settings.configure(OKTA_API_ALLOW_LOOPBACK=job.readers.allow_loopback)
    readers = replace(job.readers, stats=OktaClientStats())
    with stream_in_threads(job.group_ids, readers.new_client, readers.readers) as groups:
        try:
            for group_id, members in groups:
                _send(out, (group_id, members, asdict(readers.stats)))
        except Exception as exc:  # noqa: BLE001 - handed to the run, which reports it
            _send(out, ("", _sendable(exc), asdict(readers.stats)))


def _send(out, message: tuple) -> None:
    pickle.dump(message, out, pickle.HIGHEST_PROTOCOL)
    out.flush()


def _sendable(exc: Exception) -> Exception:
    """The failure itself when it is an OktaError that survives the trip (every one does),
    else its text: the run reads back no other class."""
    try:
        copy = pickle.loads(pickle.dumps(exc))  # noqa: S301 - the bytes we just made
        if isinstance(exc, OktaError) and isinstance(copy, OktaError):
            return exc
    except Exception:  # noqa: BLE001, S110 - falls back to the text below
        pass
    return RuntimeError(f"{type(exc).__name__}: {exc}")


def _end_with(parent_pid: int) -> None:
    """Be killed when the run's process dies (a worker's hard time limit, the OOM killer),
    instead of reading Okta with its token for nobody (Linux; elsewhere, the next write
    to the closed pipe ends the child)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:  # it died before the signal was asked for
        os._exit(1)


if __name__ == "__main__":
    main()
