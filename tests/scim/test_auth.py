"""Who may call /api/scim/v2: a SCIM token only, and a SCIM token nowhere else."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from scim import provisioning
from scim.models import ScimToken

pytestmark = pytest.mark.django_db
UNAUTHORIZED = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
    "detail": "A valid SCIM bearer token is required, and provisioning must be enabled.",
    "status": "401",
}


def get_users(client, authorization: str | None):
    extra = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else {}
    return client.get("/api/scim/v2/Users", **extra)


def assert_refused(response):
    assert response.status_code == 401
    assert response["Content-Type"] == "application/scim+json"
    assert response.json() == UNAUTHORIZED


def test_valid_token_opens_scim_and_records_last_use(client, scim_token):
    assert get_users(client, f"Bearer {scim_token}").status_code == 200
    assert ScimToken.objects.get().last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer scim_0000_secret"],
)
def test_missing_or_unknown_token_gets_scim_401(client, scim_token, header):
    assert_refused(get_users(client, header))


def test_wrong_secret_for_a_real_key_is_refused(client, scim_token):
    assert_refused(get_users(client, f"Bearer {scim_token[:-2]}xx"))


def test_deleted_token_is_refused(client, scim_token):
    provisioning.delete_token("test", ScimToken.objects.get().pk)
    assert_refused(get_users(client, f"Bearer {scim_token}"))


def test_expired_token_is_refused(client, scim_token):
    ScimToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_refused(get_users(client, f"Bearer {scim_token}"))


def test_disabled_provisioning_refuses_every_token(client, scim_token):
    provisioning.disable("test")
    assert_refused(get_users(client, f"Bearer {scim_token}"))


def test_scim_token_opens_no_other_api_nor_console_page(client, scim_token, owner):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {scim_token}"}
    assert client.get("/api/v1/users/", **auth).status_code == 401
    assert client.get("/administrator/users/", **auth).status_code == 302
    assert client.get("/administrator/provisioning/", **auth).status_code == 302


def test_console_session_opens_no_scim_endpoint(admin_client, scim_token):
    assert_refused(admin_client.get("/api/scim/v2/Users"))
    assert_refused(admin_client.get("/api/scim/v2/ServiceProviderConfig"))


def test_api_token_opens_no_scim_endpoint(client, owner, scim_token):
    out = io.StringIO()
    call_command("api_token", "create", "--login-id", owner.login_id, stdout=out)
    api_token = out.getvalue().strip().splitlines()[-1]
    assert client.get("/api/v1/users/", HTTP_AUTHORIZATION=f"Bearer {api_token}").status_code == 200
    assert_refused(get_users(client, f"Bearer {api_token}"))


def test_every_scim_endpoint_is_guarded(client, scim_token):
    for path in ("ServiceProviderConfig", "ResourceTypes", "Schemas", "Groups", "Users/1", "Bulk"):
        assert_refused(client.get(f"/api/scim/v2/{path}"))
