"""Live progress of a run: kept in memory, written to its SyncRun row at most twice a second."""

import time
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from ..models import SyncRun
from ..okta_client import OktaClientStats

Listener = Callable[[str, dict[str, Any]], None]
FLUSH_EVERY = 0.5


class Progress:
    """Phase, pages fetched, users processed and rate-limit waits, for the page and the CLI."""

    def __init__(self, run: SyncRun, listener: Listener | None = None) -> None:
        self.run_id = run.pk
        self.text = ""
        self.users = 0
        self.stats: OktaClientStats | None = None
        self._listener = listener
        self._flushed_at = 0.0

    def values(self) -> dict[str, Any]:
        stats = self.stats or OktaClientStats()
        return {
            "pages": stats.pages,
            "requests": stats.requests,
            "users": self.users,
            "rate_limit_waits": stats.rate_limit_waits + stats.pacing_waits,
            "waited_seconds": round(stats.waited_seconds, 1),
            "retries": stats.retries,
        }

    def phase(self, text: str) -> None:
        changed = text.split(" (")[0] != self.text.split(" (")[0]
        self.text = text
        self.flush(force=changed)

    def count_users(self, number: int) -> None:
        self.users += number
        self.flush()

    def on_page(self, path: str, page: int, items: int) -> None:
        self.flush()

    def flush(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._flushed_at < FLUSH_EVERY:
            return
        self._flushed_at = now
        values = self.values()
        SyncRun.objects.filter(pk=self.run_id).update(
            phase=self.text, progress=values, heartbeat_at=timezone.now()
        )
        if self._listener:
            self._listener(self.text, values)
