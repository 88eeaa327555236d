"""Waiting in tests for something another thread, session or process does: poll a condition,
and count the sessions of the test database that wait on a lock."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import connection


def wait_until(condition: Callable[[], Any], seconds: float = 10.0, every: float = 0.02) -> Any:
    """Poll `condition` until it is true or `seconds` have passed; its last answer."""
    deadline = time.monotonic() + seconds
    while not (answer := condition()) and time.monotonic() < deadline:
        time.sleep(every)
    return answer


def lock_waits() -> int:
    """Sessions of this database waiting on a lock (a row another transaction holds)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]
