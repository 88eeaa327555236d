"""The System Log cursor follows the Okta API URL, and an administrator can start it over.

The cursor is the `next` link Okta sent, which names Okta's host. After the API URL changed,
every collection asked the old host (the client refuses a link to another origin) and failed,
with no way to reset it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse
from freezegun import freeze_time

from fake_okta import FakeOkta
from okta_insights.models import LogCursor, OktaEvent, RunStatus
from querypie_admin.models import AuditEvent
from tests.foundation.conftest import Person, messages_of
from tests.okta_insights.fixtures import SETTINGS, connect, days_ago

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 1, 0, 30, tzinfo=UTC)  # the first read crosses into February


def first_since(server: FakeOkta) -> datetime:
    """The `since` of the first System Log request this server received."""
    since = server.requests_to("logs")[0].params["since"]
    return datetime.fromisoformat(since.replace("Z", "+00:00"))


def logged(org, person, days: float) -> str:
    """A sign-in Okta stored `days` before now; its uuid."""
    event = org.event(person, days=days)
    return org.directory.system_log.append(event, stored_at=days_ago(days).timestamp())["uuid"]


def stored() -> set[str]:
    return set(OktaEvent.objects.values_list("uuid", flat=True))


@freeze_time(NOW, tick=True)
def test_after_the_api_url_changes_the_system_log_starts_over_on_the_new_org(
    org, fake, collect, okta_clock
):
    before = logged(org, org.ada, days=3)
    assert collect("system_log").status == RunStatus.SUCCEEDED
    assert LogCursor.load().api_url == fake.base_url
    after = logged(org, org.alan, days=2)

    with FakeOkta(org.directory, clock=okta_clock.time, rate_limits={"logs": 60}) as moved:
        connect(moved)
        run = collect("system_log")

    assert run.status == RunStatus.SUCCEEDED, run.results
    note = run.results["system_log"]["note"]
    assert note == (
        f"The Okta API URL changed from {fake.base_url} to {moved.base_url}: "
        "the System Log started over from 7 days back."
    )
    assert abs(first_since(moved) - (NOW - timedelta(days=7))) < timedelta(minutes=1)
    assert {before, after} <= stored()
    cursor = LogCursor.load()
    assert cursor.api_url == moved.base_url
    assert urlsplit(cursor.next_url).netloc == urlsplit(moved.base_url).netloc
    event = AuditEvent.objects.get(action="okta_insights.system_log_started_over")
    assert event.detail == {
        "reason": "API URL changed",
        "from": fake.base_url,
        "to": moved.base_url,
        "days": 7,
    }


@freeze_time(NOW, tick=True)
def test_the_same_api_url_keeps_its_cursor(org, fake, collect):
    logged(org, org.ada, days=1)
    collect("system_log")
    kept = LogCursor.load().next_url

    run = collect("system_log")

    assert "note" not in run.results["system_log"]
    assert fake.requests_to("logs")[-1].params == dict(parse_qsl(urlsplit(kept).query))
    assert not AuditEvent.objects.filter(action="okta_insights.system_log_started_over")


@freeze_time(NOW, tick=True)
def test_an_admin_starts_the_system_log_over_from_n_days_back(org, fake, collect, system_admin):
    """Starting over is not a change of trust: a System Admin may do it."""
    collect("system_log")
    old = logged(org, org.grace, days=20)  # older than the first read went back
    admin = Person(system_admin)

    page = admin.get(SETTINGS)
    response = admin.post(SETTINGS, {"op": "start_over", "days": "30"}, follow=True)

    assert page.context["start_over"]["days"].value() == 7
    assert messages_of(response) == [
        "The next collection reads the System Log again from 30 days back "
        "(Collect now to start it at once)."
    ]
    event = AuditEvent.objects.get(action="okta_insights.system_log_started_over")
    assert (event.actor_label, event.detail) == (
        system_admin.login_id,
        {"source": "console", "days": 30},
    )
    assert LogCursor.load().next_url == ""
    requests_before = len(fake.requests_to("logs"))

    assert collect("system_log").status == RunStatus.SUCCEEDED
    since = fake.requests_to("logs")[requests_before].params["since"]
    since = datetime.fromisoformat(since.replace("Z", "+00:00"))
    assert abs(since - (NOW - timedelta(days=30))) < timedelta(minutes=1)
    assert old in stored()
    assert LogCursor.load().start_from is None


@pytest.mark.parametrize("days", ["0", "91", "-1", "ten", "", "1e3"])
def test_a_bad_number_of_days_is_a_clear_error_and_changes_nothing(
    admin_client, days, org, collect
):
    collect("system_log")
    kept = LogCursor.load().next_url

    response = admin_client.post(SETTINGS, {"op": "start_over", "days": days})

    assert response.status_code == 400
    assert response.context["start_over"].errors["days"]
    assert LogCursor.load().next_url == kept
    assert not AuditEvent.objects.filter(action="okta_insights.system_log_started_over")


def test_start_over_needs_its_csrf_token(owner):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    LogCursor.objects.update_or_create(pk=1, defaults={"next_url": "https://x/api/v1/logs"})

    assert client.post(SETTINGS, {"op": "start_over", "days": "5"}).status_code == 403
    assert LogCursor.load().next_url == "https://x/api/v1/logs"


def test_a_user_cannot_start_the_system_log_over(user_factory):
    from django.test import Client

    client = Client()
    client.force_login(user_factory())

    assert client.post(SETTINGS, {"op": "start_over", "days": "5"}).status_code == 403
    assert LogCursor.load().start_from is None


def test_the_settings_page_offers_start_over(admin_client):
    html = admin_client.get(reverse("okta_visibility")).content.decode()
    assert 'name="op" value="start_over"' in html and 'name="days"' in html


@pytest.mark.django_db(transaction=True)
def test_a_cursor_saved_before_the_upgrade_belongs_to_the_host_of_its_link():
    """Otherwise the first collection after the upgrade would start over for nothing."""
    from tests.foundation.test_link_migration import migrate

    old = migrate([("okta_insights", "0002_partition_events_by_month")])
    link = "https://acme.okta.com/api/v1/logs?after=1700000000000_1&limit=1000"
    old.get_model("okta_insights", "LogCursor").objects.create(pk=1, next_url=link)

    migrate()

    assert LogCursor.load().api_url == "https://acme.okta.com"
