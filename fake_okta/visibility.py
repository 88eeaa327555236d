"""The endpoints the visibility and access review reads, beside the sync's listings:
admin role assignments, MFA factors and the System Log.

The server routes these names here; each answer is (status, body, Link headers), errors in
Okta's shapes. Role assignees page by a ``_links.next`` in the body with an opaque cursor, as
Okta's IAM API does; the System Log pages by ``Link`` (see system_log.py).
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from fake_okta import roles, shapes

if TYPE_CHECKING:
    from fake_okta.server import FakeOkta

ROUTES = [
    (re.compile(r"^/api/v1/logs$"), "logs"),
    (re.compile(r"^/api/v1/iam/assignees/users$"), "role_assignees"),
    (re.compile(r"^/api/v1/users/([^/]+)/roles$"), "user_roles"),
    (re.compile(r"^/api/v1/groups/([^/]+)/roles$"), "group_roles"),
    (re.compile(r"^/api/v1/users/([^/]+)/factors$"), "user_factors"),
]
ENDPOINTS = frozenset(name for _, name in ROUTES)
Reply = tuple[int, Any, list[str]]


def page_number(fake: FakeOkta, endpoint: str, params: dict[str, str]) -> int:
    """Which page of a cursor chain this request asks for, for the fault rules."""
    directory = fake.directory
    if endpoint == "logs":
        return directory.system_log.page_of(params)
    if endpoint == "role_assignees":
        return directory.admin_roles.cursors.get(params.get("after", ""), (0, 1))[1]
    return 1


def serve(fake: FakeOkta, endpoint: str, ids: tuple[str, ...], params: dict[str, str]) -> Reply:
    """Answer one request to a visibility endpoint; the caller holds the directory's lock."""
    directory, base = fake.directory, fake.base_url
    if endpoint == "logs":
        return directory.system_log.serve(params, base)
    if endpoint == "role_assignees":
        return _assignees(fake, params)
    (key,) = ids
    if endpoint == "group_roles":
        if key not in directory.groups:
            return _not_found(f"{key} (UserGroup)")
        return 200, roles.group_roles_body(directory.admin_roles, key, base), []
    if key not in directory.users:
        return _not_found(f"{key} (User)")
    if endpoint == "user_roles":
        return 200, roles.user_roles_body(directory.admin_roles, key, base), []
    factors = directory.admin_roles.factors.get(key, [])
    return 200, [roles.factor_body(factor, key, base) for factor in factors], []


def _assignees(fake: FakeOkta, params: dict[str, str]) -> Reply:
    book = fake.directory.admin_roles
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
        "value": [roles.assignee_body(uid, fake.base_url) for uid in chunk],
        "_links": {},
    }
    if start + limit < len(ids):
        token = secrets.token_urlsafe(12)
        book.cursors[token] = (start + limit, page + 1)
        query = urlencode({"after": token, "limit": limit}, quote_via=quote)
        body["_links"]["next"] = {"href": f"{fake.base_url}/api/v1/iam/assignees/users?{query}"}
    return 200, body, []


def _not_found(detail: str) -> Reply:
    return 404, shapes.error_body("E0000007", detail), []
