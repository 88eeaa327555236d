"""The System Log, polled as Okta documents it: one first request, then every ``next`` link
Okta sends, never a URL built here."""

from datetime import datetime

from ..errors import OktaResponseError
from ..wire import okta_timestamp, parse_link_header


class SystemLog:
    LOGS_PATH = "/api/v1/logs"
    LOGS_LIMIT = 1000  # the System Log's largest page

    def system_log_start(self, since: datetime) -> str:
        """The first polling request: ascending, no ``until``."""
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
