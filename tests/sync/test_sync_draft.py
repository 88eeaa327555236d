"""The Synchronization form keeps what was typed (issue 23): Dry Run, then Save Changes without
typing again, the token kept on the server and never in a page; a form with errors keeps every
value but the token and says to enter it again."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from okta.models import OktaOrg
from okta.token_crypto import decrypt_token
from sync.draft import SESSION_KEY
from sync.forms import SECRET_AGAIN
from sync.models import SyncRun
from tests.sync.test_sync_console import SETTINGS_URL, form_data

pytestmark = pytest.mark.django_db


def dry_run(client, fake_org, **fields):
    data = form_data(op="dry_run", api_url=fake_org.base_url, api_token=fake_org.token,
                     scope="directory", frequency="daily", daily_at="02:30",
                     deactivation_threshold="35")  # fmt: skip
    return client.post(SETTINGS_URL, data | fields)


def stored_session(client) -> str:
    """The session row as the database keeps it, decoded."""
    return str(Session.objects.get(session_key=client.session.session_key).get_decoded())


def test_dry_run_values_come_back_on_the_section_with_the_token_kept_out_of_the_page(
    admin_client, fake_org, okta_authentication
):
    response = dry_run(admin_client, fake_org)
    assert response.url == reverse("okta_sync_run", args=[SyncRun.objects.get().pk])

    response = admin_client.get(SETTINGS_URL)
    html = response.content.decode()
    form = response.context["sync_form"]
    assert form["api_url"].value() == fake_org.base_url
    assert form["scope"].value() == "directory" and form["frequency"].value() == "daily"
    assert form["daily_at"].value() == "02:30" and form["deactivation_threshold"].value() == "35"
    assert "These are the values of your Dry Run" in html
    assert "Kept from your Dry Run, leave empty to keep it" in html
    assert fake_org.token not in html
    assert fake_org.token not in stored_session(admin_client)  # encrypted in the session too
    assert OktaOrg.load().api_url == ""  # nothing saved by Dry Run


def test_save_changes_after_dry_run_saves_the_kept_token_without_typing_it_again(
    admin_client, fake_org, okta_authentication
):
    dry_run(admin_client, fake_org)
    form = admin_client.get(SETTINGS_URL).context["sync_form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(enabled="on", api_token="", op="save")

    response = admin_client.post(SETTINGS_URL, data)

    assert response.status_code == 302
    assert response["Location"] == SETTINGS_URL + "#sync-settings"
    saved = OktaOrg.load()
    assert decrypt_token(saved.api_token_encrypted) == fake_org.token
    assert (saved.api_url, saved.scope, saved.deactivation_threshold) == (
        fake_org.base_url,
        "directory",
        35,
    )
    assert SESSION_KEY not in admin_client.session  # the draft ends at Save Changes
    html = admin_client.get(SETTINGS_URL).content.decode()
    assert "Okta synchronization settings saved." in html.split('id="sync-settings"')[1]


def test_a_kept_token_goes_only_to_the_api_url_it_was_typed_with(
    admin_client, fake_org, okta_authentication
):
    dry_run(admin_client, fake_org)
    data = form_data(op="save", api_url="evil.okta.com", api_token="")

    response = admin_client.post(SETTINGS_URL, data)

    assert response.status_code == 400
    assert "Enter the Okta API token." in response.context["sync_form"].errors["api_token"]
    assert not OktaOrg.load().has_token


def test_a_draft_ends_after_its_lifetime(admin_client, fake_org, okta_authentication):
    dry_run(admin_client, fake_org)
    kept_at = timezone.now()
    with freeze_time(kept_at + datetime.timedelta(minutes=29)):
        assert "values of your Dry Run" in admin_client.get(SETTINGS_URL).content.decode()
    with freeze_time(kept_at + datetime.timedelta(minutes=31)):
        html = admin_client.get(SETTINGS_URL).content.decode()
    assert "values of your Dry Run" not in html
    assert fake_org.base_url not in html


def test_discard_shows_the_saved_settings_again(admin_client, fake_org, okta_authentication):
    dry_run(admin_client, fake_org)

    response = admin_client.post(SETTINGS_URL, {"op": "discard_draft"}, follow=True)

    assert "The Dry Run&#x27;s values were discarded" in response.content.decode()
    assert response.context["sync_form"]["api_url"].value() == ""


def test_a_form_with_errors_keeps_every_value_but_the_token_and_asks_for_it_again(
    admin_client, okta_authentication
):
    typed = "00abcdefghijklmnWXYZ"
    data = form_data(api_url="acme.okta.com", api_token=typed, app_id="0oa42",
                     frequency="cron", cron="not a cron")  # fmt: skip

    response = admin_client.post(SETTINGS_URL, data)

    assert response.status_code == 400
    form, html = response.context["sync_form"], response.content.decode()
    assert form.errors["cron"]
    assert form.errors["api_token"] == [SECRET_AGAIN]
    assert typed not in html
    for value in ('value="acme.okta.com"', 'value="0oa42"', 'value="not a cron"'):
        assert value in html
    assert not OktaOrg.load().has_token


def test_a_dry_run_okta_refuses_keeps_the_values_and_asks_for_the_token_again(
    admin_client, fake_org, okta_authentication
):
    response = dry_run(admin_client, fake_org, app_id="0oaNoSuchApp")

    assert response.status_code == 400
    form, html = response.context["sync_form"], response.content.decode()
    assert form.errors["app_id"] and form.errors["api_token"] == [SECRET_AGAIN]
    assert 'value="0oaNoSuchApp"' in html and fake_org.token not in html
    assert SESSION_KEY not in admin_client.session


def test_a_system_admin_cannot_dry_run_nor_save_but_may_discard_a_draft(client, system_admin):
    client.force_login(system_admin)
    for op in ("dry_run", "save"):
        assert client.post(SETTINGS_URL, form_data(op=op)).status_code == 403
    assert client.post(SETTINGS_URL, {"op": "discard_draft"}).status_code == 302
