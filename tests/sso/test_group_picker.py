"""The group picker of role mapping (issue 23): a JSON search over the Okta groups the sync or
SCIM know, for Owners and System Admins; the form works without it (a plain input)."""

import pytest
from django.urls import reverse

from querypie_admin.models import GroupMembership, LinkSource
from tests.factories import GroupFactory, UserFactory, okta_group

pytestmark = pytest.mark.django_db
URL = reverse("auth_okta_groups")


@pytest.fixture
def groups():
    admins = okta_group(LinkSource.OKTA_SYNC, external_id="00gAdm1nsGr0up000001", name="DB Admins")
    for user in UserFactory.create_batch(3):
        GroupMembership.objects.create(group=admins, user=user)
    okta_group(LinkSource.SCIM, external_id="00gEng1neersGr000002", name="Engineers")
    # Seen by both the sync and SCIM: offered once.
    okta_group(
        LinkSource.OKTA_SYNC, LinkSource.SCIM, external_id="00gDbaGr0up000000003", name="DBA team"
    )
    GroupFactory(name="Local admins")  # the console's own group: no Okta id to map


def search(client, text: str) -> list[dict]:
    response = client.get(URL, {"q": text})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return response.json()["groups"]


def test_part_of_a_name_finds_the_okta_groups_with_their_id_and_members(admin_client, groups):
    assert search(admin_client, "admin") == [
        {"okta_group_id": "00gAdm1nsGr0up000001", "name": "DB Admins", "members": 3}
    ]
    assert [g["name"] for g in search(admin_client, "DB")] == ["DB Admins", "DBA team"]


def test_the_start_of_an_okta_id_finds_its_group(admin_client, groups):
    assert [g["name"] for g in search(admin_client, "00gEng")] == ["Engineers"]


def test_an_empty_search_lists_every_okta_group_once_by_name(admin_client, groups):
    assert [g["okta_group_id"] for g in search(admin_client, "")] == [
        "00gAdm1nsGr0up000001",
        "00gDbaGr0up000000003",
        "00gEng1neersGr000002",
    ]


def test_nothing_matches_is_an_empty_list(admin_client, groups):
    assert search(admin_client, "nobody") == []


def test_a_system_admin_may_search_a_user_may_not(client, system_admin, plain_user, groups):
    assert client.get(URL, {"q": "a"}).status_code == 302  # to sign in
    client.force_login(plain_user)
    assert client.get(URL, {"q": "a"}).status_code == 403
    client.force_login(system_admin)
    assert len(search(client, "")) == 3


def test_the_add_mapping_form_offers_the_picker_and_works_without_it(admin_client):
    html = admin_client.get(reverse("auth_role_mapping")).content.decode()
    picker = html.split('class="group-picker"', 1)[1].split("</div>\n", 1)[0]
    assert f'data-search-url="{URL}"' in picker
    assert 'name="okta_group_id"' in picker and 'type="text"' in picker  # a plain input
    assert "/static/sso/group_picker.js" in html and "<script>" not in html
