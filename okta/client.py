"""The client of the Okta Management API, used by every feature that talks to Okta.

Plain Python on ``requests`` (no Django) so it can be tested against the fake Okta server
without a database. It follows Okta's ``Link`` headers verbatim because the ``after`` cursor
is opaque, and keeps to a share of each rate-limit bucket because the same org-wide limits
also serve the customer's other integrations and admins.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import requests

from querypie_admin import outbound

from .address import is_well_formed_token, loopback_allowed, normalize_okta_base_url
from .endpoints.admin_roles import AdminRolesAndFactors
from .endpoints.app_keys import AppKeys
from .endpoints.apps import Apps
from .endpoints.event_hooks import EventHooks
from .endpoints.remediation import Remediation
from .endpoints.system_log import SystemLog
from .endpoints.users_groups import UsersAndGroups
from .errors import (
    OktaNetworkError,
    OktaNotFoundError,
    OktaRateLimitError,
    OktaResponseError,
    error_from_exception,
    error_from_response,
)
from .read_ahead import read_ahead
from .wire import parse_json, parse_link_header

logger = logging.getLogger(__name__)

USER_AGENT = "querypie-admin-okta-sync/1.0"

_LIMIT_PARAM_RE = re.compile(r"(^|&)limit=(\d+)")
_NO_RETRY_NETWORK_KINDS = {"unknown_host", "tls"}
# The connection check behind Dry Run and Save Changes answers within this, retries included.
CONNECTION_CHECK_SECONDS = 10.0

ProgressCallback = Callable[[str, int, int], None]


@dataclass
class OktaClientStats:
    """Counters for the sync's progress display and run log."""

    requests: int = 0
    pages: int = 0
    retries: int = 0
    rate_limit_waits: int = 0
    pacing_waits: int = 0
    waited_seconds: float = 0.0


@dataclass
class _Bucket:
    limit: int
    remaining: int
    resets_at: float  # on this client's clock


