"""The read-only REST API at /api/v1/ and its personal tokens."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from querypie_admin import directory
from querypie_admin.directory import Caller
from querypie_admin.models import ApiToken, AuthProvider, LinkSource, Role
from tests.factories import okta_group, okta_user

pytestmark = pytest.mark.django_db
COMMAND = Caller.command("test")


def issue(login_id: str) -> str:
    out = io.StringIO()
    call_command("api_token", "create", "--login-id", login_id, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def test_token_is_shown_once_and_stored_hashed(owner):
    value = issue(owner.login_id)
    token = ApiToken.objects.get()
    assert value.startswith(f"qpa_{token.key_id}_")
    assert value.split("_", 2)[2] not in token.secret_hash


def test_api_lists_users_with_a_token(client, owner, user_factory):
    user_factory(login_id="carol@corp.example")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issue(owner.login_id)}"}
    body = client.get("/api/v1/users/", {"login_id": "CAROL@corp.example"}, **auth).json()
    assert body["count"] == 1
    assert body["results"][0]["login_id"] == "carol@corp.example"
    assert body["results"][0]["status"] == "Active"


def test_groups_show_member_login_ids(admin_client, user_factory, group_factory):
    group = group_factory(name="ops")
    directory.add_members(COMMAND, group, [user_factory(login_id="op@corp.example")])
    body = admin_client.get("/api/v1/groups/").json()
    assert body["results"] == [
        {**body["results"][0], "name": "ops", "members": ["op@corp.example"]}
    ]


def test_users_show_the_okta_links_that_manage_them(admin_client, owner):
    okta_user(LinkSource.SCIM, LinkSource.OKTA_SYNC, external_id="00u1", login_id="ann@corp.ex")
    body = admin_client.get("/api/v1/users/", {"auth_provider": AuthProvider.OKTA}).json()
    assert [(u["login_id"], u["auth_provider"], u["links"]) for u in body["results"]] == [
        (
            "ann@corp.ex",
            "okta",
            [
                {"source": "okta_sync", "external_id": "00u1"},
                {"source": "scim", "external_id": "00u1"},
            ],
        )
    ]
    mine = admin_client.get("/api/v1/users/", {"login_id": owner.login_id}).json()
    assert [(u["auth_provider"], u["links"]) for u in mine["results"]] == [("querypie", [])]
    assert "external_id" not in mine["results"][0]


def test_groups_show_their_links_and_filter_by_owner(admin_client, group_factory):
    okta_group(LinkSource.OKTA_SYNC, external_id="00g1", name="Okta-Eng")
    group_factory(name="DBA")
    body = admin_client.get("/api/v1/groups/", {"auth_provider": AuthProvider.OKTA}).json()
    assert [(g["name"], g["links"]) for g in body["results"]] == [
        ("Okta-Eng", [{"source": "okta_sync", "external_id": "00g1"}])
    ]


def test_listing_users_costs_the_same_queries_however_many_are_linked(admin_client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            admin_client.get("/api/v1/users/")
        return len(captured)

    okta_user(LinkSource.SCIM)
    few = queries()
    for n in range(10):
        okta_user(LinkSource.SCIM, LinkSource.OKTA_SYNC, external_id=f"00u{n}")
    assert queries() == few


def test_wrong_or_tampered_token_is_refused(client, owner):
    value = issue(owner.login_id)
    for bad in (value[:-2] + "xx", "qpa_nope_nope", "garbage"):
        response = client.get("/api/v1/users/", HTTP_AUTHORIZATION=f"Bearer {bad}")
        assert response.status_code == 401


def test_user_role_and_anonymous_are_refused(client, plain_user):
    assert client.get("/api/v1/users/").status_code in (401, 403)
    client.force_login(plain_user)
    assert client.get("/api/v1/audit-events/").status_code == 403


def test_token_of_a_demoted_user_no_longer_works(client, system_admin):
    value = issue(system_admin.login_id)
    directory.update_user(COMMAND, system_admin, {"role": Role.USER})
    assert client.get("/api/v1/users/", HTTP_AUTHORIZATION=f"Bearer {value}").status_code == 403


def test_openapi_schema_is_served(admin_client):
    response = admin_client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/users/" in response.content


def test_openapi_schema_is_valid_and_describes_links():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json",
                 stdout=out)  # fmt: skip
    schema = json.loads(out.getvalue())
    for name in ("User", "Group"):
        properties = schema["components"]["schemas"][name]["properties"]
        assert properties["links"]["items"] == {"$ref": "#/components/schemas/Link"}
        assert "external_id" not in properties
    assert list(schema["components"]["schemas"]["Link"]["properties"]) == [
        "source",
        "external_id",
    ]


def test_openapi_schema_is_for_administrators_only(client, plain_user):
    assert client.get("/api/v1/schema/").status_code == 401
    client.force_login(plain_user)
    assert client.get("/api/v1/schema/").status_code == 403
