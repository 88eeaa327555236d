"""Read-only listings for Okta visibility and access review (okta_insights): applications,
admin roles, MFA factors and the System Log, polled as Okta documents it.

A mixin of OktaClient, which gives it the paging, pacing, retries and address checks
(`_paginate`, `_fetch`, `_json`, `_url`, `_check_same_origin`) every other read uses.
"""

from collections.abc import Iterator
from datetime import datetime
from urllib.parse import quote

from sync.okta_errors import OktaResponseError
from sync.okta_wire import APPS_LIMIT, okta_timestamp, parse_link_header


class VisibilityReads:
    LOGS_PATH = "/api/v1/logs"
    LOGS_LIMIT = 1000  # the System Log's largest page
    ROLE_ASSIGNEES_PATH = "/api/v1/iam/assignees/users"

    def iter_apps(self) -> Iterator[dict]:
        """Every application of the org, active or not."""
        return self._paginate("/api/v1/apps", {"limit": str(APPS_LIMIT)})

    def iter_role_assignees(self) -> Iterator[dict]:
        """Users holding an admin role; this IAM listing pages by ``_links.next`` in its body."""
        path, page = self.ROLE_ASSIGNEES_PATH, 1
        url: str | None = self._url(path, {"limit": "100"})
        while url:
            response, url = self._fetch(url, path, page)
            body = self._json(response, path, page, dict)
            self.stats.pages += 1
            yield from body.get("value") or []
            url = ((body.get("_links") or {}).get("next") or {}).get("href")
            if url:
                self._check_same_origin(url, path, page)
                page += 1

    def list_user_roles(self, user_id: str) -> list[dict]:
        """A user's role assignments, direct (USER) and through a group (GROUP)."""
        return self._get_list(f"/api/v1/users/{quote(user_id, safe='')}/roles")

    def list_group_roles(self, group_id: str) -> list[dict]:
        return self._get_list(f"/api/v1/groups/{quote(group_id, safe='')}/roles")

    def list_factors(self, user_id: str) -> list[dict]:
        """The MFA factors a user enrolled."""
        return self._get_list(f"/api/v1/users/{quote(user_id, safe='')}/factors")

    def _get_list(self, path: str) -> list[dict]:
        response, _ = self._fetch(self._url(path, {}), path, 1)
        self.stats.pages += 1
        return self._json(response, path, 1, list)

    def system_log_start(self, since: datetime) -> str:
        """The first polling request of the System Log, as Okta documents polling: ascending,
        no ``until``. Every later request is a ``next`` link Okta sent, never built here."""
        params = {"since": okta_timestamp(since), "sortOrder": "ASCENDING"}
        return self._url(self.LOGS_PATH, params | {"limit": str(self.LOGS_LIMIT)})

    def fetch_system_log_page(self, url: str, page: int = 1) -> tuple[list[dict], str]:
        """One page of a System Log poll and the ``next`` link Okta always sends with it."""
        path = self.LOGS_PATH
        self._check_same_origin(url, path, page)
        response, _ = self._fetch(url, path, page)
        events = self._json(response, path, page, list)
        self.stats.pages += 1
        if self._on_page:
            self._on_page(path, page, len(events))
        next_url = parse_link_header(response.headers.get("Link", "")).get("next")
        if not next_url:
            raise OktaResponseError(
                "Okta's System Log answer had no next link to poll from.", path=path, page=page
            )
        self._check_same_origin(next_url, path, page)
        return events, next_url
