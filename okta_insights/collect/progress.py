"""Live progress of a collection run: kept in memory, written to its row at most twice a second."""

import time
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from sync.okta_client import OktaClientStats

from ..models import CollectionRun

Listener = Callable[[str, dict[str, Any]], None]
FLUSH_EVERY = 0.5


class Progress:
    """Phase, pages fetched, items stored and rate-limit waits, for the page and the command."""

    def __init__(self, run: CollectionRun, listener: Listener | None = None) -> None:
        self.run_id = run.pk
        self.text = ""
        self.items = 0
        self.stats = OktaClientStats()
        self._listener = listener
        self._flushed_at = 0.0

    def values(self) -> dict[str, Any]:
        stats = self.stats
        return {
            "pages": stats.pages,
            "requests": stats.requests,
            "items": self.items,
            "rate_limit_waits": stats.rate_limit_waits + stats.pacing_waits,
            "waited_seconds": round(stats.waited_seconds, 1),
            "retries": stats.retries,
        }

    def phase(self, text: str) -> None:
        self.text = text
        self.flush(force=True)

    def count(self, number: int) -> None:
        self.items += number
        self.flush()

    def on_page(self, path: str, page: int, items: int) -> None:
        self.flush()

    def flush(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._flushed_at < FLUSH_EVERY:
            return
        self._flushed_at = now
        values = self.values()
        CollectionRun.objects.filter(pk=self.run_id).update(
            phase=self.text[:128], progress=values, heartbeat_at=timezone.now()
        )
        if self._listener:
            self._listener(self.text, values)
