"""The endpoints the visibility and access review reads, beside the sync's listings:
admin role assignments, MFA factors and the System Log.

They are Management API reads (management_api.py checks the token, the rate limit and the
faults); each answer is (status, body, Link headers), errors in Okta's shapes. Role assignees
page by a ``_links.next`` in the body with an opaque cursor, as Okta's IAM API does; the System
Log pages by ``Link`` (see system_log.py).
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote, urlencode

from fake_okta import roles, shapes
from fake_okta.management_api import Answer, read
from fake_okta.routes import Request, RouteTable

ROUTES = RouteTable()


def _log_page(request: Request) -> int:
    return request.org.directory.system_log.page_of(request.params)


def _assignees_page(request: Request) -> int:
    cursors = request.org.directory.admin_roles.cursors
    return cursors.get(request.params.get("after", ""), (0, 1))[1]


@read(ROUTES, r"^/api/v1/logs$", "logs", page_of=_log_page)
def logs(request: Request, _page: int) -> Answer:
    return request.org.directory.system_log.serve(request.params, request.org.base_url)


@read(ROUTES, r"^/api/v1/iam/assignees/users$", "role_assignees", page_of=_assignees_page)
def role_assignees(request: Request, _page: int) -> Answer:
    org, params = request.org, request.params
    book = org.directory.admin_roles
    if "after" in params and params["after"] not in book.cursors:
        return 400, shapes.error_body("E0000001", "after: unknown or expired cursor"), []
    try:
        limit = max(1, min(int(params.get("limit", roles.ASSIGNEES_DEFAULT_LIMIT)), 100))
    except ValueError:
        return 400, shapes.error_body("E0000001", "limit"), []
    start, page = book.cursors.get(params.get("after", ""), (0, 1))
    ids = book.assignee_ids()
    chunk = ids[start : start + limit]
    body: dict[str, Any] = {
        "value": [roles.assignee_body(uid, org.base_url) for uid in chunk],
        "_links": {},
    }
    if start + limit < len(ids):
        token = secrets.token_urlsafe(12)
        book.cursors[token] = (start + limit, page + 1)
        query = urlencode({"after": token, "limit": limit}, quote_via=quote)
        body["_links"]["next"] = {"href": f"{org.base_url}/api/v1/iam/assignees/users?{query}"}
    return 200, body, []


@read(ROUTES, r"^/api/v1/users/([^/]+)/roles$", "user_roles")
def user_roles(request: Request, _page: int) -> Answer:
    directory, (user_id,) = request.org.directory, request.ids
    if user_id not in directory.users:
        return _not_found(f"{user_id} (User)")
    return 200, roles.user_roles_body(directory.admin_roles, user_id, request.org.base_url), []


@read(ROUTES, r"^/api/v1/groups/([^/]+)/roles$", "group_roles")
def group_roles(request: Request, _page: int) -> Answer:
    directory, (group_id,) = request.org.directory, request.ids
    if group_id not in directory.groups:
        return _not_found(f"{group_id} (UserGroup)")
    return 200, roles.group_roles_body(directory.admin_roles, group_id, request.org.base_url), []


@read(ROUTES, r"^/api/v1/users/([^/]+)/factors$", "user_factors")
def user_factors(request: Request, _page: int) -> Answer:
    directory, (user_id,) = request.org.directory, request.ids
    if user_id not in directory.users:
        return _not_found(f"{user_id} (User)")
    factors = directory.admin_roles.factors.get(user_id, [])
    return 200, [roles.factor_body(f, user_id, request.org.base_url) for f in factors], []


def _not_found(detail: str) -> Answer:
    return 404, shapes.error_body("E0000007", detail), []
