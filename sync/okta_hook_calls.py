"""What Okta Event Hooks need of the Okta API: by-id reads for the hook's processing (it
re-reads every user or group an event names, an event being only a hint) and the
``/api/v1/eventHooks`` calls behind "Register with Okta".

A mixin of OktaClient, which gives it the paging, pacing, retries and address checks
(`_fetch`, `_json`, `_url`, `_paginate`, `_session`) every other call uses. A 404 on a read
is an answer here (the user or group is gone), not an error.
"""

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from querypie_admin import outbound
from sync.okta_errors import (
    OktaNetworkError,
    OktaNotFoundError,
    error_from_exception,
    error_from_response,
)

USER_GROUPS_LIMIT = 200
EVENT_HOOKS_PATH = "/api/v1/eventHooks"


def _id(value: str) -> str:
    return quote(value, safe="")


class HookCalls:
    # By-id reads ------------------------------------------------------------------------

    def find_user(self, user_id: str) -> dict | None:
        """The user as Okta has it now (DEPROVISIONED ones included), or None once deleted."""
        return self._get_or_none(f"/api/v1/users/{_id(user_id)}")

    def find_group(self, group_id: str) -> dict | None:
        return self._get_or_none(f"/api/v1/groups/{_id(group_id)}")

    def find_app_user(self, app_id: str, user_id: str) -> dict | None:
        """The user's assignment to the app (directly or through a group), or None."""
        return self._get_or_none(f"/api/v1/apps/{_id(app_id)}/users/{_id(user_id)}")

    def iter_user_groups(self, user_id: str) -> Iterator[dict]:
        """Every group the user belongs to, whole group objects (type and profile)."""
        path = f"/api/v1/users/{_id(user_id)}/groups"
        return self._paginate(path, {"limit": str(USER_GROUPS_LIMIT)})

    def _get_or_none(self, path: str) -> dict | None:
        try:
            return self._get(path)
        except OktaNotFoundError:
            return None

    # Event hooks (write calls; never retried, since a create is not idempotent) ----------

    def create_event_hook(self, body: dict[str, Any]) -> dict:
        return self._post(EVENT_HOOKS_PATH, body)

    def verify_event_hook(self, hook_id: str) -> dict:
        """Okta calls the hook's URL with a one-time challenge and answers with the hook."""
        return self._post(f"{EVENT_HOOKS_PATH}/{_id(hook_id)}/lifecycle/verify")

    def get_event_hook(self, hook_id: str) -> dict | None:
        return self._get_or_none(f"{EVENT_HOOKS_PATH}/{_id(hook_id)}")

    def _post(self, path: str, body: dict[str, Any] | None = None) -> dict:
        self.stats.requests += 1
        host = urlsplit(self.base_url).netloc
        try:
            response = self._session.post(
                self._url(path, {}), json=body, timeout=self.timeout, allow_redirects=False
            )
        except outbound.Refused as exc:
            raise OktaNetworkError(str(exc), path=path, page=1, kind="connection") from None
        except requests.RequestException as exc:
            raise error_from_exception(exc, host, self.timeout[1], path, 1) from exc
        if response.status_code not in (200, 201):
            raise error_from_response(response, path, 1, 0)
        return self._json(response, path, 1, dict)
