"""JSON bodies in Okta's exact shapes (as recorded in Okta's SDK test cassettes)."""

from __future__ import annotations

import secrets
from typing import Any

from fake_okta.directory import FakeOktaDirectory
from fake_okta.model import App, AppGroupAssignment, Group, User

USER_TYPE_ID = "otyfakeoktadefault01"
ERROR_SUMMARIES = {
    "E0000001": "Api validation failed: {detail}",
    "E0000006": "You do not have permission to perform the requested action",
    "E0000007": "Not found: Resource not found: {detail}",
    "E0000011": "Invalid token provided",
    "E0000031": "Invalid search criteria.",
    "E0000047": "API call exceeded rate limit due to too many requests.",
    "E0000009": "Internal Server Error",
}


class OktaError(Exception):
    """Raised while answering a Management API request: answer with Okta's error body.

    ``reset`` is the ``X-Rate-Limit-Reset`` a throttled answer carries instead of the bucket's.
    """

    def __init__(self, status: int, code: str, detail: str = "", *, reset: int | None = None):
        super().__init__(code)
        self.status, self.code, self.detail, self.reset = status, code, detail, reset

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.detail)


def error_body(code: str, detail: str = "") -> dict[str, Any]:
    return {
        "errorCode": code,
        "errorSummary": ERROR_SUMMARIES[code].format(detail=detail),
        "errorLink": code,
        "errorId": "oae" + secrets.token_urlsafe(16)[:22],
        "errorCauses": [],
    }


def user_body(user: User, base: str) -> dict[str, Any]:
    href = f"{base}/api/v1/users/{user.id}"
    return {
        "id": user.id,
        "status": user.status,
        "created": user.created,
        "activated": user.activated,
        "statusChanged": user.status_changed,
        "lastLogin": user.last_login,
        "lastUpdated": user.last_updated,
        "passwordChanged": user.password_changed,
        "type": {"id": USER_TYPE_ID},
        "profile": user.profile,
        "credentials": {
            "password": {},
            "emails": [
                {"value": user.profile.get("email"), "status": "VERIFIED", "type": "PRIMARY"}
            ],
            "provider": {"type": "OKTA", "name": "OKTA"},
        },
        "_links": {"self": {"href": href}},
    }


def group_body(group: Group, base: str, app_id: str) -> dict[str, Any]:
    href = f"{base}/api/v1/groups/{group.id}"
    body = {
        "id": group.id,
        "created": group.created,
        "lastUpdated": group.last_updated,
        "lastMembershipUpdated": group.last_membership_updated,
        "objectClass": ["okta:user_group"],
        "type": group.type,
        "profile": {"name": group.name, "description": group.description},
        "_links": {"users": {"href": f"{href}/users"}, "apps": {"href": f"{href}/apps"}},
    }
    if group.type == "APP_GROUP":
        body["source"] = {"id": app_id}
    return body


def app_body(app: App, base: str) -> dict[str, Any]:
    href = f"{base}/api/v1/apps/{app.id}"
    return {
        "id": app.id,
        "name": app.name,
        "label": app.label,
        "status": app.status,
        "lastUpdated": app.last_updated,
        "created": app.created,
        "accessibility": {"selfService": False, "errorRedirectUrl": None, "loginRedirectUrl": None},
        "visibility": {"autoSubmitToolbar": False, "hide": {"iOS": False, "web": False}},
        "features": [],
        "signOnMode": app.sign_on_mode,
        "credentials": {
            "userNameTemplate": {"template": "${source.login}", "type": "BUILT_IN"},
            "signing": {},
        },
        "settings": {"app": {}},
        "_links": {
            "users": {"href": f"{href}/users"},
            "groups": {"href": f"{href}/groups"},
            "self": {"href": href},
        },
    }


def app_user_body(
    directory: FakeOktaDirectory, app_id: str, user_id: str, scope: tuple, base: str
) -> dict[str, Any]:
    """The app user: its profile is QueryPie's mapping (email becomes loginId)."""
    user = directory.users[user_id]
    kind, created, group_id = scope
    direct = directory.app_users[app_id].get(user_id)
    profile = {
        "loginId": user.profile.get("email"),
        "firstName": user.profile.get("firstName"),
        "lastName": user.profile.get("lastName"),
        "email": user.profile.get("email"),
    } | ((direct.profile or {}) if direct else {})
    links: dict[str, Any] = {
        "app": {"href": f"{base}/api/v1/apps/{app_id}"},
        "user": {"href": f"{base}/api/v1/users/{user_id}"},
    }
    if group_id:
        name = directory.groups[group_id].name
        links["group"] = {"name": name, "href": f"{base}/api/v1/groups/{group_id}"}
    updated = max(created, user.last_updated, direct.last_updated if direct else created)
    return {
        "id": user_id,
        "externalId": None,
        "created": created,
        "lastUpdated": updated,
        "scope": kind,
        "status": "ACTIVE",
        "statusChanged": created,
        "passwordChanged": None,
        "syncState": "DISABLED",
        "credentials": {"userName": user.profile.get("login")},
        "profile": profile,
        "_links": links,
    }


def app_group_body(
    app_id: str, group_id: str, assignment: AppGroupAssignment, base: str
) -> dict[str, Any]:
    return {
        "id": group_id,
        "lastUpdated": assignment.created,
        "priority": assignment.priority,
        "profile": {},
        "_links": {
            "app": {"href": f"{base}/api/v1/apps/{app_id}"},
            "self": {"href": f"{base}/api/v1/apps/{app_id}/groups/{group_id}"},
            "group": {"href": f"{base}/api/v1/groups/{group_id}"},
        },
    }
