"""The fake's routing table: (method, path pattern) -> handler, and what a handler receives.

Each endpoint module fills its own ``RouteTable``; server.py joins them in the order they are
tried and answers every request through the joined table. A handler is given a ``Request``:
the request as parsed, and ``org``, what it may use of the server that answers (the directory,
the faults, the clock, the recorded requests…). ``FakeOkta`` is such an ``Org``, so no endpoint
module imports the server.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from typing import Protocol
from urllib.parse import unquote

from fake_okta.directory import FakeOktaDirectory
from fake_okta.event_hooks import EventHooks
from fake_okta.faults import Faults, RateLimiter
from fake_okta.hook_delivery import Deliveries
from fake_okta.paging import Cursors
from fake_okta.saml_idp import OktaSamlApp


@dataclass(frozen=True)
class RecordedRequest:
    """What a test may assert on; the Authorization header is deliberately not kept."""

    path: str
    params: dict[str, str]
    endpoint: str
    page: int
    status: int
    user_agent: str = ""


class Org(Protocol):
    """What endpoints use of the server: the fake org, the test's controls, its records."""

    directory: FakeOktaDirectory
    token: str
    forbidden_token: str | None
    write_tokens: set[str]
    faults: Faults
    rate_limiter: RateLimiter
    clock: Callable[[], float]
    cursors: Cursors
    saml: OktaSamlApp
    event_hooks: EventHooks
    deliveries: Deliveries

    @property
    def base_url(self) -> str: ...

    def record(self, request: RecordedRequest) -> None: ...


@dataclass(frozen=True)
class Request:
    """One request as a handler sees it."""

    org: Org
    method: str
    target: str  # the path and query as sent (a Link's rel="self")
    path: str
    params: dict[str, str]  # the query, last value of each name, blanks kept
    endpoint: str  # the route's name: faults and recorded requests use it
    ids: tuple[str, ...]  # the pattern's groups, percent-decoded as Okta reads them
    headers: Message
    body: bytes
    client_ip: str = ""  # the caller's address, as Okta logs it in client.ipAddress

    @property
    def user_agent(self) -> str:
        return self.headers.get("User-Agent", "")


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str
    headers: list[tuple[str, str]] = field(default_factory=list)


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Route:
    methods: frozenset[str]
    pattern: re.Pattern[str]
    endpoint: str
    handler: Handler


class RouteTable:
    """Routes tried in the order they were added, and what answers a method no route matches."""

    def __init__(self, *tables: RouteTable) -> None:
        """An empty table, or the tables given joined in their order."""
        self.routes: list[Route] = [route for table in tables for route in table.routes]
        self.fallbacks: dict[str, Route] = {}
        for table in tables:
            for method, route in table.fallbacks.items():
                if method in self.fallbacks:
                    raise ValueError(f"two fallbacks for {method}")
                self.fallbacks[method] = route

    def add(
        self, methods: str | tuple[str, ...], pattern: str, endpoint: str
    ) -> Callable[[Handler], Handler]:
        """Decorator: ``handler`` answers ``methods`` on paths that ``pattern`` matches."""
        wanted = frozenset((methods,) if isinstance(methods, str) else methods)

        def register(handler: Handler) -> Handler:
            self.routes.append(Route(wanted, re.compile(pattern), endpoint, handler))
            return handler

        return register

    def otherwise(self, method: str, endpoint: str) -> Callable[[Handler], Handler]:
        """Decorator: ``handler`` answers ``method`` on any path no route matches."""

        def register(handler: Handler) -> Handler:
            self.fallbacks[method] = Route(frozenset((method,)), re.compile(""), endpoint, handler)
            return handler

        return register

    def find(self, method: str, path: str) -> tuple[Route, tuple[str, ...]]:
        """The first route for ``method`` matching ``path``, with its ids, else the fallback;
        optional groups that did not match are left out of the ids."""
        for route in self.routes:
            match = route.pattern.match(path) if method in route.methods else None
            if match:
                return route, tuple(unquote(v) for v in match.groups() if v is not None)
        return self.fallbacks[method], ()
