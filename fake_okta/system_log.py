"""The fake org's System Log, kept in the order Okta stored the events and polled as Okta
documents it.

A polling request (``sortOrder=ASCENDING``, no ``until``) always gets a ``next`` link, even on
an empty page, with an opaque ``after`` cursor the fake remembers; a cursor it did not issue is
refused. Events are delivered in storage order, so one that arrives late shows up after newer
ones (out of ``published`` order); ``deliver_again`` stores an event twice and ``overlap``
re-delivers the last events of each page at the start of the next, as at-least-once delivery
does. ``synthesize`` stands for millions of events without keeping them in memory.

The log is a plain store: what happens in the org (admin roles, event hooks, generators) writes
events into it with the bodies below, and it imports none of them.
"""

from __future__ import annotations

import bisect
import secrets
import threading
import time
import uuid as uuid_module
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from fake_okta.model import iso
from fake_okta.universal_directory import Change, UniversalDirectory

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
DEFAULT_SINCE = timedelta(days=7)
DOCUMENTATION_IP = "198.51.100.7"  # a client address when no real one is known (RFC 5737)
Entry = tuple[float, dict[str, Any]]  # (stored at, epoch seconds; the event)
Reply = tuple[int, Any, list[str]]


class SystemLog:
    """Events by storage time; positions count from the oldest stored one."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.overlap = 0
        self.issued: set[str] = set()
        self._entries: list[Entry] = []
        self._synthetic = 0
        self._make: Callable[[int], Entry] | None = None
        self._cursors: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._synthetic + len(self._entries)

    # What happens in the org -------------------------------------------------------------

    def append(self, event: dict[str, Any], *, stored_at: float | None = None) -> dict:
        """Store an event now (or at ``stored_at``, for events older than a test's first poll)."""
        with self._lock:
            entry = (self.clock() if stored_at is None else stored_at, event)
            bisect.insort(self._entries, entry, key=lambda item: item[0])
        return event

    def deliver_again(self, event_uuid: str) -> None:
        """The same event (same ``uuid``) stored a second time, later."""
        with self._lock:
            event = next(e for _, e in self._entries if e["uuid"] == event_uuid)
        self.append(event)

    def synthesize(self, count: int, make: Callable[[int], Entry]) -> None:
        """``count`` events made on demand by ``make(position)``, stored before any other."""
        self._synthetic, self._make = count, make

    def events(self) -> list[dict[str, Any]]:
        """Every stored event in storage order, duplicates included (tests compare with it)."""
        return [self.entry(i)[1] for i in range(len(self))]

    def entry(self, position: int) -> Entry:
        """The (stored at, event) at a position, made on demand when synthesized."""
        if position < self._synthetic and self._make:
            return self._make(position)
        return self._entries[position - self._synthetic]

    def _first_stored_since(self, moment: float) -> int:
        low, high = 0, len(self)
        while low < high:
            middle = (low + high) // 2
            if self.entry(middle)[0] < moment:
                low = middle + 1
            else:
                high = middle
        return low

    # Serving /api/v1/logs ----------------------------------------------------------------

    def page_of(self, params: dict[str, str]) -> int:
        return self._cursors.get(params.get("after", ""), (0, 1))[1]

    def serve(self, params: dict[str, str], base: str) -> Reply:
        try:
            limit = max(1, min(int(params.get("limit", DEFAULT_LIMIT)), MAX_LIMIT))
            since = _epoch(params.get("since")) if params.get("since") else None
            until = _epoch(params.get("until")) if params.get("until") else None
        except ValueError:
            return 400, _error("E0000001", "Api validation failed: since, until or limit"), []
        if "after" in params and params["after"] not in self._cursors:
            return 400, _error("E0000001", "Api validation failed: after"), []
        if params.get("sortOrder", "ASCENDING") != "ASCENDING" or until is not None:
            return 200, self._bounded(since, until, limit, params), []
        with self._lock:
            if "after" in params:
                start, page = self._cursors[params["after"]]
            else:
                default = self.clock() - DEFAULT_SINCE.total_seconds()
                start, page = self._first_stored_since(since or default), 1
            end = min(start + limit, len(self))
            body = [self.entry(i)[1] for i in range(start, end)]
            resume = max(start + 1, end - self.overlap) if end > start else start
            token = secrets.token_urlsafe(12)
            self._cursors[token] = (resume, page + 1)
            self.issued.add(token)
        rest = [(k, v) for k, v in params.items() if k not in ("after", "limit")]
        query = urlencode([("after", token), ("limit", limit), *rest], quote_via=quote)
        return 200, body, [f'<{base}/api/v1/logs?{query}>; rel="next"']

    def _bounded(self, since: float | None, until: float | None, limit: int, params) -> list:
        """A bounded query: by ``published``, newest first when asked, no polling link."""
        low = since or (self.clock() - DEFAULT_SINCE.total_seconds())
        high = until or float("inf")
        found = [
            e
            for _, e in (self.entry(i) for i in range(len(self)))
            if low <= _epoch(e["published"]) < high
        ]
        found.sort(key=lambda e: e["published"], reverse=params.get("sortOrder") == "DESCENDING")
        return found[:limit]


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _error(code: str, summary: str) -> dict[str, Any]:
    return {
        "errorCode": code,
        "errorSummary": summary,
        "errorLink": code,
        "errorId": "oae" + secrets.token_urlsafe(16)[:22],
        "errorCauses": [],
    }


# Event bodies ----------------------------------------------------------------------------------


def log_event(
    event_type: str,
    *,
    actor: dict[str, Any],
    targets: list[dict[str, Any]] | None = None,
    published: str | datetime | None = None,
    outcome: str = "SUCCESS",
    reason: str | None = None,
    message: str = "",
    debug: dict[str, Any] | None = None,
    event_uuid: str | None = None,
    ip_address: str = DOCUMENTATION_IP,
) -> dict[str, Any]:
    """One System Log event in Okta's LogEvent shape; ``ip_address`` is the client's."""
    if isinstance(published, datetime):
        published = iso(published)
    return {
        "uuid": event_uuid or str(uuid_module.uuid4()),
        "published": published or iso(datetime.now(UTC)),
        "eventType": event_type,
        "version": "0",
        "severity": "INFO" if outcome == "SUCCESS" else "WARN",
        "legacyEventType": None,
        "displayMessage": message or event_type,
        "actor": actor,
        "client": {
            "userAgent": {"rawUserAgent": "Mozilla/5.0", "os": "Mac OS X", "browser": "CHROME"},
            "zone": "null",
            "device": "Computer",
            "id": None,
            "ipAddress": ip_address,
            "geographicalContext": {"country": "United States"},
        },
        "outcome": {"result": outcome, "reason": reason},
        "target": targets or [],
        "transaction": {"type": "WEB", "id": secrets.token_urlsafe(12), "detail": {}},
        "debugContext": {"debugData": debug or {}},
        "authenticationContext": {"authenticationStep": 0, "externalSessionId": "trs-fake"},
        "securityContext": {},
        "request": {"ipChain": [{"ip": ip_address}]},
    }


def user_ref(directory: UniversalDirectory, user_id: str) -> dict[str, Any]:
    """An actor or target that is a user, as Okta names one."""
    user = directory.users[user_id]
    name = f"{user.profile.get('firstName') or ''} {user.profile.get('lastName') or ''}".strip()
    return {
        "id": user_id,
        "type": "User",
        "alternateId": user.profile.get("login"),
        "displayName": name,
        "detailEntry": None,
    }


def app_ref(directory: UniversalDirectory, app_id: str) -> dict[str, Any]:
    app = directory.apps[app_id]
    return {
        "id": app_id,
        "type": "AppInstance",
        "alternateId": app.label,
        "displayName": app.label,
        "detailEntry": {"signOnModeType": app.sign_on_mode},
    }


def group_ref(directory: UniversalDirectory, group_id: str) -> dict[str, Any]:
    group = directory.groups[group_id]
    return {
        "id": group_id,
        "type": "UserGroup",
        "alternateId": "unknown",
        "displayName": group.name,
        "detailEntry": None,
    }


SYSTEM_ACTOR = {
    "id": "0oafakeoktasystem001",
    "type": "PublicClientApp",
    "alternateId": "Okta",
    "displayName": "Okta System",
    "detailEntry": None,
}


# The admin who changes the org from the fake's dashboard or `scripts/demo okta …`.
OKTA_ADMIN = {
    "id": "00ufakeoktaadmin0001",
    "type": "User",
    "alternateId": "admin@fake-okta.example",
    "displayName": "Fake Okta Admin",
    "detailEntry": None,
}
# Okta's displayMessage of the events an admin's change is logged as.
CHANGE_MESSAGES = {
    "user.lifecycle.create": "Create Okta user",
    "user.lifecycle.activate": "Activate Okta user",
    "user.lifecycle.deactivate": "Deactivate Okta user",
    "user.lifecycle.suspend": "Suspend Okta user",
    "user.lifecycle.unsuspend": "Unsuspend Okta user",
    "user.account.update_profile": "Update user profile for Okta",
    "group.user_membership.add": "Add user to group membership",
    "group.user_membership.remove": "Remove user from group membership",
    "group.profile.update": "Update group profile",
    "application.user_membership.add": "Add user to application membership",
    "application.user_membership.remove": "Remove user from application membership",
}


def change_event(directory: UniversalDirectory, change: Change, actor: dict[str, Any]) -> dict:
    """What Okta logs for a change of the directory (and what its event hooks deliver): the
    targets are the user, the group and the app the change names, in that order."""
    targets = [user_ref(directory, change.user)] if change.user else []
    targets += [group_ref(directory, change.group)] if change.group else []
    targets += [app_ref(directory, change.app)] if change.app else []
    return log_event(
        change.event_type,
        actor=actor,
        targets=targets,
        published=directory.now(),
        message=CHANGE_MESSAGES.get(change.event_type, ""),
    )


def sso_event(directory: UniversalDirectory, user_id: str, app_id: str, **options: Any) -> dict:
    """``user.authentication.sso``: the user signed in to the app through Okta; the targets
    are the app instance and the user, as Okta names them."""
    targets = [app_ref(directory, app_id), user_ref(directory, user_id)]
    return log_event(
        "user.authentication.sso",
        actor=user_ref(directory, user_id),
        targets=targets,
        message="User single sign on to app",
        **options,
    )


def sign_in_event(directory: UniversalDirectory, user_id: str, **options: Any) -> dict:
    """``user.session.start``: the user signed in to Okta."""
    return log_event(
        "user.session.start",
        actor=user_ref(directory, user_id),
        message="User login to Okta",
        **options,
    )
