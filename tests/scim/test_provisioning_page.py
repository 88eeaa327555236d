"""Administrator > General > User Management > Provisioning."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from querypie_admin.models import AuditEvent
from scim import provisioning
from scim.models import ScimToken

pytestmark = pytest.mark.django_db
PAGE = "/administrator/provisioning/"


def enable(client):
    return client.post(reverse("provisioning_switch"), {"enabled": "1"}, follow=True)


def generate(client):
    return client.post(reverse("provisioning_token_create"), follow=True)


def test_page_is_for_owner_and_system_admin_only(client, system_admin, plain_user):
    assert client.get(PAGE).status_code == 302
    client.force_login(plain_user)
    assert client.get(PAGE).status_code == 403
    client.force_login(system_admin)
    assert client.get(PAGE).status_code == 200


def test_plain_user_cannot_enable_or_generate(client, plain_user):
    client.force_login(plain_user)
    assert client.post(reverse("provisioning_switch"), {"enabled": "1"}).status_code == 403
    assert client.post(reverse("provisioning_token_create")).status_code == 403
    assert not provisioning.is_enabled()


def test_enabling_shows_the_scim_endpoint_with_a_copy_button(admin_client):
    page = admin_client.get(PAGE).content.decode()
    assert "http://testserver/api/scim/v2" not in page
    page = enable(admin_client).content.decode()
    assert '<code id="scim-endpoint">http://testserver/api/scim/v2</code>' in page
    assert 'data-copy="scim-endpoint"' in page
    assert AuditEvent.objects.filter(action="provisioning.enabled").exists()


def test_token_value_is_shown_once_in_a_dialog_and_only_its_hash_is_kept(admin_client):
    enable(admin_client)
    page = generate(admin_client).content.decode()
    token = ScimToken.objects.get()
    value = page.split('<code id="new-token-value" class="value">')[1].split("<")[0]
    assert value.startswith(f"scim_{token.key_id}_")
    assert "<dialog" in page and "This token cannot be shown again" in page
    assert 'data-copy="new-token-value"' in page and ">Confirm</button>" in page
    assert value.split("_", 2)[2] not in token.secret_hash
    assert value not in admin_client.get(PAGE).content.decode()
    assert provisioning.authenticate(f"Bearer {value}") == token


def test_token_row_shows_issue_and_expiry_dates_status_and_last_use(admin_client):
    enable(admin_client)
    generate(admin_client)
    token = ScimToken.objects.get()
    assert token.expires_at.date() == (token.created_at + timedelta(days=365)).date()
    page = admin_client.get(PAGE).content.decode()
    assert f"<td>{token.created_at:%Y-%m-%d}</td>" in page
    assert f"<td>{token.expires_at:%Y-%m-%d}</td>" in page
    assert 'tone-ok" data-status="Active">Active</span>' in page and "<td>Never</td>" in page
    ScimToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    ScimToken.objects.update(last_used_at=timezone.now())
    page = admin_client.get(PAGE).content.decode()
    assert 'tone-failed" data-status="Expired">Expired</span>' in page
    assert f"{timezone.now():%Y-%m-%d}" in page.split('data-status="Expired"')[1]


def test_generate_token_is_disabled_at_two_with_the_reason(admin_client):
    enable(admin_client)
    generate(admin_client)
    generate(admin_client)
    page = admin_client.get(PAGE).content.decode()
    assert 'disabled aria-describedby="token-limit"' in page
    assert "At most 2 tokens can exist at a time" in page
    page = generate(admin_client).content.decode()
    assert ScimToken.objects.count() == 2
    assert "At most 2 tokens" in page and "new-token-value" not in page


def test_delete_removes_one_token_after_confirmation(admin_client):
    enable(admin_client)
    generate(admin_client)
    generate(admin_client)
    first, second = ScimToken.objects.all()
    page = admin_client.get(PAGE).content.decode()
    assert 'data-confirm="Delete this token?' in page
    admin_client.post(reverse("provisioning_token_delete", args=[first.pk]))
    assert list(ScimToken.objects.all()) == [second]
    event = AuditEvent.objects.get(action="scim_token.deleted")
    assert event.detail == {"key_id": first.key_id}


def test_disabling_deletes_every_token_and_says_so_first(admin_client):
    enable(admin_client)
    generate(admin_client)
    _, value = provisioning.create_token("test")
    page = admin_client.get(PAGE).content.decode()
    assert "Every SCIM token is deleted now" in page
    admin_client.post(reverse("provisioning_switch"), {"enabled": "0"})
    assert ScimToken.objects.count() == 0
    assert provisioning.authenticate(f"Bearer {value}") is None
    enable(admin_client)
    assert ScimToken.objects.count() == 0
    assert provisioning.authenticate(f"Bearer {value}") is None


def test_audit_log_records_each_action_without_the_token_value(admin_client):
    enable(admin_client)
    page = generate(admin_client).content.decode()
    value = page.split('<code id="new-token-value" class="value">')[1].split("<")[0]
    token = ScimToken.objects.get()
    admin_client.post(reverse("provisioning_token_delete", args=[token.pk]))
    admin_client.post(reverse("provisioning_switch"), {"enabled": "0"})
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[-4:] == [
        "provisioning.enabled",
        "scim_token.issued",
        "scim_token.deleted",
        "provisioning.disabled",
    ]
    secret = value.split("_", 2)[2]
    for event in AuditEvent.objects.all():
        assert secret not in str(event.detail) and secret not in event.target_label


def test_forms_carry_csrf_tokens(admin_client):
    enable(admin_client)
    generate(admin_client)
    page = admin_client.get(PAGE).content.decode()
    assert page.count("csrfmiddlewaretoken") == page.count('<form method="post"')


def test_token_value_waiting_for_the_next_page_is_not_stored_in_clear(admin_client):
    """Sessions are database rows: between the POST and the page, the value is encrypted."""
    enable(admin_client)
    admin_client.post(reverse("provisioning_token_create"))  # the redirect is not followed yet
    row = Session.objects.get(pk=admin_client.session.session_key)
    stored = f"{row.session_data} {row.get_decoded()}"
    page = admin_client.get(PAGE).content.decode()
    value = page.split('<code id="new-token-value" class="value">')[1].split("<")[0]
    assert value.startswith("scim_") and value.split("_", 2)[2] not in stored
