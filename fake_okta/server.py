"""A real HTTP server on 127.0.0.1 that answers like Okta's Management API (GET only).

Tests talk to it over real sockets, so timeouts, refused connections and Link headers are
exercised exactly as in production. It pages with opaque cursors it remembers server-side
and rejects any other, which proves the client never builds a cursor itself.
"""

from __future__ import annotations

import bisect
import json
import logging
import math
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from fake_okta import by_id, event_hooks, saml_pages, shapes, visibility
from fake_okta.directory import FakeOktaDirectory
from fake_okta.expressions import InvalidExpression
from fake_okta.faults import Faults, RateLimiter, RateLimitState
from fake_okta.hook_delivery import Deliveries
from fake_okta.listings import LISTINGS, NotFound, single
from fake_okta.saml_idp import OktaSamlApp

logger = logging.getLogger(__name__)

_ROUTES = [
    (re.compile(r"^/api/v1/users$"), "users"),
    (re.compile(r"^/api/v1/users/([^/]+)$"), "user"),
    (re.compile(r"^/api/v1/groups$"), "groups"),
    (re.compile(r"^/api/v1/groups/([^/]+)$"), "group"),
    (re.compile(r"^/api/v1/groups/([^/]+)/users$"), "group_users"),
    (re.compile(r"^/api/v1/apps$"), "apps"),
    (re.compile(r"^/api/v1/apps/([^/]+)$"), "app"),
    (re.compile(r"^/api/v1/apps/([^/]+)/users$"), "app_users"),
    (re.compile(r"^/api/v1/apps/([^/]+)/groups$"), "app_groups"),
    *visibility.ROUTES,
    *by_id.ROUTES,
]


@dataclass(frozen=True)
class RecordedRequest:
    """What a test may assert on; the Authorization header is deliberately not kept."""

    path: str
    params: dict[str, str]
    endpoint: str
    page: int
    status: int
    user_agent: str = ""


@dataclass(frozen=True)
class _Cursor:
    listing_key: tuple
    last_id: str
    page: int


