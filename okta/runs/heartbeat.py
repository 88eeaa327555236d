"""The heartbeat: proof that the process running a run is alive, even while the run waits.

A run writes its progress when it moves (a page, a batch); a rate-limit wait, a long query or
a slow page moves nothing for minutes. So while a run executes, a small daemon thread writes
the time to its row every OKTA_RUN_DEAD_AFTER_SECONDS / 6 seconds (10 s by default): one
UPDATE of one row by primary key. A run whose heartbeat is older than
OKTA_RUN_DEAD_AFTER_SECONDS was killed (SIGKILL, a lost worker, a machine gone) and the next
start closes it, instead of waiting for the 15-minute rule a queued run keeps.
"""

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Self

from django.conf import settings
from django.db import DatabaseError, connection, models
from django.utils import timezone

logger = logging.getLogger(__name__)
BEATS_PER_PERIOD = 6  # a beat lost to a busy database leaves five more before the run is dead


def dead_after() -> timedelta:
    """How old a running run's heartbeat may be before the run counts as dead."""
    return timedelta(seconds=settings.OKTA_RUN_DEAD_AFTER_SECONDS)


class Heartbeat:
    """`with Heartbeat(rows, values):` writes values(now) to `rows` every few seconds, from a
    daemon thread with its own database connection, until the block ends.

    `rows` should match only while the beat is due (a run still in progress, a lease still
    held): a beat that comes late then changes nothing. Inside a transaction (a test, a
    caller's atomic block) nobody else could see the beats, and a beat would wait on the
    caller's own row lock, so no thread is started there.
    """

    def __init__(self, rows: models.QuerySet, values: Callable[[datetime], dict[str, Any]]) -> None:
        self.rows = rows
        self.values = values
        self.every = settings.OKTA_RUN_DEAD_AFTER_SECONDS / BEATS_PER_PERIOD
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def of_run(cls, run: models.Model) -> Self:
        """The heartbeat of a run: its `heartbeat_at`, while it is in progress."""
        rows = type(run).objects.filter(pk=run.pk, in_progress=True)
        return cls(rows, lambda now: {"heartbeat_at": now})

    def __enter__(self) -> Self:
        if not connection.in_atomic_block:
            self._thread = threading.Thread(
                target=self._beat, name="okta-run-heartbeat", daemon=True
            )
            self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the thread: it never outlives the run (a beat still under way is waited for
        one period at most; `rows` no longer matches a finished run anyway)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.every)
            self._thread = None

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.every):
                try:
                    self.rows.update(**self.values(timezone.now()))
                except DatabaseError:  # a busy or lost database: the next beat reconnects
                    logger.warning("A heartbeat could not be written", exc_info=True)
                    connection.close()
        finally:
            connection.close()  # this thread's own connection
