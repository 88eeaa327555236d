"""Fixtures for SCIM tests: provisioning enabled, a token, and an HTTP client for /api/scim/v2."""

import json
from dataclasses import dataclass

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

from scim import provisioning

BASE = "/api/scim/v2"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
QUERYPIE = "urn:ietf:params:scim:schemas:extension:querypie:2.0:User"


@dataclass
class ScimClient:
    """Requests as an IdP sends them: bearer token, JSON body, paths under /api/scim/v2."""

    client: Client
    token: str
    content_type: str = "application/scim+json"

    def request(self, method: str, path: str, body=None, raw: str | None = None, **extra):
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        return getattr(self.client, method)(
            f"{BASE}{path}",
            data=data if method != "get" else extra.pop("params", None),
            content_type=self.content_type,
            HTTP_AUTHORIZATION=f"Bearer {self.token}",
            **extra,
        )

    def get(self, path: str, **params):
        return self.request("get", path, params=params or None)

    def post(self, path: str, body=None, **kw):
        return self.request("post", path, body, **kw)

    def put(self, path: str, body=None, **kw):
        return self.request("put", path, body, **kw)

    def patch(self, path: str, *operations, **kw):
        return self.request(
            "patch", path, {"schemas": [PATCH_SCHEMA], "Operations": operations}, **kw
        )

    def delete(self, path: str):
        return self.request("delete", path)


@pytest.fixture
def scim_token(db) -> str:
    provisioning.enable("test")
    _, value = provisioning.create_token("test")
    return value


@pytest.fixture
def scim(scim_token) -> ScimClient:
    """CSRF checks on, as for any real client: SCIM calls carry a token, not a cookie."""
    return ScimClient(Client(enforce_csrf_checks=True), scim_token)


@pytest.fixture
def in_process_requests():
    """Let WSGI calls made inside a test share its transaction, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def user_body(login: str = "isabella.chen@corp.example", **overrides) -> dict:
    """POST /Users exactly as Okta sends it (Okta's SCIM 2.0 reference request)."""
    body = {
        "schemas": [USER_SCHEMA],
        "userName": login,
        "name": {"givenName": "Isabella", "familyName": "Chen"},
        "emails": [{"primary": True, "value": login, "type": "work"}],
        "displayName": "Isabella Chen",
        "locale": "en-US",
        "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [],
        "password": "1mz050nq",
        "active": True,
    }
    body.update(overrides)
    return body
