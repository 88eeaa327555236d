"""Users, Groups and Audit Log pages as an admin sees them."""

import pytest
from django.urls import reverse

from querypie_admin import directory
from querypie_admin.directory import Caller
from querypie_admin.models import AuditEvent, LinkSource
from tests.factories import okta_group, okta_user

pytestmark = pytest.mark.django_db


def test_users_search_and_filters(admin_client, user_factory):
    user_factory(login_id="jane@corp.example", first_name="Jane")
    okta_user(LinkSource.OKTA_SYNC, login_id="okta.bob@corp.example")
    user_factory(login_id="gone@corp.example", is_active=False)
    page = admin_client.get(reverse("user_list"), {"q": "jane"}).content.decode()
    assert "jane@corp.example" in page and "okta.bob" not in page
    page = admin_client.get(reverse("user_list"), {"auth_provider": "okta"}).content.decode()
    assert "okta.bob@corp.example" in page and "Okta: Okta API sync" in page and "jane@" not in page
    page = admin_client.get(reverse("user_list"), {"status": "inactive"}).content.decode()
    assert "gone@corp.example" in page and "jane@" not in page


def test_users_list_pages_by_50(admin_client, user_factory):
    user_factory.create_batch(60)
    first = admin_client.get(reverse("user_list"))
    assert len(first.context["page"].object_list) == 50
    assert "Page 1 of 2" in first.content.decode()
    second = admin_client.get(reverse("user_list"), {"page": 2})
    assert len(second.context["page"].object_list) == 11  # 60 + the signed-in owner


def test_group_detail_lists_members(admin_client, user_factory, group_factory):
    group = group_factory(name="DBA")
    directory.add_members(
        Caller.command("test"), group, [user_factory(login_id="dba1@corp.example")]
    )
    page = admin_client.get(reverse("group_detail", args=[group.pk])).content.decode()
    assert "DBA" in page and "dba1@corp.example" in page


def test_a_group_s_page_lists_its_members_20_at_a_time(admin_client, user_factory, group_factory):
    group = group_factory(name="Big")
    directory.add_members(Caller.command("test"), group, user_factory.create_batch(45))
    first = admin_client.get(reverse("group_detail", args=[group.pk]))
    assert len(first.context["page"].object_list) == 20
    assert "Page 1 of 3 (45 in all)" in first.content.decode()
    third = admin_client.get(reverse("group_detail", args=[group.pk]), {"page": 3})
    assert len(third.context["page"].object_list) == 5


def test_admin_deactivates_a_local_user_but_not_an_okta_user(admin_client, user_factory):
    local = user_factory()
    okta = okta_user(LinkSource.SCIM)
    admin_client.post(reverse("user_set_status", args=[local.pk]), {"active": "0"})
    admin_client.post(reverse("user_set_status", args=[okta.pk]), {"active": "0"})
    local.refresh_from_db()
    okta.refresh_from_db()
    assert (local.is_active, okta.is_active) == (False, True)


def test_deleting_an_okta_group_warns_to_unlink_it_first(admin_client, group_factory):
    group = okta_group(LinkSource.SCIM, name="Okta-Eng")
    page = admin_client.get(reverse("group_delete", args=[group.pk])).content.decode()
    assert "managed by Okta" in page and "Unlink it" in page
    admin_client.post(reverse("group_delete", args=[group.pk]))
    event = AuditEvent.objects.get(action="group.deleted", target_label="Okta-Eng")
    assert event.detail == {"source": "console", "members_removed": 0}


def test_audit_log_filters_by_outcome(admin_client):
    AuditEvent.objects.create(actor_label="x", action="auth.signin", outcome="failure")
    AuditEvent.objects.create(actor_label="y", action="group.created")
    page = admin_client.get(reverse("audit_log"), {"outcome": "failure"}).content.decode()
    assert "auth.signin" in page and "group.created" not in page


def test_console_serves_its_own_assets(admin_client):
    page = admin_client.get(reverse("user_list")).content.decode()
    assert "/static/css/console.css" in page
    assert "https://" not in page.split("<body>")[0]