class _SswsAuth(requests.auth.AuthBase):
    """Sets the SSWS header; an auth object also stops requests from applying ~/.netrc."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"SSWS {self._token}"
        return request

    def __repr__(self) -> str:
        return "<SSWS token hidden>"


class OktaClient(
    UsersAndGroups, Apps, AdminRolesAndFactors, SystemLog, AppKeys, EventHooks, Remediation
):
    """Sequential, paging, rate-limit-aware client of one Okta org; its endpoints come from
    one mixin per family (okta/endpoints/), this class gives them the transport."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        max_retries: int = 4,
        rate_limit_share: float = 0.5,
        backoff_seconds: float = 0.5,
        jitter_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        on_page: ProgressCallback | None = None,
        deadline: float | None = None,
    ) -> None:
        """``deadline``: seconds within which everything this client does must finish
        (a connection check); each request is bounded by connect + read timeout anyway."""
        self.base_url = normalize_okta_base_url(base_url)
        token = token.strip()
        if not is_well_formed_token(token):
            # Checked here because requests would quote a bad header value, token and all.
            raise ValueError("The API token is empty or contains spaces or control characters.")
        self.timeout = (connect_timeout, read_timeout)
        self.max_retries = max_retries
        self.rate_limit_share = rate_limit_share
        self.backoff_seconds = backoff_seconds
        self.jitter_seconds = jitter_seconds
        self.stats = OktaClientStats()
        self._sleep = sleep
        self._clock = clock
        self._on_page = on_page
        self._buckets: dict[str, _Bucket] = {}
        # Every connection is checked after DNS and every request has an overall deadline.
        self._session = outbound.OutboundSession(
            allow_loopback=loopback_allowed(), call_seconds=connect_timeout + read_timeout
        )
        self.deadline = deadline
        if deadline is not None:
            self._session.until = time.monotonic() + deadline
        self._session.auth = _SswsAuth(token)
        self._session.headers.update({"Accept": "application/json", "User-Agent": USER_AGENT})

    def __repr__(self) -> str:
        return f"<OktaClient {self.base_url}>"

    def __enter__(self) -> OktaClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    # Endpoints -------------------------------------------------------------------------

    def check_credentials(self) -> None:
        """Raise the matching ``OktaError`` unless the address and token work.

        Lists one user: the cheapest call a read-only, minimally privileged token may make.
        """
        self._fetch(self._url("/api/v1/users", {"limit": "1"}), "/api/v1/users", 1)

    def _get(self, path: str) -> dict:
        response, _ = self._fetch(self._url(path, {}), path, 1)
        return self._json(response, path, 1, dict)

    def _get_or_none(self, path: str) -> dict | None:
        """A by-id read where a 404 is an answer (the object is gone), not an error."""
        try:
            return self._get(path)
        except OktaNotFoundError:
            return None

    def _get_list(self, path: str) -> list[dict]:
        response, _ = self._fetch(self._url(path, {}), path, 1)
        self.stats.pages += 1
        return self._json(response, path, 1, list)

    def _post(self, path: str, body: dict[str, Any] | None = None) -> dict:
        """A write call: never retried, since a create is not idempotent."""
        response = self._write("POST", path, body, ok=(200, 201))
        return self._json(response, path, 1, dict)

    def _delete(self, path: str) -> None:
        """A removal: one try; a failure is kept by the caller, who may try again later."""
        self._write("DELETE", path, None, ok=(200, 204))

    def _write(
        self, method: str, path: str, body: dict[str, Any] | None, *, ok: tuple[int, ...]
    ) -> requests.Response:
        self.stats.requests += 1
        host = urlsplit(self.base_url).netloc
        try:
            response = self._session.request(
                method, self._url(path, {}), json=body, timeout=self.timeout, allow_redirects=False
            )
        except outbound.Refused as exc:
            raise OktaNetworkError(str(exc), path=path, page=1, kind="connection") from None
        except requests.RequestException as exc:
            raise error_from_exception(exc, host, self.timeout[1], path, 1) from exc
        if response.status_code not in ok:
            raise error_from_response(response, path, 1, 0)
        return response

    # Paging ----------------------------------------------------------------------------

    def _url(self, path: str, params: dict[str, str | None]) -> str:
        query = urlencode({k: v for k, v in params.items() if v is not None}, quote_via=quote)
        return f"{self.base_url}{path}{'?' if query else ''}{query}"

    def _paginate(
        self, path: str, params: dict[str, str | None], *, ahead: bool = False
    ) -> Iterator[dict]:
        pages = self._pages(path, params)
        for page, items in read_ahead(pages) if ahead else pages:
            self.stats.pages += 1
            if self._on_page:  # in the caller's thread, which owns the run's connection
                self._on_page(path, page, len(items))
            yield from items

    def _pages(self, path: str, params: dict[str, str | None]) -> Iterator[tuple[int, list]]:
        """(page number, its items) along Okta's next links."""
        url, page = self._url(path, params), 1
        while True:
            response, url = self._fetch(url, path, page)
            yield page, self._json(response, path, page, list)
            links = parse_link_header(response.headers.get("Link", ""))
            next_url = links.get("next")
            if not next_url or next_url in (url, links.get("self")):
                return
            self._check_same_origin(next_url, path, page)
            url, page = next_url, page + 1

    def _check_same_origin(self, url: str, path: str, page: int) -> None:
        origin = urlunsplit((*urlsplit(url)[:2], "", "", ""))
        if origin.lower() != self.base_url.lower():
            raise OktaResponseError(
                "Okta's next-page link points to another host; the token is not sent there.",
                path=path,
                page=page,
            )

    def _json(self, response: requests.Response, path: str, page: int, kind: type) -> Any:
        body = parse_json(response.content, response.json)
        if not isinstance(body, kind):
            raise OktaResponseError(
                "Okta's answer was not the expected JSON.", path=path, page=page
            )
        return body

    # One request with retries ---------------------------------------------------------

    def _fetch(self, url: str, path: str, page: int) -> tuple[requests.Response, str]:
        """GET ``url``; wait out 429s, retry 5xx and network hiccups, fail fast on the rest."""
        bucket = path.split("/")[3]
        failures = throttled = 0
        shrunk = False
        while True:
            self._pace(bucket)
            response = self._send(url, path, page, failures)
            if response is None:
                failures += 1
                self._back_off(failures)
                continue
            self._remember_rate_limit(bucket, response)
            status = response.status_code
            logger.debug("Okta GET %s page %d -> %d", path, page, status)
            if status == 200:
                return response, url
            if status == 429:
                throttled += 1
                self._wait_out_429(bucket, throttled, path, page)
            elif status >= 500 and failures < self.max_retries:
                failures += 1
                self._back_off(failures)
            elif status == 500 and not shrunk:
                shrunk, url = True, _halve_limit(url)
                self._back_off(failures)
            else:
                raise error_from_response(response, path, page, self.max_retries)

    def _send(self, url: str, path: str, page: int, failures: int) -> requests.Response | None:
        """One GET; ``None`` means a transient network error worth another try."""
        self.stats.requests += 1
        host = urlsplit(self.base_url).netloc
        try:
            return self._session.get(url, timeout=self.timeout, allow_redirects=False)
        except outbound.Refused as exc:  # never retried: the address will not change
            raise OktaNetworkError(str(exc), path=path, page=page, kind="connection") from None
        except requests.RequestException as exc:
            seconds = min(self.deadline or self.timeout[1], self.timeout[1])
            error = error_from_exception(exc, host, seconds, path, page)
            logger.warning("Okta GET %s page %d failed: %s", path, page, error.kind)
            no_retry = error.kind in _NO_RETRY_NETWORK_KINDS or self._session.out_of_time()
            if no_retry or failures >= self.max_retries:
                raise error from exc
            return None

    def _back_off(self, failures: int) -> None:
        self.stats.retries += 1
        self._sleep(self.backoff_seconds * 2 ** (failures - 1) + self._jitter())

    def _jitter(self) -> float:
        return random.uniform(0, self.jitter_seconds) if self.jitter_seconds else 0.0

    # Rate limits ----------------------------------------------------------------------

    def _remember_rate_limit(self, bucket: str, response: requests.Response) -> None:
        headers = response.headers
        try:
            limit = int(headers["X-Rate-Limit-Limit"])
            remaining = int(headers["X-Rate-Limit-Remaining"])
            reset = int(headers["X-Rate-Limit-Reset"])
        except (KeyError, ValueError):
            return
        self._buckets[bucket] = _Bucket(
            limit, remaining, self._clock() + self._until(reset, headers)
        )

    def _until(self, reset: int, headers: Any) -> float:
        """Seconds until ``reset``, measured against Okta's own Date so clock skew is harmless."""
        try:
            server_now = parsedate_to_datetime(headers["Date"]).timestamp()
        except (KeyError, TypeError, ValueError):
            server_now = self._clock()
        return max(0.0, reset - server_now)

    def _pace(self, bucket: str) -> None:
        """Sleep until the window resets once this client has used its share of the bucket."""
        state = self._buckets.get(bucket)
        now = self._clock()
        if not state or state.resets_at <= now:
            return
        if state.remaining > state.limit * (1 - self.rate_limit_share):
            return
        self.stats.pacing_waits += 1
        self._wait(state.resets_at - now + self._jitter(), bucket)

    def _wait_out_429(self, bucket: str, throttled: int, path: str, page: int) -> None:
        if throttled > self.max_retries:
            raise OktaRateLimitError(
                "Okta's rate limit stayed exhausted (E0000047) after every wait; try again later.",
                path=path,
                page=page,
                status=429,
                error_code="E0000047",
            )
        self.stats.rate_limit_waits += 1
        state = self._buckets.get(bucket)
        delay = state.resets_at - self._clock() if state else 0.0
        self._wait(max(delay, self.backoff_seconds) + self._jitter(), bucket)

    def _wait(self, seconds: float, bucket: str) -> None:
        logger.info("Waiting %.1fs for Okta's %s rate limit to reset", seconds, bucket)
        self.stats.waited_seconds += seconds
        self._sleep(seconds)
        self._buckets.pop(bucket, None)


def _halve_limit(url: str) -> str:
    """Same request with half the page size: a 500 on a big page often passes on a small one.

    Only the ``limit`` value is rewritten, in place, so an opaque cursor stays byte-for-byte.
    """
    parts = urlsplit(url)
    query = _LIMIT_PARAM_RE.sub(lambda m: f"{m[1]}limit={max(1, int(m[2]) // 2)}", parts.query)
    return urlunsplit(parts._replace(query=query))