class _Reply(Exception):
    """Raised inside request handling to answer with an Okta error body."""

    def __init__(self, status: int, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.status, self.code, self.detail = status, code, detail


class FakeOkta:
    """The fake org's server; use as a context manager, then read ``base_url``."""

    def __init__(
        self,
        directory: FakeOktaDirectory | None = None,
        *,
        token: str = "fake-okta-token",  # noqa: S107 - the fake's well-known test token
        forbidden_token: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit: int = 10_000,
        rate_window: float = 60.0,
        rate_limits: dict[str, int] | None = None,
        clock: Callable[[], float] = time.time,
        console_url: str = "http://127.0.0.1:8000",
    ) -> None:
        self.directory = directory or FakeOktaDirectory()
        self.token = token
        self.forbidden_token = forbidden_token
        self.faults = Faults()
        self.rate_limiter = RateLimiter(rate_limit, rate_window, clock, rate_limits)
        self.clock = clock
        self.requests: list[RecordedRequest] = []
        self._cursors: dict[str, _Cursor] = {}
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.fake = self  # type: ignore[attr-defined]
        # The QueryPie app as a SAML IdP (fake_okta.saml_pages serves its pages).
        self.saml = OktaSamlApp("exk" + self.directory.app_id[3:], console_url)
        self.saml.base_url = self.base_url
        # Event hooks: the admin API (event_hooks.py) and the deliveries of directory changes.
        self.event_hooks = event_hooks.EventHooks(self)
        self.deliveries = Deliveries(self)
        self.directory.listeners.append(self.deliveries.on_change)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def app_id(self) -> str:
        return self.directory.app_id

    def start(self) -> FakeOkta:
        # A short poll interval makes stop() quick, which many tests' teardowns wait on.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread (the standalone command) until interrupted."""
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()

    def stop(self) -> None:
        self.deliveries.stop()
        self.directory.listeners.remove(self.deliveries.on_change)
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FakeOkta:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.endpoint == endpoint]

    # Cursor bookkeeping, used by the handler ---------------------------------------------

    def new_cursor(self, cursor: _Cursor) -> str:
        token = secrets.token_urlsafe(18)
        with self._lock:
            self._cursors[token] = cursor
        return token

    def cursor(self, token: str) -> _Cursor | None:
        with self._lock:
            return self._cursors.get(token)

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like Okta behind nginx
    timeout = 10  # idle keep-alive connections are dropped after this
    disable_nagle_algorithm = True  # headers and body go out in two writes

    @property
    def fake(self) -> FakeOkta:
        return self.server.fake  # type: ignore[attr-defined]

    def version_string(self) -> str:
        return "nginx"

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("fake okta: " + format, *args)

    def date_time_string(self, timestamp: float | None = None) -> str:
        return formatdate(self.fake.clock() if timestamp is None else timestamp, usegmt=True)

    def do_POST(self) -> None:
        if saml_pages.route(self):  # the SAML IdP's forms and the key credential actions
            return
        if event_hooks.route(self, "POST"):  # create, verify, (de)activate an event hook
            return
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._rate, self._throttled_reset = None, None
        summary = "The endpoint does not support the provided HTTP method"
        self._send(405, {"errorCode": "E0000022", "errorSummary": summary}, [])

    def do_GET(self) -> None:
        if saml_pages.route(self):  # the SAML IdP's pages and the app's key credentials
            return
        if event_hooks.route(self, "GET"):
            return
        parts = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        endpoint, ids = _route(parts.path)
        page, status = 1, 500
        self._rate: RateLimitState | None = None
        self._throttled_reset: int | None = None
        try:
            self._check_access(parts.path)
            page, cursor = self._page_number(endpoint, ids, params)
            self._apply_faults(endpoint, page, parts.path)
            status, body, links = self._serve(endpoint, ids, params, cursor, page)
        except _Reply as reply:
            status, body, links = reply.status, shapes.error_body(reply.code, reply.detail), []
        agent = self.headers.get("User-Agent", "")
        self.fake.record(RecordedRequest(parts.path, params, endpoint, page, status, agent))
        self._send(status, body, links)

    # Steps --------------------------------------------------------------------------------

    def _check_access(self, path: str) -> None:
        """Token first (a rejected token does not use up the bucket), then the rate limit."""
        bucket = path.split("/")[3] if path.count("/") >= 3 else "other"
        given = self.headers.get("Authorization", "")
        known = given in (f"SSWS {self.fake.token}", f"SSWS {self.fake.forbidden_token}")
        self._rate = self.fake.rate_limiter.hit(bucket, count=known)
        if given != f"SSWS {self.fake.token}":
            raise _Reply(403, "E0000006") if known else _Reply(401, "E0000011")
        if not self._rate.allowed:
            raise _Reply(429, "E0000047")

    def _page_number(
        self, endpoint: str, ids: tuple[str, ...], params: dict[str, str]
    ) -> tuple[int, _Cursor | None]:
        if endpoint in visibility.ENDPOINTS:
            return visibility.page_number(self.fake, endpoint, params), None
        if "after" not in params or endpoint not in LISTINGS:
            return 1, None
        cursor = self.fake.cursor(params["after"])
        if cursor is None or cursor.listing_key != _listing_key(endpoint, ids, params):
            raise _Reply(400, "E0000001", "after: unknown or expired cursor")
        return cursor.page, cursor

    def _apply_faults(self, endpoint: str, page: int, path: str) -> None:
        faults = self.fake.faults
        reset_in = faults.take("throttle", endpoint, page)
        if reset_in is not None:
            self._throttled_reset = math.ceil(self.fake.clock() + reset_in)
            raise _Reply(429, "E0000047")
        delay = faults.take("delay", endpoint, page)
        if delay:
            time.sleep(delay)
        status = faults.take("status", endpoint, page)
        if status:
            raise _Reply(status, "E0000009")
        if faults.take("forbid", endpoint, page):
            raise _Reply(403, "E0000006")
        if endpoint == "unknown":
            raise _Reply(404, "E0000007", f"{path} (Resource)")

    def _serve(
        self,
        endpoint: str,
        ids: tuple[str, ...],
        params: dict[str, str],
        cursor: _Cursor | None,
        page: int,
    ) -> tuple[int, Any, list[str]]:
        directory = self.fake.directory
        base = self.fake.base_url
        try:
            with directory.lock:
                if endpoint in visibility.ENDPOINTS:
                    return visibility.serve(self.fake, endpoint, ids, params)
                if endpoint in by_id.ENDPOINTS:
                    return by_id.serve(self.fake, endpoint, ids)
                if endpoint not in LISTINGS:
                    return 200, single(directory, endpoint, ids[0], base), []
                listing = LISTINGS[endpoint]
                ordered, render = listing.build(directory, ids, params, base)
                limit = _limit(params.get("limit"), listing.default_limit, listing.max_limit)
                start = bisect.bisect_right(ordered, cursor.last_id) if cursor else 0
                chunk = ordered[start : start + limit]
                body = [render(item_id) for item_id in chunk]
        except NotFound as missing:
            raise _Reply(404, "E0000007", str(missing)) from None
        except InvalidExpression:
            raise _Reply(400, "E0000031") from None
        more = start + limit < len(ordered)
        return 200, body, self._links(endpoint, ids, params, chunk, limit, page, more)

    def _links(
        self,
        endpoint: str,
        ids: tuple[str, ...],
        params: dict[str, str],
        chunk: list[str],
        limit: int,
        page: int,
        more: bool,
    ) -> list[str]:
        base, path = self.fake.base_url, urlsplit(self.path).path
        links = [f'<{base}{self.path}>; rel="self"']
        if more and chunk:
            key = _listing_key(endpoint, ids, params)
            after = self.fake.new_cursor(_Cursor(key, chunk[-1], page + 1))
            rest = [(k, v) for k, v in params.items() if k not in ("after", "limit")]
            query = urlencode([("after", after), ("limit", limit), *rest], quote_via=quote)
            links.append(f'<{base}{path}?{query}>; rel="next"')
        elif self.fake.faults.take("loop", endpoint, page):
            links.append(f'<{base}{self.path}>; rel="next"')
        return links

    def _send(self, status: int, body: Any, links: list[str]) -> None:
        payload = json.dumps(body, separators=(",", ":")).encode()
        rate = self._rate or self.fake.rate_limiter.hit("other", count=False)
        reset = self._throttled_reset or rate.reset
        remaining = 0 if status == 429 else rate.remaining
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("x-okta-request-id", secrets.token_urlsafe(20))
            self.send_header("X-Rate-Limit-Limit", str(rate.limit))
            self.send_header("X-Rate-Limit-Remaining", str(remaining))
            self.send_header("X-Rate-Limit-Reset", str(reset))
            for link in links:
                self.send_header("Link", link)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (read timeout)


def _route(path: str) -> tuple[str, tuple[str, ...]]:
    """The endpoint and its path ids, percent-decoded as Okta reads them (`ada%40corp…`)."""
    for pattern, endpoint in _ROUTES:
        match = pattern.match(path)
        if match:
            return endpoint, tuple(unquote(value) for value in match.groups())
    return "unknown", ()


def _listing_key(endpoint: str, ids: tuple[str, ...], params: dict[str, str]) -> tuple:
    """A cursor is valid only for the listing (endpoint, ids, query) that issued it."""
    query = tuple(sorted((k, v) for k, v in params.items() if k not in ("after", "limit")))
    return endpoint, ids, query


def _limit(raw: str | None, default: int, maximum: int) -> int:
    """Okta silently caps ``limit`` at each endpoint's maximum."""
    try:
        wanted = int(raw) if raw is not None else default
    except ValueError:
        raise _Reply(400, "E0000001", "limit") from None
    return max(1, min(wanted, maximum))
