"""Requests to /api/okta/event-hook without a valid secret are anonymous: the first of an
address in a minute is audited (`event_hook.delivery_refused`), the rest only counted on it
(querypie_admin/audit_throttle.py). The clock is pinned: windows are whole minutes."""

import datetime

import pytest
from freezegun import freeze_time

from event_hooks.service import configure
from querypie_admin.directory import Caller
from querypie_admin.models import AuditEvent

pytestmark = pytest.mark.django_db
URL = "/api/okta/event-hook"
MINUTE = datetime.datetime(2026, 3, 7, 9, 0, 5, tzinfo=datetime.UTC)
ELSEWHERE = "198.51.100.7"


def refusals() -> list[tuple[str, str, int]]:
    events = AuditEvent.objects.filter(action="event_hook.delivery_refused").order_by("id")
    return [(e.ip_address, e.outcome, e.detail["repeated"]) for e in events]


def test_three_hundred_posts_without_the_secret_are_one_event_with_the_count(client):
    configure.new_secret(Caller.command("test"))
    with freeze_time(MINUTE) as clock:
        for n in range(300):
            headers = {"Authorization": f"wrong-{n}"}
            assert (
                client.post(URL, "{}", content_type="application/json", headers=headers).status_code
                == 401
            )
        assert client.get(URL, REMOTE_ADDR=ELSEWHERE).status_code == 401
        clock.tick(datetime.timedelta(seconds=60))
        assert client.post(URL, "{}", content_type="application/json").status_code == 401

    assert refusals() == [
        ("127.0.0.1", "failure", 299),
        (ELSEWHERE, "failure", 0),
        ("127.0.0.1", "failure", 0),
    ]
    first = AuditEvent.objects.filter(action="event_hook.delivery_refused").earliest("id")
    assert first.detail == {
        "reason": "no valid event hook secret",
        "method": "POST",
        "repeated": 299,
    }
    assert "wrong-" not in str(first.detail)  # what was sent as a secret is never kept
