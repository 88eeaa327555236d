"""The read-only REST API at /api/v1/ and its personal tokens."""

import io

import pytest
from django.core.management import call_command

from querypie_admin import directory
from querypie_admin.models import ApiToken

pytestmark = pytest.mark.django_db


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
    directory.add_members("t", group, [user_factory(login_id="op@corp.example")])
    body = admin_client.get("/api/v1/groups/").json()
    assert body["results"] == [
        {**body["results"][0], "name": "ops", "members": ["op@corp.example"]}
    ]


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
    directory.update_user("t", system_admin, role="user")
    assert client.get("/api/v1/users/", HTTP_AUTHORIZATION=f"Bearer {value}").status_code == 403


def test_openapi_schema_is_served(admin_client):
    response = admin_client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/users/" in response.content


def test_openapi_schema_is_for_administrators_only(client, plain_user):
    assert client.get("/api/v1/schema/").status_code == 401
    client.force_login(plain_user)
    assert client.get("/api/v1/schema/").status_code == 403
