"""This turn's other changes, attacked (issue 22's pass): the role mapping's group picker
(JSON), the Dry Run's draft that keeps a typed token on the server, and the API's docs and
schema. With a User-role account, a System Admin's password, another browser session, or
nobody signed in. Each test says no; docs/SECURITY.md lists them."""

import pytest
from django.test import Client
from django.urls import reverse

from okta.models import OktaOrg
from querypie_admin.models import LinkSource
from sync.draft import SESSION_KEY
from tests.factories import UserFactory, okta_group
from tests.sync.conftest import okta_authentication  # noqa: F401 - a fixture used by name
from tests.sync.test_sync_console import SETTINGS_URL, form_data

pytestmark = pytest.mark.django_db
PICKER = reverse("auth_okta_groups")


@pytest.fixture
def mapped_group():
    return okta_group(LinkSource.OKTA_SYNC, external_id="00gOwn3rsGr0up000001", name="DB Owners")


def test_the_group_picker_tells_nobody_but_admins_which_groups_exist(
    client, mapped_group, plain_user
):
    response = client.get(PICKER, {"q": ""})
    assert response.status_code == 302 and "DB Owners" not in response.content.decode()
    client.force_login(plain_user)
    response = client.get(PICKER, {"q": "00g"})
    assert response.status_code == 403 and "00gOwn3rs" not in response.content.decode()


def test_the_group_picker_answers_only_get(admin_client, mapped_group):
    assert admin_client.post(PICKER, {"q": "DB"}).status_code == 405


def test_the_group_picker_treats_wildcards_as_text(admin_client, mapped_group):
    for text in ("%", "_", ".*", "' OR 1=1 --"):
        assert admin_client.get(PICKER, {"q": text}).json() == {"groups": []}


def dry_run(client, fake_org):
    data = form_data(op="dry_run", api_url=fake_org.base_url, api_token=fake_org.token)
    return client.post(SETTINGS_URL, data)


@pytest.mark.usefixtures("okta_authentication")
def test_another_owners_session_cannot_save_a_dry_runs_kept_token(admin_client, fake_org):
    dry_run(admin_client, fake_org)
    assert SESSION_KEY in admin_client.session
    other = Client()
    other.force_login(UserFactory(login_id="owner2@corp.example", role="owner"))
    response = other.post(SETTINGS_URL, form_data(api_url=fake_org.base_url, api_token=""))
    assert response.status_code == 400
    assert "Enter the Okta API token." in response.context["sync_form"].errors["api_token"]
    assert not OktaOrg.load().has_token


@pytest.mark.usefixtures("okta_authentication")
def test_a_draft_does_not_outlive_its_owner_signing_out(admin_client, fake_org, system_admin):
    dry_run(admin_client, fake_org)
    admin_client.post(reverse("logout"))
    admin_client.force_login(system_admin)
    assert SESSION_KEY not in admin_client.session
    html = admin_client.get(SETTINGS_URL).content.decode()
    assert "These are the values of your Dry Run" not in html


@pytest.mark.usefixtures("okta_authentication")
def test_a_kept_token_is_not_sent_by_a_dry_run_to_another_url(admin_client, fake_org):
    """Dry Run again, the URL changed to another server, the token left empty: the kept
    token would be sent there; it must be asked for instead (the form is refused before any
    call)."""
    dry_run(admin_client, fake_org)
    data = form_data(op="dry_run", api_url="http://127.0.0.1:9/", api_token="")
    response = admin_client.post(SETTINGS_URL, data)
    assert response.status_code == 400
    assert "Enter the Okta API token." in response.context["sync_form"].errors["api_token"]
    assert response.context["sync_form"].cleaned_data.get("api_token", "") == ""


@pytest.mark.parametrize("url", ["/api/docs/", "/api/docs/?script", "/api/v1/schema/", "/api/v1/"])
def test_the_api_docs_and_schema_show_nothing_to_the_anonymous_or_a_user(client, plain_user, url):
    for who in (None, plain_user):
        if who:
            client.force_login(who)
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code in (302, 401, 403, 404), (who, url)
        assert "openapi" not in body.lower() and "/api/v1/users" not in body
