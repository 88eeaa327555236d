"""``/api/v1/eventHooks``: the calls behind "Register with Okta" (write calls, never
retried, since a create is not idempotent)."""

from typing import Any

from ..wire import path_id

EVENT_HOOKS_PATH = "/api/v1/eventHooks"


class EventHooks:
    def create_event_hook(self, body: dict[str, Any]) -> dict:
        return self._post(EVENT_HOOKS_PATH, body)

    def verify_event_hook(self, hook_id: str) -> dict:
        """Okta calls the hook's URL with a one-time challenge and answers with the hook."""
        return self._post(f"{EVENT_HOOKS_PATH}/{path_id(hook_id)}/lifecycle/verify")

    def get_event_hook(self, hook_id: str) -> dict | None:
        return self._get_or_none(f"{EVENT_HOOKS_PATH}/{path_id(hook_id)}")
