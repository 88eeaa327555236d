"""The child process that reads group members for a run (members.py starts it).

    python -m sync.engine.member_process   # a pickled ChildJob on stdin

It needs no database and no Django start: it configures only the one setting the Okta
client reads, reads the groups with the job's parallel readers, and writes one pickled
(group id, kept member ids, request counters) to stdout per group, in the order asked. A
failure is sent in place of the member ids of the group it stopped, and ends the child.
"""

import pickle
import sys
from dataclasses import asdict, replace

from django.conf import settings

from ..okta_client import OktaClientStats
from .members import stream_in_threads


def main() -> None:
    out, sys.stdout = sys.stdout.buffer, sys.stderr  # nothing else may write to the pipe
    job = pickle.load(sys.stdin.buffer)  # noqa: S301 - written by the run that started us
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
    """The failure itself when it pickles (every OktaError does), else its text."""
    try:
        pickle.dumps(exc)
        return exc
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(exc).__name__}: {exc}")


if __name__ == "__main__":
    main()
