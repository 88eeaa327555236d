"""The Okta pages as an administrator uses them: settings and the permission check,
Applications, Activity, Access review with CSV, a user's page; bad input is a clear 400,
never a 500; forms need their CSRF token."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from fake_okta.roles import forbid_role_reads
from okta_insights.models import CollectionSettings, OktaApp, OktaEvent
from querypie_admin.models import AuditEvent, LinkSource
from sso.models import SamlSettings
from tests.factories import okta_user
from tests.okta_insights.fixtures import SETTINGS, settings_form

pytestmark = pytest.mark.django_db


def test_saving_the_settings_is_audited_and_schedules_the_system_log(admin_client):
    response = admin_client.post(SETTINGS, settings_form(log_every_minutes="10"))

    assert response.status_code == 302
    saved = CollectionSettings.load()
    assert saved.enabled and saved.log_every_minutes == 10
    task = PeriodicTask.objects.get(name="Okta System Log")
    assert (task.interval.every, task.interval.period) == (10, "minutes")
    event = AuditEvent.objects.get(action="okta_insights.settings_updated")
    assert set(event.detail["changed"]) == {"enabled", "log_every_minutes"}


def test_bad_settings_are_refused_beside_their_field_and_nothing_is_saved(admin_client):
    response = admin_client.post(SETTINGS, settings_form(first_read_days="365"))

    assert response.status_code == 400
    assert "first_read_days" in response.context["form"].errors
    assert not CollectionSettings.load().enabled


def test_forms_need_their_csrf_token(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    assert client.post(SETTINGS, settings_form()).status_code == 403
    assert not CollectionSettings.load().enabled


def test_the_permission_check_says_which_datasets_the_token_can_read(admin_client, connected):
    forbid_role_reads(connected.faults)

    response = admin_client.post(SETTINGS, {"op": "check"}, follow=True)

    html = response.content.decode()
    assert "Permissions checked with the saved API token." in html
    rows = {line.split("</th>")[0].rsplit(">", 1)[-1]: line for line in html.split("<tr><th>")[1:]}
    assert "Not readable with this token" in rows["Admin roles"]
    for dataset in ("Users", "Groups", "Applications", "MFA factors", "System Log"):
        assert "Readable" in rows[dataset] and "Not readable" not in rows[dataset], dataset


def test_the_permission_check_without_a_token_says_what_to_do(admin_client):
    response = admin_client.post(SETTINGS, {"op": "check"}, follow=True)

    assert "Save the Okta API URL and API Token first." in response.content.decode()


def test_applications_list_and_who_can_reach_one(admin_client, org, collect):
    org.sign_in(org.grace, org.slack, days=1)
    collect()

    html = admin_client.get(reverse("okta_applications")).content.decode()
    assert "Slack" in html and "OpenID Connect" in html and "GitHub" in html
    slack = OktaApp.objects.get(okta_id=org.slack.id)
    detail = admin_client.get(reverse("okta_application", kwargs={"pk": slack.pk}))
    html = detail.content.decode()
    assert "Through group Engineers" in html and "Directly" in html
    assert html.count("Never seen") == 2  # ada and alan; grace signed in yesterday


def test_activity_search_filters_and_pages_by_keyset(admin_client, org, collect, monkeypatch):
    monkeypatch.setattr("okta_insights.reports.activity.PAGE_SIZE", 2)
    for days in (1, 2, 3):
        org.sign_in(org.ada, org.slack, days=days)
    org.sign_in(org.alan, org.github, days=1)
    collect()
    url = reverse("okta_activity")

    first = admin_client.get(url, {"actor": "ADA@corp", "event_type": "user.authentication.*"})
    events = first.context["page"].events
    assert [e.actor_alternate_id for e in events] == ["ada@corp.example"] * 2
    older = admin_client.get(
        url,
        {
            "actor": "ada@corp",
            "event_type": "user.authentication.*",
            "before": first.context["page"].older,
        },
    )
    assert len(older.context["page"].events) == 1 and not older.context["page"].older
    assert older.context["page"].newer
    by_target = admin_client.get(url, {"target": "github", "outcome": "SUCCESS"})
    assert [e.actor_alternate_id for e in by_target.context["page"].events] == ["alan@corp.example"]


@pytest.mark.parametrize(
    "params",
    [
        {"since": "yesterday"},
        {"since": "2026-02-01T00:00", "until": "2026-01-01T00:00"},
        {"outcome": "MAYBE"},
    ],
)
def test_bad_activity_filters_are_refused_beside_the_field(admin_client, params):
    response = admin_client.get(reverse("okta_activity"), params)

    assert response.status_code == 400
    assert response.context["form"].errors
    assert 'role="alert"' in response.content.decode()


@pytest.mark.parametrize("params", [{"before": "not-a-cursor"}, {"after": "%%%"}])
def test_a_page_token_that_is_not_ours_shows_the_first_page(admin_client, org, collect, params):
    org.sign_in(org.ada)
    collect()

    response = admin_client.get(reverse("okta_activity"), params)

    assert response.status_code == 200 and len(response.context["page"].events) == 6


def test_an_event_shows_what_okta_sent(admin_client, org, collect):
    sent = org.sign_in(org.ada, org.slack)
    collect()
    event = OktaEvent.objects.get(uuid=sent["uuid"])

    html = admin_client.get(reverse("okta_event", kwargs={"pk": event.pk})).content.decode()

    assert sent["uuid"] in html and "What Okta sent" in html
    assert admin_client.get(reverse("okta_event", kwargs={"pk": 999999})).status_code == 404


def test_access_review_lists_every_report_and_exports_csv(admin_client, org, collect):
    collect()
    index = admin_client.get(reverse("okta_access_review")).content.decode()
    for title in (
        "Stale accounts",
        "Admins without MFA",
        "Super admins",
        "Who can reach an application",
        "Unused assignments",
        "Privilege changes",
    ):
        assert title in index

    response = admin_client.get(reverse("okta_report_stale_accounts"), {"export": "csv"})

    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["Login", "Name", "Okta status", "Last sign-in", "Created in Okta"]
    assert [row[0] for row in rows[1:]] == ["linus@corp.example", "grace@corp.example"]


def test_a_report_with_bad_parameters_is_a_400_beside_the_field(admin_client):
    page = admin_client.get(reverse("okta_report_stale_accounts"), {"days": "-3"})
    export = admin_client.get(
        reverse("okta_report_privilege_changes"), {"since": "2026-13-45", "export": "csv"}
    )

    assert page.status_code == 400 and "days" in page.context["form"].errors
    assert export.status_code == 400


def test_an_unreadable_report_page_and_csv_say_not_readable(admin_client, collect, connected):
    forbid_role_reads(connected.faults)
    collect()

    page = admin_client.get(reverse("okta_report_super_admins")).content.decode()
    export = admin_client.get(reverse("okta_report_super_admins"), {"export": "csv"})

    assert "Admin roles: not readable with this token." in page and "None." not in page
    assert export.status_code == 409 and b"not readable with this token" in export.content


def test_a_user_s_page_shows_applications_roles_factors_status_and_activity(
    admin_client, org, collect
):
    org.sign_in(org.alan, org.slack, days=1)
    collect()
    alan = okta_user(LinkSource.OKTA_SYNC, external_id=org.alan.id, login_id="alan@corp.example")

    html = admin_client.get(reverse("user_detail", kwargs={"pk": alan.pk})).content.decode()

    section = html[html.index('id="okta-user-title"') :]
    for text in (
        "ACTIVE",
        "Slack",
        "Through group Engineers",
        "App Auditor (custom role)",
        "Read-Only Administrator",
        "Through group IT Admins",
        "sms",
        "PENDING_ACTIVATION",
        "user.authentication.sso",
    ):
        assert text in section, text


def test_a_user_s_page_says_when_admin_roles_are_not_readable(
    admin_client, org, collect, connected
):
    forbid_role_reads(connected.faults)
    collect()
    ada = okta_user(LinkSource.SCIM, external_id=org.ada.id, login_id="ada@corp.example")

    html = admin_client.get(reverse("user_detail", kwargs={"pk": ada.pk})).content.decode()

    section = html[html.index('id="okta-user-title"') :]
    assert "Not readable with this token." in section and "No admin role." not in section


def test_collect_now_queues_a_run_and_shows_its_progress(
    admin_client, connected, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(SETTINGS, {"op": "collect"})

    assert response.status_code == 302
    run_page = admin_client.get(response["Location"]).content.decode()
    assert "Succeeded" in run_page and "Collected" in run_page
    history = admin_client.get(reverse("okta_collection_history")).content.decode()
    assert "All datasets" in history


def test_the_sync_panel_shows_the_permission_check_beside_the_token(admin_client, connected):
    """The seed's minimal-privilege advice, where the API token is entered."""
    SamlSettings.objects.update_or_create(pk=1, defaults={"authentication_type": "okta"})
    forbid_role_reads(connected.faults)
    admin_client.post(SETTINGS, {"op": "check"})

    panel = admin_client.get(reverse("okta_sync_settings")).content.decode()

    assert "Permission check" in panel and 'value="check"' in panel
    rows = {line.split("</th>")[0].rsplit(">", 1)[-1]: line for line in panel.split("<tr><th>")[1:]}
    assert "Not readable with this token" in rows["Admin roles"]
    assert "Readable" in rows["Applications"] and "Not readable" not in rows["Applications"]
