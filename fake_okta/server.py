"""A real HTTP server on 127.0.0.1 that answers like Okta's Management API, its SAML IdP
pages and its Event Hooks admin API.

Tests talk to it over real sockets, so timeouts, refused connections and Link headers are
exercised exactly as in production. Every request is answered through one routing table
(routes.py) that the endpoint modules fill; the server only parses the request, hands the
handler a ``Request`` whose ``org`` is this ``FakeOkta``, and writes the ``Response``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fake_okta import (
    admin_pages,
    by_id,
    event_hooks_api,
    listing_pages,
    management_api,
    removals,
    saml_pages,
    visibility,
)
from fake_okta.directory import FakeOktaDirectory
from fake_okta.event_hooks import EventHooks
from fake_okta.faults import Faults, RateLimiter
from fake_okta.hook_delivery import Deliveries
from fake_okta.paging import Cursors
from fake_okta.routes import RecordedRequest, Request, Response, RouteTable
from fake_okta.saml_idp import OktaSamlApp

logger = logging.getLogger(__name__)

# Tried in this order; management_api answers what no route matches.
ROUTES = RouteTable(
    saml_pages.ROUTES,
    admin_pages.ROUTES,
    event_hooks_api.ROUTES,
    listing_pages.ROUTES,
    visibility.ROUTES,
    by_id.ROUTES,
    removals.ROUTES,
    management_api.ROUTES,
)


class FakeOkta:
    """The fake org's server; use as a context manager, then read ``base_url``.

    It is the ``routes.Org`` every handler is given: what a test changes here (``token``,
    ``faults``, the directory) the next request sees.
    """

    def __init__(
        self,
        directory: FakeOktaDirectory | None = None,
        *,
        token: str = "fake-okta-token",  # noqa: S107 - the fake's well-known test token
        forbidden_token: str | None = None,
        write_tokens: tuple[str, ...] = ("fake-okta-write-token",),
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
        # Tokens allowed to write (removals.py); the read token gets 403 on a DELETE.
        self.write_tokens = set(write_tokens)
        self.faults = Faults()
        self.rate_limiter = RateLimiter(rate_limit, rate_window, clock, rate_limits)
        self.clock = clock
        self.requests: list[RecordedRequest] = []
        self.cursors = Cursors()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.fake = self  # type: ignore[attr-defined]
        # The QueryPie app as a SAML IdP (fake_okta.saml_pages serves its pages).
        self.saml = OktaSamlApp("exk" + self.directory.app_id[3:], console_url)
        self.saml.base_url = self.base_url
        # Event hooks: the admin API (event_hooks_api.py) and the deliveries of directory changes.
        self.event_hooks = EventHooks(self.base_url)
        self.deliveries = Deliveries(self.event_hooks, self.directory, self.base_url)
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

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_DELETE(self) -> None:
        self._answer()

    def _answer(self) -> None:
        parts = urlsplit(self.path)
        route, ids = ROUTES.find(self.command, parts.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        request = Request(
            org=self.fake,
            method=self.command,
            target=self.path,
            path=parts.path,
            params={name: values[-1] for name, values in query.items()},
            endpoint=route.endpoint,
            ids=ids,
            headers=self.headers,
            body=self.rfile.read(int(self.headers.get("Content-Length") or 0)),
            client_ip=self.client_address[0],
        )
        self._send(route.handler(request))

    def _send(self, response: Response) -> None:
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (read timeout)
