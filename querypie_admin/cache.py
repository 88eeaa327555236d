"""The embedded default cache: Django's file cache under var/, shared by every process on
the machine, with an `add` and an `incr` that are atomic across those processes.

Django's file cache checks and then writes, so two gunicorn workers could both "add" the
same key; the sign-in lock-out (lockout.py) counts failures with `add` and needs exactly
one of them to win; the audit of anonymous refusals (audit_throttle.py) counts with `incr`.
Redis (CACHE_URL) and the in-memory cache do both atomically already.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks


class FileCache(FileBasedCache):
    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        self._createdir()
        with open(f"{self._dir}/add.lock", "ab") as lock:
            locks.lock(lock, locks.LOCK_EX)
            try:
                yield
            finally:
                locks.unlock(lock)

    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        with self._exclusive():
            return super().add(key, value, timeout, version)

    def incr(self, key: str, delta: int = 1, version: Any = None) -> int:
        with self._exclusive():
            return super().incr(key, delta, version)
