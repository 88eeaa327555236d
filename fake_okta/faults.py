"""Misbehaviour on demand (errors, delays, 429s) and Okta-style rate-limit buckets."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class _Rule:
    kind: str
    endpoint: str | None
    page: int | None
    times: int | None  # None: forever
    value: Any


class Faults:
    """Rules a test arms; each fires on matching requests until its ``times`` run out.

    ``endpoint`` is a listing name (``users``, ``groups``, ``group_users``, ``app_users``,
    ``app_groups``, ``apps``) or a single-object one (``user``, ``group``, ``app``); ``None``
    matches every endpoint. Pages count from 1 along a chain of ``after`` cursors.
    """

    def __init__(self) -> None:
        self._rules: list[_Rule] = []
        self._lock = threading.Lock()

    def fail_page(
        self, endpoint: str | None, page: int | None = 1, *, status: int = 500, times: int = 1
    ) -> None:
        """Answer ``status`` (5xx, with Okta's E0000009 body) on that page."""
        self._add(_Rule("status", endpoint, page, times, status))

    def delay(
        self,
        seconds: float,
        *,
        endpoint: str | None = None,
        page: int | None = None,
        times: int | None = 1,
    ) -> None:
        """Hold the answer back, to trigger the client's read timeout."""
        self._add(_Rule("delay", endpoint, page, times, seconds))

    def throttle(
        self, times: int = 1, *, endpoint: str | None = None, reset_in: float = 30.0
    ) -> None:
        """Answer 429 E0000047 with ``X-Rate-Limit-Reset`` ``reset_in`` seconds ahead."""
        self._add(_Rule("throttle", endpoint, None, times, reset_in))

    def forbid(self, endpoint: str | None) -> None:
        """The valid token lacks permission (403 E0000006) for this endpoint."""
        self._add(_Rule("forbid", endpoint, None, None, True))

    def loop_last_page(self, endpoint: str | None) -> None:
        """The last page carries a ``next`` link equal to its ``self`` link."""
        self._add(_Rule("loop", endpoint, None, None, True))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, kind: str, endpoint: str, page: int) -> Any:
        """The value of the first armed matching rule (consuming one use), else None."""
        with self._lock:
            for rule in self._rules:
                if rule.kind != kind or rule.endpoint not in (None, endpoint):
                    continue
                if rule.page not in (None, page) or rule.times == 0:
                    continue
                if rule.times is not None:
                    rule.times -= 1
                return rule.value
        return None

    def _add(self, rule: _Rule) -> None:
        with self._lock:
            self._rules.append(rule)


@dataclass
class RateLimitState:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # epoch seconds, as Okta sends it


class RateLimiter:
    """Fixed windows per bucket (``users``, ``groups``, ``apps``), like Okta's per-minute ones."""

    def __init__(
        self,
        limit: int,
        window: float,
        clock: Callable[[], float],
        overrides: dict[str, int] | None = None,
    ) -> None:
        self.limit = limit
        self.window = window
        self.overrides = overrides or {}
        self._clock = clock
        self._windows: dict[str, list[float]] = {}  # bucket -> [used, resets_at]
        self._lock = threading.Lock()

    def hit(self, bucket: str, *, count: bool = True) -> RateLimitState:
        """Use one request of ``bucket`` (or only look, for rejected tokens)."""
        limit = self.overrides.get(bucket, self.limit)
        with self._lock:
            now = self._clock()
            window = self._windows.setdefault(bucket, [0, now + self.window])
            if now >= window[1]:
                window[:] = [0, now + self.window]
            allowed = window[0] < limit
            if allowed and count:
                window[0] += 1
            reset = math.ceil(window[1])
            return RateLimitState(allowed, limit, max(0, limit - int(window[0])), reset)
