"""The Management API's common steps around each endpoint's answer: the SSWS token, the
rate-limit bucket, the faults a test armed, the recorded request, and Okta's JSON reply with
its rate-limit and Link headers.

Endpoint modules register their reads with ``read``; this module's own table answers what no
route matches (404 to a GET, once the token and faults let it through; 405 to a POST).
"""

from __future__ import annotations

import json
import math
import secrets
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from fake_okta.faults import RateLimitState
from fake_okta.routes import Org, RecordedRequest, Request, Response, RouteTable
from fake_okta.shapes import OktaError

Answer = tuple[int, Any, list[str]]  # status, JSON body, Link headers
Serve = Callable[[Request, int], Answer]  # the request and its page along a cursor chain
PageOf = Callable[[Request], int]

ROUTES = RouteTable()


def first_page(_request: Request) -> int:
    return 1


def read(
    table: RouteTable, pattern: str, endpoint: str, *, page_of: PageOf = first_page
) -> Callable[[Serve], Serve]:
    """Decorator: a GET of the Management API that ``serve`` answers under the directory's
    lock, once the token, the rate limit and the faults let it through; ``page_of`` says
    which page of a cursor chain it asks for (the faults and the recorded request use it)."""

    def register(serve: Serve) -> Serve:
        table.add("GET", pattern, endpoint)(partial(answer, serve=serve, page_of=page_of))
        return serve

    return register


def answer(request: Request, *, serve: Serve, page_of: PageOf) -> Response:
    """Token first (a rejected token does not use up the bucket), then the rate limit, the
    cursor, the faults and the endpoint's answer; every request is recorded."""
    org = request.org
    given = request.headers.get("Authorization", "")
    known = given in (f"SSWS {org.token}", f"SSWS {org.forbidden_token}")
    rate = org.rate_limiter.hit(bucket(request.path), count=known)
    page, reset = 1, None
    try:
        if given != f"SSWS {org.token}":
            raise OktaError(403, "E0000006") if known else OktaError(401, "E0000011")
        if not rate.allowed:
            raise OktaError(429, "E0000047")
        page = page_of(request)
        apply_faults(request, page)
        with org.directory.lock:
            status, body, links = serve(request, page)
    except OktaError as error:
        status, body, links, reset = error.status, error.body(), [], error.reset
    record(request, page, status)
    return json_response(org, status, body, links, rate=rate, reset=reset)


def record(request: Request, page: int, status: int, *, params: dict | None = None) -> None:
    """What a test may assert on; ``params`` replaces the query's when given."""
    kept = request.params if params is None else params
    agent = request.user_agent
    request.org.record(RecordedRequest(request.path, kept, request.endpoint, page, status, agent))


def json_response(
    org: Org,
    status: int,
    body: Any,
    links: list[str] | None = None,
    *,
    rate: RateLimitState | None = None,
    reset: int | None = None,
) -> Response:
    """Okta's JSON answer; without ``rate`` (no bucket used) the ``other`` bucket's headers."""
    rate = rate or org.rate_limiter.hit("other", count=False)
    headers = [
        ("x-okta-request-id", secrets.token_urlsafe(20)),
        ("X-Rate-Limit-Limit", str(rate.limit)),
        ("X-Rate-Limit-Remaining", str(0 if status == 429 else rate.remaining)),
        ("X-Rate-Limit-Reset", str(reset or rate.reset)),
    ]
    headers += [("Link", link) for link in links or []]
    payload = json.dumps(body, separators=(",", ":")).encode()
    return Response(status, payload, "application/json;charset=UTF-8", headers)


def bucket(path: str) -> str:
    return path.split("/")[3] if path.count("/") >= 3 else "other"


def apply_faults(request: Request, page: int) -> None:
    faults, endpoint = request.org.faults, request.endpoint
    reset_in = faults.take("throttle", endpoint, page)
    if reset_in is not None:
        raise OktaError(429, "E0000047", reset=math.ceil(request.org.clock() + reset_in))
    delay = faults.take("delay", endpoint, page)
    if delay:
        time.sleep(delay)
    status = faults.take("status", endpoint, page)
    if status:
        raise OktaError(status, "E0000009")
    if faults.take("forbid", endpoint, page):
        raise OktaError(403, "E0000006")


def _not_found(request: Request, _page: int) -> Answer:
    raise OktaError(404, "E0000007", f"{request.path} (Resource)")


ROUTES.otherwise("GET", "unknown")(partial(answer, serve=_not_found, page_of=first_page))


@ROUTES.otherwise("POST", "unknown")
def not_allowed(request: Request) -> Response:
    summary = "The endpoint does not support the provided HTTP method"
    return json_response(request.org, 405, {"errorCode": "E0000022", "errorSummary": summary})
