"""The routes of Okta's Event Hooks admin API (event_hooks.py answers): a GET or a POST with
the SSWS token, no rate-limit bucket used, recorded as endpoint ``event_hooks``; a test may
forbid it (403) like any endpoint.
"""

from __future__ import annotations

import json
from typing import Any

from fake_okta import shapes
from fake_okta.event_hooks import Reply
from fake_okta.management_api import json_response, record
from fake_okta.routes import Request, Response, RouteTable

ROUTES = RouteTable()
PATH = r"^/api/v1/eventHooks(?:/([^/]+)(?:/lifecycle/(verify|activate|deactivate))?)?$"


@ROUTES.add(("GET", "POST"), PATH, "event_hooks")
def event_hooks(request: Request) -> Response:
    """The ids are () for the collection, (hook id,) or (hook id, lifecycle action)."""
    status, body = _checked(request)
    record(request, 1, status, params={})
    return json_response(request.org, status, body)


def _checked(request: Request) -> Reply:
    org = request.org
    given = request.headers.get("Authorization", "")
    if given == f"SSWS {org.forbidden_token}" or org.faults.take("forbid", "event_hooks", 1):
        return 403, shapes.error_body("E0000006")
    if given != f"SSWS {org.token}":
        return 401, shapes.error_body("E0000011")
    hook_id, action = (*request.ids, None, None)[:2]
    body: Any = None
    if request.method == "POST" and hook_id is None:
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            return 400, shapes.error_body("E0000001", "the body is not JSON")
    return org.event_hooks.answer(request.method, hook_id, action, body)
