"""A run's writes, started while Okta is still being read and committed only after it all
was: one transaction that a failed read or a held plan rolls back, so nothing is written.

On PostgreSQL, when the run owns its connection's transactions (a worker, `okta_sync run`),
the writes go to a thread with its own connection and transaction: they overlap the member
reading, while the run's own row (its progress and heartbeat, which say it is alive) stays
on the run's connection, visible to everyone. The rows written early are rows nobody else
can see yet (the users and groups the run creates, their links and memberships between
them), so no one waits on them; changes to rows that exist are written after the reading,
in the same transaction, just before it commits.

Elsewhere (SQLite's single writer; a run inside a caller's transaction, as in tests) the
writes wait and are made after the reading, each batch in its own transaction, as before.
"""

import logging
import queue
import threading
from collections.abc import Callable

from django.db import connection, transaction

logger = logging.getLogger(__name__)
Job = Callable[[], None]
Phase = Callable[[str], None]
_COMMIT, _ROLLBACK = object(), object()
WAIT_SECONDS = 0.25  # how often the run's row is touched while the writer finishes


class PendingWrites:
    """Jobs to write, in order; commit() writes the rest and commits, rollback() drops all.

    A job that fails stops the jobs after it; commit() then keeps what was written before
    it (as a run did when the directory refused a batch) and raises the failure."""

    def __init__(self) -> None:
        self.overlaps = connection.vendor == "postgresql" and not connection.in_atomic_block
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._later: list[Job] = []
        self._error: BaseException | None = None
        self._text = ""
        self._shown_by: Phase | None = None  # writing at commit(): each note is shown at once
        self._thread: threading.Thread | None = None

    def submit(self, job: Job) -> None:
        """Write this as soon as the writer can (overlapping), or at commit()."""
        if not self.overlaps:
            self._later.append(job)
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="okta-sync-writer", daemon=True)
            self._thread.start()
        self._jobs.put(job)

    def note(self, text: str) -> None:
        """What the writer is doing, for the run's progress (shown by the run's thread)."""
        self._text = text
        if self._shown_by is not None:
            self._shown_by(text)

    def commit(self, phase: Phase) -> None:
        """Write what is left, commit, and raise the failure of a job if one failed."""
        if self._thread is None:
            self._run_later(phase)
        else:
            self._finish(_COMMIT, phase)
        if self._error is not None:
            raise self._error

    def rollback(self) -> None:
        """Nothing that was submitted is written (a failed read, a held plan)."""
        self._later.clear()
        if self._thread is not None:
            self._finish(_ROLLBACK, None)

    def _run_later(self, phase: Phase) -> None:
        self._shown_by = phase  # in this thread: the listener sees each phase as it comes
        for job in self._later:
            try:
                job()
            except BaseException as exc:
                self._error = exc
                break
        self._later.clear()

    def _finish(self, last: object, phase: Phase | None) -> None:
        thread, self._thread = self._thread, None
        self._jobs.put(last)
        shown = None
        while thread.is_alive():
            if phase is not None and self._text:
                phase(self._text)  # a new phase, or the heartbeat of the same one
                shown = self._text
            thread.join(WAIT_SECONDS)
        if phase is not None and self._text != shown and self._text:
            phase(self._text)

    def _work(self) -> None:
        """The writer thread: every job in one transaction, until told to commit or not."""
        try:
            with transaction.atomic():
                _check_as_written()
                while (job := self._jobs.get()) not in (_COMMIT, _ROLLBACK):
                    if self._error is None:
                        self._run(job)
                if job is _ROLLBACK:
                    transaction.set_rollback(True)
        except BaseException as exc:  # the commit itself failed
            logger.exception("The Okta sync's writes could not be committed")
            self._error = self._error or exc
        finally:
            connection.close()

    def _run(self, job: Job) -> None:
        try:
            job()
        except BaseException as exc:  # raised in the run's thread by commit()
            self._error = exc


def _check_as_written() -> None:
    """Check foreign keys as each batch is written (they are deferred to the commit by
    default): so their checks overlap the reading too, instead of all waiting for the end.
    Every batch writes the rows it points at before the rows that point at them."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
