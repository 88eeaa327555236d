"""``python -m fake_okta --push-scim URL TOKEN``: provision the fake org's QueryPie app to the
console the way Okta's SCIM client does (the requests docs/SCIM.md describes).

Users assigned to the app are looked up by ``userName`` and created with POST, or sent whole
with PUT (as the App Integration Wizard's apps do); the app's groups are pushed by
``displayName`` and their assigned members added with a PATCH ``add members``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import requests

from fake_okta.directory import FakeOktaDirectory
from fake_okta.model import User

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
INACTIVE = ("SUSPENDED", "DEPROVISIONED")


class PushError(Exception):
    """The console refused a request; the message names it and its answer."""


@dataclass
class PushResult:
    users_created: int = 0
    users_updated: int = 0
    groups_created: int = 0
    members_added: int = 0
    user_ids: dict[str, str] = field(default_factory=dict)  # Okta id -> SCIM id

    def summary(self) -> str:
        return (
            f"{self.users_created} users created, {self.users_updated} updated, "
            f"{self.groups_created} groups created, {self.members_added} memberships added"
        )


def user_body(user: User) -> dict[str, Any]:
    """Okta's SCIM user body (SCIM 2.0 Test App and AIW apps send this shape)."""
    profile = user.profile
    first, last = profile.get("firstName") or "", profile.get("lastName") or ""
    return {
        "schemas": [USER_SCHEMA],
        "userName": profile["login"],
        "name": {"givenName": first, "familyName": last},
        "emails": [
            {"primary": True, "value": profile.get("email") or profile["login"], "type": "work"}
        ],
        "displayName": f"{first} {last}".strip(),
        "locale": "en-US",
        "externalId": user.id,
        "groups": [],
        "password": secrets.token_urlsafe(12),  # Okta's placeholder; the console ignores it
        "active": user.status not in INACTIVE,
    }


class ScimPusher:
    """One console's SCIM endpoint, spoken to with Okta's requests and a bearer token."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "Accept": "application/scim+json",
                "Content-Type": "application/scim+json; charset=utf-8",
                "User-Agent": "Okta SCIM Client 1.0.0 (fake_okta)",
            }
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self.session.request(
            method, self.base_url + path, timeout=self.timeout, **kwargs
        )
        if response.status_code >= 300:
            raise PushError(
                f"{method} {path} answered {response.status_code}: {response.text[:300]}"
            )
        return response.json() if response.content else {}

    def _find(self, kind: str, attribute: str, value: str) -> dict[str, Any] | None:
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        params = {"filter": f'{attribute} eq "{escaped}"', "startIndex": 1, "count": 100}
        found = self._call("GET", f"/{kind}", params=params).get("Resources") or []
        return found[0] if found else None

    def push_user(self, user: User, result: PushResult) -> str:
        body = user_body(user)
        existing = self._find("Users", "userName", body["userName"])
        if existing is None:
            created = self._call("POST", "/Users", json=body)
            result.users_created += 1
            return created["id"]
        self._call("PUT", f"/Users/{existing['id']}", json={**body, "id": existing["id"]})
        result.users_updated += 1
        return existing["id"]

    def push_group(self, name: str, member_ids: list[tuple[str, str]], result: PushResult) -> None:
        existing = self._find("Groups", "displayName", name)
        if existing is None:
            body = {"schemas": [GROUP_SCHEMA], "displayName": name, "members": []}
            existing = self._call("POST", "/Groups", json=body)
            result.groups_created += 1
        if not member_ids:
            return
        members = [{"value": scim_id, "display": login} for scim_id, login in member_ids]
        operation = {"op": "add", "path": "members", "value": members}
        patch = {"schemas": [PATCH_SCHEMA], "Operations": [operation]}
        self._call("PATCH", f"/Groups/{existing['id']}", json=patch)
        result.members_added += len(members)

    def push(self, directory: FakeOktaDirectory) -> PushResult:
        """Push the app's assigned users, then its groups with their assigned members."""
        result = PushResult()
        with directory.lock:
            app_id = directory.app_id
            users = [directory.users[uid] for uid in sorted(directory.app_users[app_id])]
            groups = [directory.groups[gid] for gid in sorted(directory.app_groups[app_id])]
        for user in users:
            result.user_ids[user.id] = self.push_user(user, result)
        for group in groups:
            members = [
                (result.user_ids[uid], directory.users[uid].profile["login"])
                for uid in sorted(group.members)
                if uid in result.user_ids
            ]
            self.push_group(group.name, members, result)
        return result
