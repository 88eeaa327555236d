"""The Synchronization section of the Authentication page, its buttons, progress, history and
role checks."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse

from okta.models import OktaOrg
from okta.token_crypto import decrypt_token, encrypt_token
from querypie_admin.models import AuditEvent, User
from sync.models import RunKind, RunStatus, SyncRun

pytestmark = pytest.mark.django_db
SETTINGS_URL = "/administrator/authentication/okta-sync/"


def form_data(**overrides) -> dict:
    data = {
        "enabled": "on", "api_url": "acme.okta.com", "api_token": "00abcdefghijklmnWXYZ",
        "app_id": "", "scope": "app", "frequency": "off", "every_minutes": "30",
        "daily_at": "", "cron": "", "deactivation_threshold": "20", "op": "save",
    }  # fmt: skip
    return data | overrides


def test_synchronization_section_shows_the_seed_fields_and_buttons(
    admin_client, okta_authentication
):
    html = admin_client.get(SETTINGS_URL).content.decode()

    assert "Use Synchronization with the Authentication System" in html
    for label in ("API URL", "API Token", "Application ID", "Replication Frequency"):
        assert label in html
    for button in ('value="dry_run">Dry Run<', 'value="save" class="primary">Save Changes<',
                   'value="synchronize"'):  # fmt: skip
        assert button in html
    assert f'action="{SETTINGS_URL}"' in html and "csrfmiddlewaretoken" in html
    assert reverse("okta_sync_history") in html


@pytest.mark.parametrize(
    "typed", ["acme.okta.com", "https://acme.okta.com", "https://acme.okta.com/"]
)
def test_save_accepts_okta_domains_and_stores_an_origin(admin_client, typed):
    response = admin_client.post(SETTINGS_URL, form_data(api_url=typed))

    assert response.status_code == 302
    assert OktaOrg.load().api_url == "https://acme.okta.com"


@pytest.mark.parametrize(
    ("typed", "message"),
    [("ftp://acme.okta.com", "https://"), ("http://acme.okta.com", "https://")],
)
def test_save_refuses_other_schemes_and_plain_http_beside_the_field(admin_client, typed, message):
    response = admin_client.post(SETTINGS_URL, form_data(api_url=typed))

    assert response.status_code == 400
    assert message in response.context["sync_form"].errors["api_url"][0]
    assert OktaOrg.load().api_url == ""


def test_plain_http_is_accepted_for_loopback(admin_client):
    admin_client.post(SETTINGS_URL, form_data(api_url="http://127.0.0.1:8900"))
    assert OktaOrg.load().api_url == "http://127.0.0.1:8900"


def test_token_is_write_only_masked_encrypted_and_kept_when_left_empty(
    admin_client, okta_authentication
):
    admin_client.post(SETTINGS_URL, form_data())
    saved = OktaOrg.load()
    assert "00abcdefghijklmnWXYZ" not in saved.api_token_encrypted
    assert decrypt_token(saved.api_token_encrypted) == "00abcdefghijklmnWXYZ"

    html = admin_client.get(SETTINGS_URL).content.decode()
    assert "00abcdefghijklmnWXYZ" not in html and "••••••••WXYZ" in html
    assert "Saved (••••••••WXYZ), leave empty to keep." in html

    admin_client.post(SETTINGS_URL, form_data(api_token="", app_id="0oa123"))
    saved = OktaOrg.load()
    assert saved.app_id == "0oa123"
    assert decrypt_token(saved.api_token_encrypted) == "00abcdefghijklmnWXYZ"
    events = AuditEvent.objects.filter(action="okta_sync.settings_updated").order_by("pk")
    assert events.count() == 2
    assert "00abcdefghijklmnWXYZ" not in str(list(events.values_list("detail", flat=True)))
    assert events.last().detail == {
        "source": "console",
        "changed": ["app_id"],
        "api_token_replaced": False,
    }


def test_a_mis_pasted_token_is_refused_on_save_without_echoing_it(admin_client):
    response = admin_client.post(SETTINGS_URL, form_data(api_token="00abc deféWXYZ"))

    assert response.status_code == 400
    errors = response.context["sync_form"].errors["api_token"]
    assert errors and "paste it again" in errors[0]
    assert "00abc" not in response.content.decode()
    assert not OktaOrg.load().has_token


def test_enabling_without_a_token_is_refused(admin_client):
    response = admin_client.post(SETTINGS_URL, form_data(api_token=""))
    assert response.context["sync_form"].errors["api_token"] == ["Enter the Okta API token."]


def test_invalid_cron_expression_is_refused_beside_its_field(admin_client):
    response = admin_client.post(SETTINGS_URL, form_data(frequency="cron", cron="61 * * * *"))

    assert response.status_code == 400
    assert "cron expression is not valid" in response.context["sync_form"].errors["cron"][0]


def test_scim_warning_shows_while_scim_provisioning_is_enabled(admin_client, okta_authentication):
    provisioning = apps.get_model("scim", "ProvisioningSettings")
    assert "may affect synchronization" not in admin_client.get(SETTINGS_URL).content.decode()

    provisioning.objects.update_or_create(pk=1, defaults={"enabled": True})

    html = admin_client.get(SETTINGS_URL).content.decode()
    assert "may affect synchronization" in html
    assert "inbound user synchronization from Okta" in html and "outbound" not in html


def test_dry_run_with_an_invalid_token_says_so_beside_the_token(admin_client, fake_org):
    data = form_data(op="dry_run", api_url=fake_org.base_url, api_token="wrong-token")

    response = admin_client.post(SETTINGS_URL, data)

    assert response.status_code == 400
    error = response.context["sync_form"].errors["api_token"][0]
    assert "invalid (E0000011)" in error
    assert not SyncRun.objects.exists()


def test_dry_run_with_a_token_lacking_permission_names_E0000006(admin_client, fake_org):
    data = form_data(op="dry_run", api_url=fake_org.base_url, api_token="read-nothing")
    response = admin_client.post(SETTINGS_URL, data)
    assert "E0000006" in response.context["sync_form"].errors["api_token"][0]


def test_dry_run_with_an_unknown_host_says_so_beside_the_url(admin_client):
    data = form_data(op="dry_run", api_url="no-such-org.invalid")
    response = admin_client.post(SETTINGS_URL, data)
    assert "could not be found" in response.context["sync_form"].errors["api_url"][0]


def test_dry_run_of_unsaved_values_plans_without_writing(
    admin_client, fake_org, eager_celery, django_capture_on_commit_callbacks
):
    data = form_data(op="dry_run", api_url=fake_org.base_url, api_token=fake_org.token,
                     scope="directory")  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(SETTINGS_URL, data)

    run = SyncRun.objects.get()
    assert response.url == reverse("okta_sync_run", args=[run.pk])
    assert (run.kind, run.status) == (RunKind.DRY_RUN, RunStatus.SUCCEEDED)
    assert run.counts["users_create"] == 5
    assert not User.objects.filter(auth_provider="okta").exists()
    assert not OktaOrg.load().has_token  # a Dry Run saves nothing
    page = admin_client.get(response.url).content.decode()
    assert "Would create" in page and "ada@corp.example" in page


def test_synchronize_queues_a_run_and_the_page_shows_its_result(
    admin_client, sync_settings, eager_celery, django_capture_on_commit_callbacks, owner
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(SETTINGS_URL, {"op": "synchronize"})

    run = SyncRun.objects.get()
    assert (run.kind, run.status, run.started_by) == (RunKind.MANUAL, RunStatus.SUCCEEDED, owner)
    assert User.objects.filter(auth_provider="okta").count() == 5
    progress = admin_client.get(reverse("okta_sync_run_progress", args=[run.pk])).json()
    assert progress["finished"] and progress["counts"]["users_create"] == 5
    assert progress["progress"]["pages"] >= 4
    assert "Created" in admin_client.get(response.url).content.decode()


def test_a_second_start_says_a_run_is_in_progress(admin_client, sync_settings):
    admin_client.post(SETTINGS_URL, {"op": "synchronize"})  # queued, no worker in this test
    first = SyncRun.objects.get()

    response = admin_client.post(SETTINGS_URL, {"op": "synchronize"}, follow=True)

    assert SyncRun.objects.count() == 1
    assert "already in progress" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("okta_sync_run", args=[first.pk])


def test_progress_endpoint_reports_phase_pages_users_and_waits(admin_client, sync_settings):
    admin_client.post(SETTINGS_URL, {"op": "synchronize"})
    run = SyncRun.objects.get()
    SyncRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, phase="Reading users",
        progress={"pages": 3, "users": 600, "rate_limit_waits": 1},
    )  # fmt: skip

    body = admin_client.get(reverse("okta_sync_run_progress", args=[run.pk])).json()

    assert (body["finished"], body["phase"], body["status_label"]) == (
        False,
        "Reading users",
        "Running",
    )
    assert body["progress"] == {"pages": 3, "users": 600, "rate_limit_waits": 1}
    page = admin_client.get(reverse("okta_sync_run", args=[run.pk])).content.decode()
    assert "data-progress-url" in page and "sync/progress.js" in page


def test_history_lists_every_run_with_who_started_it(admin_client, run_sync):
    run_sync(RunKind.DRY_RUN)
    run_sync()
    run_sync(RunKind.SCHEDULED, full=False)

    html = admin_client.get(reverse("okta_sync_history")).content.decode()

    for label in ("Dry Run", "Manual", "Scheduled", "Succeeded", "test"):
        assert label in html


def test_history_shows_errors(admin_client, run_sync, sync_settings):
    OktaOrg.objects.update(api_token_encrypted=encrypt_token("wrong"))
    run_sync()
    assert "E0000011" in admin_client.get(reverse("okta_sync_history")).content.decode()


PAGES = [
    ("get", SETTINGS_URL),
    ("post", SETTINGS_URL),
    ("get", "/administrator/authentication/okta-sync/history/"),
    ("get", "/administrator/authentication/okta-sync/runs/1/"),
    ("get", "/administrator/authentication/okta-sync/runs/1/progress.json"),
    ("post", "/administrator/authentication/okta-sync/runs/1/confirm/"),
]


@pytest.mark.parametrize(("method", "url"), PAGES)
def test_every_page_and_endpoint_is_for_admins_only(client, plain_user, method, url):
    assert getattr(client, method)(url).status_code == 302  # anonymous: to sign-in
    client.force_login(plain_user)
    assert getattr(client, method)(url).status_code == 403


def test_settings_form_needs_a_csrf_token(owner):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)

    assert strict.post(SETTINGS_URL, form_data()).status_code == 403
    assert not OktaOrg.load().enabled


def test_run_page_labels_samples_and_duration_for_people():
    from datetime import timedelta

    from django.utils import timezone

    from sync.models import SyncRun

    start = timezone.now()
    run = SyncRun(started_at=start, finished_at=start + timedelta(seconds=125))
    run.samples = {"users_create": ["a@x.io"], "memberships_add": [], "groups_delete": ["ops"]}
    assert run.duration_text == "2 min 05 s"
    assert run.sample_rows == [("Users: create", ["a@x.io"]), ("Groups: delete", ["ops"])]


@pytest.mark.parametrize("op", ["save", "dry_run"])
def test_a_saved_token_is_not_sent_to_a_changed_api_url(admin_client, sync_settings, op):
    """Pointing the URL at another server must not hand it the write-only token."""
    before = OktaOrg.load()
    data = form_data(op=op, api_url="https://attacker.example", api_token="")

    response = admin_client.post(SETTINGS_URL, data)

    assert response.status_code == 400
    assert "enter the API token again" in response.context["sync_form"].errors["api_token"][0]
    assert OktaOrg.load().api_url == before.api_url
    assert not SyncRun.objects.exists()


def test_a_saved_token_is_kept_when_the_api_url_is_unchanged(admin_client, sync_settings):
    data = form_data(api_url=sync_settings.api_url, api_token="", app_id="0oa999")
    assert admin_client.post(SETTINGS_URL, data).status_code == 302
    assert OktaOrg.load().app_id == "0oa999"
