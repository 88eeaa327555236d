"""Live progress of a run: kept in memory, written to its row at most twice a second.

Shared by the Okta sync (SyncRun, counting users) and the Okta visibility collection
(CollectionRun, counting stored items): any OktaRun.
"""

import time
from collections.abc import Callable
from typing import Any

from django.db import models
from django.utils import timezone

from okta.client import OktaClientStats

Listener = Callable[[str, dict[str, Any]], None]
FLUSH_EVERY = 0.5


class Progress:
    """Phase, pages fetched, what was counted and rate-limit waits, for the page and the CLI."""

    counted = "users"  # what `count` counts, as the page and the command show it

    def __init__(self, run: models.Model, listener: Listener | None = None) -> None:
        self.run_id = run.pk
        self.runs = type(run).objects
        self.phase_length = type(run)._meta.get_field("phase").max_length
        self.text = ""
        self.done = 0
        self.stats = OktaClientStats()
        self._listener = listener
        self._flushed_at = 0.0

    def values(self) -> dict[str, Any]:
        stats = self.stats
        return {
            "pages": stats.pages,
            "requests": stats.requests,
            self.counted: self.done,
            "rate_limit_waits": stats.rate_limit_waits + stats.pacing_waits,
            "waited_seconds": round(stats.waited_seconds, 1),
            "retries": stats.retries,
        }

    def phase(self, text: str) -> None:
        changed = text.split(" (")[0] != self.text.split(" (")[0]
        self.text = text
        self.flush(force=changed)

    def count(self, number: int) -> None:
        self.done += number
        self.flush()

    def on_page(self, path: str, page: int, items: int) -> None:
        self.flush()

    def flush(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._flushed_at < FLUSH_EVERY:
            return
        self._flushed_at = now
        values = self.values()
        self.runs.filter(pk=self.run_id).update(
            phase=self.text[: self.phase_length], progress=values, heartbeat_at=timezone.now()
        )
        if self._listener:
            self._listener(self.text, values)


def progress_body(run: models.Model) -> dict[str, Any]:
    """What static/sync/progress.js polls for while a run (sync or collection) is going."""
    return run.result() | {
        "finished": run.is_finished,
        "phase": run.phase,
        "progress": run.progress,
        "status_label": run.get_status_display(),
    }
