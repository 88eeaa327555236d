"""`manage.py provisioning`: the headless set-up, with the page's rules."""

import io

import pytest
from django.core.management import CommandError, call_command

from scim import provisioning
from scim.models import ScimToken

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("provisioning", *args, stdout=out)
    return out.getvalue()


def test_enable_create_token_and_call_scim_with_it(client):
    assert "Provisioning is enabled" in run("enable")
    value = run("token", "create").strip().splitlines()[-1]
    response = client.get("/api/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {value}")
    assert response.status_code == 200
    assert value.split("_", 2)[2] not in ScimToken.objects.get().secret_hash


def test_status_list_and_delete():
    run("enable")
    run("token", "create")
    token = ScimToken.objects.get()
    assert "Provisioning is enabled" in run("status") and "Tokens: 1" in run("status")
    listing = run("token", "list")
    assert f"{token.pk}\tscim_{token.key_id}_…\tissued {token.created_at:%Y-%m-%d}" in listing
    assert f"expires {token.expires_at:%Y-%m-%d}\tActive\tlast used never" in listing
    run("token", "delete", str(token.pk))
    assert not ScimToken.objects.exists()


def test_same_rules_as_the_page():
    with pytest.raises(CommandError, match="Enable provisioning first"):
        run("token", "create")
    run("enable")
    run("token", "create")
    run("token", "create")
    with pytest.raises(CommandError, match="At most 2 tokens"):
        run("token", "create")
    assert "2 token(s) deleted" in run("disable")
    assert not provisioning.is_enabled() and not ScimToken.objects.exists()
    with pytest.raises(CommandError, match="no longer exists"):
        run("token", "delete", "999")
