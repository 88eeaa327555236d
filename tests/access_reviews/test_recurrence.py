"""Recurring campaigns on django-celery-beat, reminders two days before the due date (each
sent once), and closing at the due date; on pinned dates that cross month and quarter ends."""

import json
from datetime import date

from django.core import mail
from django_celery_beat.models import PeriodicTask
from freezegun import freeze_time

from access_reviews import tasks
from access_reviews.models import Campaign, CampaignStatus, Decision, Recurrence
from access_reviews.service import campaigns, decisions
from access_reviews.service.launch import launch
from access_reviews.service.recurrence import add_months
from querypie_admin.models import AuditEvent

from .conftest import campaign

NEW = "/administrator/access-reviews/new/"


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 3, 31), 3) == date(2026, 6, 30)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2027, 12, 15), 1) == date(2028, 1, 15)


def test_a_quarterly_campaign_gets_its_beat_schedule(client, collected, people):
    client.force_login(people.owner)
    client.post(
        NEW,
        {
            "name": "Quarterly Slack",
            "subject": "app_access",
            "scope_apps": [collected.slack.id],
            "starts_on": "2026-03-31",
            "due_on": "2026-04-14",
            "reviewer_source": "named",
            "reviewer": "auditor@corp.example",
            "fallback_reviewer": "owner@corp.example",
            "recurrence": "quarterly",
            "remediation_timing": "at_close",
            "guard_percent": "20",
        },
    )
    c = Campaign.objects.get()
    task = PeriodicTask.objects.get(task="access_reviews.tasks.create_occurrence")
    assert json.loads(task.args) == [c.pk] and task.enabled
    cron = task.crontab
    assert (cron.minute, cron.hour, cron.day_of_month, cron.month_of_year) == (
        "5",
        "0",
        "28-31",
        "3,6,9,12",
    )


def test_a_campaign_that_runs_once_has_no_schedule(people):
    c = campaign(people)
    campaigns.create(c, people.owner)
    assert not PeriodicTask.objects.filter(task="access_reviews.tasks.create_occurrence").exists()


def test_each_occurrence_is_its_own_campaign_launched_on_its_start_date(collected, people):
    c = campaign(
        people,
        name="Quarterly Slack",
        scope_okta_ids=[collected.slack.id],
        starts_on=date(2026, 3, 31),
        due_on=date(2026, 4, 14),
        recurrence=Recurrence.QUARTERLY,
    )
    launch(c, people.owner)
    with freeze_time("2026-06-29 00:05:00"):
        assert tasks.create_occurrence(c.pk) == {
            "skipped": "no occurrence starts today, or it exists"
        }
    with freeze_time("2026-06-30 00:05:00"):
        result = tasks.create_occurrence(c.pk)
        again = tasks.create_occurrence(c.pk)  # beat fires on days 28-31: once only
    occurrence = Campaign.objects.get(repeats=c)
    assert result == {"occurrence": occurrence.pk, "launched": True, "items": 3}
    assert again["skipped"]
    assert (occurrence.name, occurrence.starts_on, occurrence.due_on, occurrence.status) == (
        "Quarterly Slack (2026-06-30)",
        date(2026, 6, 30),
        date(2026, 7, 14),
        CampaignStatus.ACTIVE,
    )
    assert occurrence.recurrence == Recurrence.ONCE
    assert c.items.count() == occurrence.items.count() == 3
    event = AuditEvent.objects.filter(action="access_review.launched").latest("id")
    assert event.actor_label == "Access review schedule"


def test_a_monthly_campaign_from_the_31st_recurs_at_each_months_end(collected, people):
    c = campaign(
        people,
        scope_okta_ids=[collected.slack.id],
        starts_on=date(2026, 1, 31),
        due_on=date(2026, 2, 10),
        recurrence=Recurrence.MONTHLY,
    )
    with freeze_time("2026-02-28 00:05:00"):
        tasks.create_occurrence(c.pk)
    with freeze_time("2026-03-31 00:05:00"):
        tasks.create_occurrence(c.pk)
    starts = list(c.occurrences.order_by("starts_on").values_list("starts_on", "due_on"))
    assert starts == [
        (date(2026, 2, 28), date(2026, 3, 10)),
        (date(2026, 3, 31), date(2026, 4, 10)),
    ]


def launched_slack_review(org, people, starts_on: date, due_on: date) -> Campaign:
    """Slack's access (3 items), reviewed by the auditor, launched; launch emails cleared."""
    c = campaign(people, scope_okta_ids=[org.slack.id], starts_on=starts_on, due_on=due_on)
    launch(c, people.owner)
    mail.outbox.clear()
    return c


def test_reminders_go_two_days_before_the_due_date_once(collected, people):
    c = launched_slack_review(collected, people, date(2026, 3, 20), date(2026, 4, 2))
    with freeze_time("2026-03-30 07:00:00"):
        assert tasks.daily()["reminded"] == []
    with freeze_time("2026-03-31 07:00:00"):
        assert tasks.daily()["reminded"] == [c.pk]
    with freeze_time("2026-04-01 07:00:00"):
        assert tasks.daily()["reminded"] == []
    assert [m.to for m in mail.outbox] == [["auditor@corp.example"]]
    assert "is due 2026-04-02 (3 items left)" in mail.outbox[0].subject


def test_reviewers_with_nothing_left_get_no_reminder(collected, people):
    c = launched_slack_review(collected, people, date(2026, 3, 20), date(2026, 4, 1))
    items = list(c.items.values_list("pk", flat=True))
    decisions.decide_many(c, people.auditor, items, Decision.REVOKE, "Nobody uses Slack")
    tasks.daily()
    assert mail.outbox == []


def test_an_extended_campaign_is_reminded_again_before_its_new_date(collected, people):
    c = launched_slack_review(collected, people, date(2026, 3, 20), date(2026, 4, 1))
    tasks.daily()
    campaigns.extend(c, people.owner, date(2026, 5, 1))
    with freeze_time("2026-04-29 07:00:00"):
        tasks.daily()
    subjects = [m.subject for m in mail.outbox if m.subject.startswith("Reminder")]
    assert len(subjects) == 2 and "is due 2026-05-01" in subjects[1]


def test_the_schedule_closes_a_campaign_after_its_due_date(collected, people):
    c = launched_slack_review(collected, people, date(2026, 3, 20), date(2026, 3, 31))
    with freeze_time("2026-03-31 07:00:00"):
        assert tasks.daily()["closed"] == []
    with freeze_time("2026-04-01 07:00:00"):
        assert tasks.daily()["closed"] == [c.pk]
    c.refresh_from_db()
    assert (c.status, c.closed_by) == (CampaignStatus.CLOSED, None)
    event = AuditEvent.objects.get(action="access_review.closed")
    assert event.actor_label == "Access review schedule" and event.detail["early"] is False


def test_launch_creates_the_daily_schedule(collected, people):
    launch(campaign(people, scope_okta_ids=[collected.slack.id]), people.owner)
    task = PeriodicTask.objects.get(task="access_reviews.tasks.daily")
    assert (task.crontab.hour, task.crontab.minute, task.enabled) == ("7", "0", True)
