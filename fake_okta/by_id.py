"""The by-id reads Okta Event Hooks processing makes, beside the sync's listings: a user's
groups (``GET /api/v1/users/{id}/groups``, by id or by login as Okta documents) and one app user
(``GET /api/v1/apps/{appId}/users/{userId}``, 404 when the user is not assigned).

The server routes these names here; each answer is (status, body, Link headers).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from fake_okta import shapes
from fake_okta.listings import NotFound, single

if TYPE_CHECKING:
    from fake_okta.server import FakeOkta

ROUTES = [
    (re.compile(r"^/api/v1/users/([^/]+)/groups$"), "user_groups"),
    (re.compile(r"^/api/v1/apps/([^/]+)/users/([^/]+)$"), "app_user"),
]
ENDPOINTS = frozenset(name for _, name in ROUTES)
Reply = tuple[int, Any, list[str]]


def serve(fake: FakeOkta, endpoint: str, ids: tuple[str, ...]) -> Reply:
    """Answer one request; the caller holds the directory's lock."""
    directory, base = fake.directory, fake.base_url
    if endpoint == "user_groups":
        try:
            user = directory.users[single(directory, "user", ids[0], base)["id"]]
        except NotFound as exc:
            return 404, shapes.error_body("E0000007", str(exc)), []
        groups = [
            group
            for group in sorted(directory.groups.values(), key=lambda g: g.id)
            if (group.type == "BUILT_IN" and user.status != "DEPROVISIONED")
            or user.id in group.members
        ]
        return 200, [shapes.group_body(g, base, directory.app_id) for g in groups], []
    app_id, user_id = ids
    if app_id not in directory.apps:
        return 404, shapes.error_body("E0000007", f"{app_id} (AppInstance)"), []
    scopes = directory.app_user_scopes(app_id)
    if user_id not in scopes:
        return 404, shapes.error_body("E0000007", f"{user_id} (AppUser)"), []
    return 200, shapes.app_user_body(directory, app_id, user_id, scopes[user_id], base), []
