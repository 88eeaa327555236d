"""The embedded default cache: Django's file cache under var/, shared by every process on
the machine, with an `add` that is atomic across those processes.

Django's file cache checks and then writes, so two gunicorn workers could both "add" the
same key; the sign-in lock-out (lockout.py) counts failures with `add` and needs exactly
one of them to win. Redis (CACHE_URL) and the in-memory cache add atomically already.
"""

from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks


class FileCache(FileBasedCache):
    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        self._createdir()
        with open(f"{self._dir}/add.lock", "ab") as lock:
            locks.lock(lock, locks.LOCK_EX)
            try:
                return super().add(key, value, timeout, version)
            finally:
                locks.unlock(lock)
