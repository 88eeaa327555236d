"""The sync's reads: users, groups, apps and their members as listings paged with opaque
cursors and ``Link`` headers, and single users, groups and apps.

A cursor is valid only for the listing (endpoint, ids, query) that issued it; ``limit`` is
silently capped at each endpoint's maximum, as Okta does.
"""

from __future__ import annotations

import bisect
from urllib.parse import quote, urlencode

from fake_okta.expressions import InvalidExpression
from fake_okta.listings import LISTINGS, NotFound, single
from fake_okta.management_api import Answer, read
from fake_okta.paging import Cursor
from fake_okta.routes import Request, RouteTable
from fake_okta.shapes import OktaError

ROUTES = RouteTable()
PATHS = [
    (r"^/api/v1/users$", "users"),
    (r"^/api/v1/users/([^/]+)$", "user"),
    (r"^/api/v1/groups$", "groups"),
    (r"^/api/v1/groups/([^/]+)$", "group"),
    (r"^/api/v1/groups/([^/]+)/users$", "group_users"),
    (r"^/api/v1/apps$", "apps"),
    (r"^/api/v1/apps/([^/]+)$", "app"),
    (r"^/api/v1/apps/([^/]+)/users$", "app_users"),
    (r"^/api/v1/apps/([^/]+)/groups$", "app_groups"),
]


def _cursor(request: Request) -> Cursor | None:
    if "after" not in request.params:
        return None
    cursor = request.org.cursors.get(request.params["after"])
    if cursor is None or cursor.listing_key != _listing_key(request):
        raise OktaError(400, "E0000001", "after: unknown or expired cursor")
    return cursor


def _page_of(request: Request) -> int:
    cursor = _cursor(request)
    return cursor.page if cursor else 1


def _listing(request: Request, page: int) -> Answer:
    """One page of a listing, and a ``next`` link with a new cursor when more follow."""
    org, params = request.org, request.params
    listing = LISTINGS[request.endpoint]
    try:
        ordered, render = listing.build(org.directory, request.ids, params, org.base_url)
    except NotFound as missing:
        raise OktaError(404, "E0000007", str(missing)) from None
    except InvalidExpression:
        raise OktaError(400, "E0000031") from None
    limit = _limit(params.get("limit"), listing.default_limit, listing.max_limit)
    cursor = _cursor(request)
    start = bisect.bisect_right(ordered, cursor.last_id) if cursor else 0
    chunk = ordered[start : start + limit]
    links = [f'<{org.base_url}{request.target}>; rel="self"']
    if start + limit < len(ordered) and chunk:
        after = org.cursors.issue(Cursor(_listing_key(request), chunk[-1], page + 1))
        rest = [(k, v) for k, v in params.items() if k not in ("after", "limit")]
        query = urlencode([("after", after), ("limit", limit), *rest], quote_via=quote)
        links.append(f'<{org.base_url}{request.path}?{query}>; rel="next"')
    elif org.faults.take("loop", request.endpoint, page):
        links.append(f'<{org.base_url}{request.target}>; rel="next"')
    return 200, [render(item_id) for item_id in chunk], links


def _single(request: Request, _page: int) -> Answer:
    org = request.org
    try:
        return 200, single(org.directory, request.endpoint, request.ids[0], org.base_url), []
    except NotFound as missing:
        raise OktaError(404, "E0000007", str(missing)) from None


def _listing_key(request: Request) -> tuple:
    """The listing a cursor belongs to: endpoint, ids and query without paging."""
    params = request.params
    query = tuple(sorted((k, v) for k, v in params.items() if k not in ("after", "limit")))
    return request.endpoint, request.ids, query


def _limit(raw: str | None, default: int, maximum: int) -> int:
    """Okta silently caps ``limit`` at each endpoint's maximum."""
    try:
        wanted = int(raw) if raw is not None else default
    except ValueError:
        raise OktaError(400, "E0000001", "limit") from None
    return max(1, min(wanted, maximum))


for _pattern, _endpoint in PATHS:
    if _endpoint in LISTINGS:
        read(ROUTES, _pattern, _endpoint, page_of=_page_of)(_listing)
    else:
        read(ROUTES, _pattern, _endpoint)(_single)
