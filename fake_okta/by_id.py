"""The by-id reads Okta Event Hooks processing makes, beside the sync's listings: a user's
groups (``GET /api/v1/users/{id}/groups``, by id or by login as Okta documents) and one app user
(``GET /api/v1/apps/{appId}/users/{userId}``, 404 when the user is not assigned).

They are Management API reads (management_api.py checks the token, the rate limit and the
faults); each answer is (status, body, Link headers).
"""

from __future__ import annotations

from fake_okta import shapes
from fake_okta.listings import NotFound, single
from fake_okta.management_api import Answer, read
from fake_okta.routes import Request, RouteTable

ROUTES = RouteTable()


@read(ROUTES, r"^/api/v1/users/([^/]+)/groups$", "user_groups")
def user_groups(request: Request, _page: int) -> Answer:
    """The user's groups, Everyone included unless the user is deprovisioned."""
    directory, base = request.org.directory, request.org.base_url
    try:
        user = directory.users[single(directory, "user", request.ids[0], base)["id"]]
    except NotFound as exc:
        return 404, shapes.error_body("E0000007", str(exc)), []
    groups = [
        group
        for group in sorted(directory.groups.values(), key=lambda g: g.id)
        if (group.type == "BUILT_IN" and user.status != "DEPROVISIONED") or user.id in group.members
    ]
    return 200, [shapes.group_body(g, base, directory.app_id) for g in groups], []


@read(ROUTES, r"^/api/v1/apps/([^/]+)/users/([^/]+)$", "app_user")
def app_user(request: Request, _page: int) -> Answer:
    """One app user, 404 when the user is not assigned (directly or through a group)."""
    directory, base = request.org.directory, request.org.base_url
    app_id, user_id = request.ids
    if app_id not in directory.apps:
        return 404, shapes.error_body("E0000007", f"{app_id} (AppInstance)"), []
    scopes = directory.app_user_scopes(app_id)
    if user_id not in scopes:
        return 404, shapes.error_body("E0000007", f"{user_id} (AppUser)"), []
    return 200, shapes.app_user_body(directory, app_id, user_id, scopes[user_id], base), []
