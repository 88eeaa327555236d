"""The fake org's event hooks and Okta's Event Hooks admin API on them: ``POST
/api/v1/eventHooks`` (create), ``GET /api/v1/eventHooks[/{id}]``, ``POST …/{id}/lifecycle/verify``
and ``…/lifecycle/{activate,deactivate}`` (event_hooks_api.py routes them here). These are the
fake's only POST endpoints besides the SAML IdP's pages.

Verify does what Okta does: a GET to the hook's URI with a one-time
``x-okta-verification-challenge`` and the hook's headers (its auth header included), and
VERIFIED only when the answer echoes the challenge as ``{"verification": "…"}``. Deliveries
(hook_delivery.py) go only to ACTIVE, VERIFIED hooks.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from fake_okta import shapes
from fake_okta.model import iso

VERIFY_TIMEOUT = 3.0  # Okta waits 3 s for the verification answer, as for a delivery
Reply = tuple[int, Any]


@dataclass
class EventHook:
    id: str
    name: str
    uri: str
    events: list[str]
    auth: tuple[str, str] | None  # authScheme HEADER (key, value)
    headers: list[tuple[str, str]] = field(default_factory=list)
    status: str = "ACTIVE"
    verification_status: str = "UNVERIFIED"
    created: str = field(default_factory=lambda: iso(datetime.now(UTC)))
    last_updated: str = field(default_factory=lambda: iso(datetime.now(UTC)))

    @property
    def delivers(self) -> bool:
        return self.status == "ACTIVE" and self.verification_status == "VERIFIED"

    def request_headers(self) -> dict[str, str]:
        """What Okta adds to every call to the hook: the custom headers, then the auth one."""
        headers = dict(self.headers)
        if self.auth:
            headers[self.auth[0]] = self.auth[1]
        return headers

    def body(self, base: str) -> dict[str, Any]:
        """Okta's EventHook object; like Okta, it never shows the auth header's value."""
        href = f"{base}/api/v1/eventHooks/{self.id}"
        scheme = {"type": "HEADER", "key": self.auth[0]} if self.auth else None
        return {
            "id": self.id,
            "status": self.status,
            "verificationStatus": self.verification_status,
            "name": self.name,
            "description": None,
            "created": self.created,
            "createdBy": "00ufakeoktaadmin0001",
            "lastUpdated": self.last_updated,
            "events": {"type": "EVENT_TYPE", "items": list(self.events), "filter": None},
            "channel": {
                "type": "HTTP",
                "version": "1.0.0",
                "config": {
                    "uri": self.uri,
                    "headers": [{"key": k, "value": v} for k, v in self.headers],
                    "method": "POST",
                    "authScheme": scheme,
                },
            },
            "_links": {
                "self": {"href": href},
                "verify": {"href": f"{href}/lifecycle/verify", "hints": {"allow": ["POST"]}},
                "deactivate": {
                    "href": f"{href}/lifecycle/deactivate",
                    "hints": {"allow": ["POST"]},
                },
            },
        }


class Invalid(Exception):
    """A create body Okta would refuse with 400 E0000001; the message is the detail."""


def parse_create(body: Any) -> EventHook:
    """An EventHook from a create body, checked the way Okta checks it."""
    if not isinstance(body, dict):
        raise Invalid("body must be an EventHook object")
    events = body.get("events") or {}
    items = events.get("items") if isinstance(events, dict) else None
    if events.get("type") != "EVENT_TYPE" or not isinstance(items, list) or not items:
        raise Invalid("events: type EVENT_TYPE and a list of event types are required")
    config = ((body.get("channel") or {}).get("config")) or {}
    uri = config.get("uri")
    if not isinstance(uri, str) or not uri.startswith(("https://", "http://")):
        raise Invalid("channel.config.uri: an absolute URL is required")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise Invalid("name: required")
    scheme = config.get("authScheme") or None
    auth = None
    if scheme:
        if scheme.get("type") != "HEADER" or not scheme.get("key"):
            raise Invalid("channel.config.authScheme: type HEADER with a key is required")
        auth = (str(scheme["key"]), str(scheme.get("value") or ""))
    headers = [(str(h["key"]), str(h.get("value") or "")) for h in config.get("headers") or []]
    hook_id = "who" + secrets.token_urlsafe(13).replace("-", "x").replace("_", "y")[:17]
    return EventHook(hook_id, name, uri, [str(e) for e in items], auth, headers)


class EventHooks:
    """The org's event hooks; FakeOkta keeps one, its deliveries read it."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.hooks: dict[str, EventHook] = {}
        self.lock = threading.Lock()

    def register(self, uri: str, key: str, value: str, events: list[str]) -> EventHook:
        """For tests: a hook created and verified the way the console's button does it."""
        config = {"uri": uri, "authScheme": {"type": "HEADER", "key": key, "value": value}}
        body = {"name": "QueryPie", "events": {"type": "EVENT_TYPE", "items": events}}
        hook = parse_create(body | {"channel": {"type": "HTTP", "config": config}})
        with self.lock:
            self.hooks[hook.id] = hook
        status, answer = self.verify(hook.id)
        if status != 200:
            raise AssertionError(f"verification failed: {answer}")
        return hook

    def delivering(self, event_type: str) -> list[EventHook]:
        with self.lock:
            return [h for h in self.hooks.values() if h.delivers and event_type in h.events]

    # The admin API ------------------------------------------------------------------------

    def answer(self, method: str, hook_id: str | None, action: str | None, body: Any) -> Reply:
        base = self.base_url
        if hook_id is None:
            if method == "GET":
                with self.lock:
                    return 200, [h.body(base) for h in self.hooks.values()]
            try:
                hook = parse_create(body)
            except Invalid as exc:
                return 400, shapes.error_body("E0000001", str(exc))
            with self.lock:
                self.hooks[hook.id] = hook
            return 200, hook.body(base)
        hook = self.hooks.get(hook_id)
        if hook is None:
            return 404, shapes.error_body("E0000007", f"{hook_id} (EventHook)")
        if method == "GET" and action is None:
            return 200, hook.body(base)
        if method != "POST" or action is None:
            return 405, _not_allowed()
        if action == "verify":
            return self.verify(hook_id)
        hook.status = "ACTIVE" if action == "activate" else "INACTIVE"
        hook.last_updated = iso(datetime.now(UTC))
        return 200, hook.body(base)

    def verify(self, hook_id: str) -> Reply:
        """Okta's one-time verification: a GET with a challenge that must come back."""
        hook = self.hooks[hook_id]
        challenge = secrets.token_urlsafe(30)
        headers = hook.request_headers() | {"x-okta-verification-challenge": challenge}
        try:
            response = requests.get(hook.uri, headers=headers, timeout=VERIFY_TIMEOUT)
            echoed = response.status_code == 200 and response.json() == {"verification": challenge}
        except (requests.RequestException, ValueError):
            echoed = False
        if not echoed:
            detail = (
                "Verification of the event hook failed: the endpoint did not echo the challenge"
            )
            return 400, shapes.error_body("E0000001", detail)
        hook.verification_status = "VERIFIED"
        hook.last_updated = iso(datetime.now(UTC))
        return 200, hook.body(self.base_url)


def _not_allowed() -> dict[str, Any]:
    summary = "The endpoint does not support the provided HTTP method"
    return {"errorCode": "E0000022", "errorSummary": summary, "errorCauses": []}
