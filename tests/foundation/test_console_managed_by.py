"""Who manages each row: badges on the lists and "What Okta sent" on the detail pages."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from querypie_admin.directory import Caller, Sent, batch
from querypie_admin.models import DirectoryLink, LinkSource
from tests.factories import UserFactory, okta_group, okta_user

pytestmark = pytest.mark.django_db
HOSTILE = {"userName": "ann@corp.example", "displayName": "</pre><script>alert(1)</script>"}


def test_user_page_shows_what_each_okta_source_sent(admin_client):
    user = okta_user(LinkSource.SCIM, LinkSource.OKTA_SYNC, external_id="00u1", attributes=HOSTILE)

    page = admin_client.get(reverse("user_detail", args=[user.pk])).content.decode()

    assert "<h3>SCIM provisioning</h3>" in page and "<h3>Okta API sync</h3>" in page
    assert page.count("<code>00u1</code>") == 2
    assert "<script>alert(1)</script>" not in page
    assert (
        '<pre class="attributes">{\n  &quot;displayName&quot;: &quot;&lt;/pre&gt;&lt;script&gt;'
        "alert(1)&lt;/script&gt;&quot;,\n  &quot;userName&quot;: &quot;ann@corp.example&quot;\n}"
        "</pre>"
    ) in page
    assert 'Okta: Okta API sync</span> <span class="badge badge-idp">Okta: SCIM</span>' in page


def test_a_local_user_is_managed_in_the_console(admin_client, plain_user):
    page = admin_client.get(reverse("user_detail", args=[plain_user.pk])).content.decode()
    assert "Managed in the console (local)." in page
    assert '<span class="badge">Local</span>' in page


def test_a_handed_over_user_waits_for_its_first_link(admin_client):
    user = okta_user()
    page = admin_client.get(reverse("user_detail", args=[user.pk])).content.decode()
    assert "Handed over to Okta; waiting for the first SCIM push or sync." in page
    assert "Okta: handed over" in page


def test_group_page_shows_what_okta_sent(admin_client, group_factory):
    group = okta_group(LinkSource.SCIM, external_id="00g9", name="Okta-Eng")
    local = group_factory(name="DBA")

    page = admin_client.get(reverse("group_detail", args=[group.pk])).content.decode()
    local_page = admin_client.get(reverse("group_detail", args=[local.pk])).content.decode()

    assert "<h3>SCIM provisioning</h3>" in page and "<code>00g9</code>" in page
    assert "Managed in the console (local)." in local_page


def test_profile_says_who_manages_my_account(client):
    user = okta_user(LinkSource.SAML)
    client.force_login(user)
    assert "Okta: SAML sign-in" in client.get(reverse("profile")).content.decode()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_users_list_shows_who_manages_each_row_in_a_fixed_number_of_queries(admin_client):
    url = reverse("user_list")
    okta_user(LinkSource.SCIM, login_id="scim@corp.example")
    few = _queries(admin_client, url)
    for n in range(10):
        okta_user(LinkSource.SCIM, LinkSource.OKTA_SYNC, login_id=f"both{n}@corp.example")
        UserFactory()
    okta_user(login_id="waiting@corp.example")

    assert _queries(admin_client, url) == few
    page = admin_client.get(url).content.decode()
    row = page.split("both0@corp.example</a>")[1].split("</tr>")[0]
    assert 'Okta: Okta API sync</span> <span class="badge badge-idp">Okta: SCIM</span>' in row
    waiting = page.split("waiting@corp.example</a>")[1].split("</tr>")[0]
    assert "Okta: handed over" in waiting
    assert page.count('<span class="badge">Local</span>') == 11


def test_groups_list_shows_who_manages_each_row_in_a_fixed_number_of_queries(
    admin_client, group_factory
):
    url = reverse("group_list")
    group_factory()
    few = _queries(admin_client, url)
    for n in range(10):
        okta_group(LinkSource.OKTA_SYNC, external_id=f"00g{n}")
        group_factory()

    assert _queries(admin_client, url) == few
    page = admin_client.get(url).content.decode()
    assert page.count("Okta: Okta API sync") == 10
    assert page.count('<span class="badge">Local</span>') == 11


def test_what_okta_sent_says_when_a_sync_last_changed_it(admin_client):
    user = okta_user(LinkSource.OKTA_SYNC, external_id="00u1", attributes={"title": "DBA"})
    long_ago = timezone.now() - timedelta(days=30)
    DirectoryLink.objects.filter(user=user).update(updated_at=long_ago)

    sync = Caller.okta_sync("Okta sync (test)")
    batch.link_users(sync, [(user.pk, Sent("00u1", {"title": "Lead DBA"}))])

    link = DirectoryLink.objects.get(user=user)
    assert link.updated_at > long_ago
    page = admin_client.get(reverse("user_detail", args=[user.pk])).content.decode()
    assert f"<dd>{timezone.localtime(link.updated_at):%Y-%m-%d %H:%M:%S}</dd>" in page
    assert "&quot;title&quot;: &quot;Lead DBA&quot;" in page
