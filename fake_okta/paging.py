"""The opaque ``after`` cursors the fake issues for its listings.

A cursor is remembered server-side with the listing it belongs to, so any cursor the fake did
not issue, or one replayed on another listing, is refused: the client never builds one itself.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Cursor:
    listing_key: tuple
    last_id: str
    page: int


class Cursors:
    """Issued cursors by token, shared by the server's threads."""

    def __init__(self) -> None:
        self._issued: dict[str, Cursor] = {}
        self._lock = threading.Lock()

    def issue(self, cursor: Cursor) -> str:
        token = secrets.token_urlsafe(18)
        with self._lock:
            self._issued[token] = cursor
        return token

    def get(self, token: str) -> Cursor | None:
        with self._lock:
            return self._issued.get(token)
