"""The System Log polled as Okta documents it, against the fake Okta over HTTP: ascending,
no `until`, follow `next`, stop on an empty page, never build `after`, the link stored with
the events it delivered, each event stored once."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from okta.client import OktaClient
from okta_insights.models import AppSignIn, LogCursor, OktaEvent, RunStatus
from tests.okta_insights.fixtures import days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_pages(monkeypatch):
    """Three events a page, so a handful of events spans several pages."""
    monkeypatch.setattr(OktaClient, "LOGS_LIMIT", 3)


def log_requests(fake):
    return fake.requests_to("logs")


def stored_uuids() -> list[str]:
    return list(OktaEvent.objects.values_list("uuid", flat=True))


def unique_uuids(org) -> set[str]:
    return {event["uuid"] for event in org.directory.system_log.events()}


def test_first_poll_is_ascending_without_until_and_reads_back_seven_days(org, collect, fake):
    old = org.directory.system_log.append(
        org.event(org.ada, days=10), stored_at=days_ago(10).timestamp()
    )
    recent = org.sign_in(org.alan, days=3)

    run = collect("system_log")

    assert run.status == RunStatus.SUCCEEDED, run.results
    first = log_requests(fake)[0].params
    assert first["sortOrder"] == "ASCENDING" and "until" not in first and "after" not in first
    since = timezone.datetime.fromisoformat(first["since"].replace("Z", "+00:00"))
    assert abs(since - (timezone.now() - timedelta(days=7))) < timedelta(minutes=1)
    assert recent["uuid"] in stored_uuids() and old["uuid"] not in stored_uuids()


def test_a_round_stops_at_the_first_empty_page_although_okta_always_sends_next(
    org, collect, fake, small_pages
):
    for _ in range(5):
        org.sign_in(org.grace)
    events = len(org.directory.system_log)

    collect("system_log")

    requests = log_requests(fake)
    pages = -(-events // 3)
    assert len(requests) == pages + 1  # the last one came back empty
    assert OktaEvent.objects.count() == events

    collect("system_log")  # nothing new: one request, the stored link, an empty page
    assert len(log_requests(fake)) == pages + 2


def test_no_request_ever_carries_an_after_the_client_built(org, collect, fake, small_pages):
    for _ in range(7):
        org.sign_in(org.ada)
    collect("system_log")
    org.sign_in(org.alan)
    collect("system_log")

    afters = [r.params["after"] for r in log_requests(fake) if "after" in r.params]
    assert afters and set(afters) <= org.directory.system_log.issued
    assert all(r.status == 200 for r in log_requests(fake))
    assert LogCursor.load().next_url.startswith(f"{fake.base_url}/api/v1/logs?after=")


def test_duplicates_and_late_out_of_order_events_are_stored_exactly_once(
    org, collect, fake, small_pages
):
    log = org.directory.system_log
    log.overlap = 1  # every page starts with the last event of the one before
    firsts = [org.sign_in(org.ada, org.slack, days=0.1) for _ in range(4)]
    log.deliver_again(firsts[1]["uuid"])
    collect("system_log")
    late = org.sign_in(org.grace, org.slack, days=2)  # arrives now, happened two days ago
    log.deliver_again(late["uuid"])

    collect("system_log")

    assert len(log.events()) > len(unique_uuids(org))  # the fake did deliver duplicates
    assert sorted(stored_uuids()) == sorted(unique_uuids(org))
    assert (
        OktaEvent.objects.get(uuid=late["uuid"]).published
        < OktaEvent.objects.get(uuid=firsts[0]["uuid"]).published
    )


def test_a_500_midway_keeps_the_pages_before_it_and_the_next_round_resumes_there(
    org, collect, fake, small_pages
):
    for _ in range(10):
        org.sign_in(org.alan)
    fake.faults.fail_page("logs", page=3, status=500, times=50)

    failed = collect("system_log")

    assert failed.status == RunStatus.FAILED
    assert "HTTP 500" in failed.results["system_log"]["error"]
    assert OktaEvent.objects.count() == 6  # pages 1 and 2, with the link to page 3
    resume_at = LogCursor.load().next_url
    fake.faults.clear()

    run = collect("system_log")

    assert run.status == RunStatus.SUCCEEDED
    assert sorted(stored_uuids()) == sorted(unique_uuids(org))
    after = parse_qs(urlsplit(resume_at).query)["after"][0]
    resumed = [r for r in log_requests(fake) if r.params.get("after") == after]
    assert [r.status for r in resumed][-1] == 200


def test_429s_on_the_small_logs_bucket_are_waited_out(org, collect, fake, small_pages, okta_clock):
    for _ in range(6):
        org.sign_in(org.ada)
    fake.faults.throttle(2, endpoint="logs", reset_in=20)

    run = collect("system_log")

    assert run.status == RunStatus.SUCCEEDED
    assert [r.status for r in log_requests(fake)][:2] == [429, 429]
    assert sum(okta_clock.sleeps) >= 40
    assert OktaEvent.objects.count() == len(unique_uuids(org))


def test_the_client_keeps_to_its_share_of_the_logs_bucket(
    org, collect, fake, small_pages, okta_clock
):
    fake.rate_limiter.overrides["logs"] = 4
    for _ in range(12):
        org.sign_in(org.ada)

    run = collect("system_log")

    assert run.status == RunStatus.SUCCEEDED
    assert all(r.status == 200 for r in log_requests(fake))  # paced, never throttled
    assert run.progress["rate_limit_waits"] >= 2 and okta_clock.sleeps


def test_sign_ins_to_apps_keep_the_latest_whatever_the_arrival_order(org, collect):
    org.sign_in(org.ada, org.slack, days=1)
    collect("system_log")
    org.sign_in(org.ada, org.slack, days=4)  # older, arrives later

    collect("system_log")

    latest = AppSignIn.objects.get(user_okta_id=org.ada.id, app_okta_id=org.slack.id).last_at
    assert abs(latest - days_ago(1)) < timedelta(minutes=1)


def test_a_page_without_a_next_link_stops_with_a_clear_error(org, fake):
    org.sign_in(org.ada)
    bounded = f"{fake.base_url}/api/v1/logs?until=2099-01-01T00:00:00.000Z"

    with OktaClient(fake.base_url, fake.token) as client, pytest.raises(Exception) as failure:
        client.fetch_system_log_page(bounded)

    assert "no next link" in str(failure.value)
