"""Collection runs on the sync's Replication Frequency (django-celery-beat), the System Log
every few minutes, retention nightly; retention drops whole old months."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.schedules import schedule
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from okta_insights import tasks
from okta_insights.collect import partitions
from okta_insights.collect.retention import enforce_retention
from okta_insights.collect.schedule import (
    COLLECTION_TASK_NAME,
    RETENTION_TASK_NAME,
    SYSTEM_LOG_TASK_NAME,
)
from okta_insights.models import AppSignIn, CollectionRun, CollectionSettings, OktaEvent, RunLane
from querypie_admin.celery import app as celery_app
from tests.okta_insights.fixtures import SETTINGS, days_ago, settings_form
from tests.sync.test_sync_console import SETTINGS_URL as SYNC_SETTINGS
from tests.sync.test_sync_console import form_data as sync_form

pytestmark = pytest.mark.django_db


def save_collection(client, **fields) -> None:
    assert client.post(SETTINGS, settings_form(**fields)).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_collection_follows_the_replication_frequency_and_beat_sees_every_change(owner, client):
    client.force_login(owner)
    save_collection(client)
    beat = DatabaseScheduler(app=celery_app)
    assert beat.schedule[SYSTEM_LOG_TASK_NAME].schedule == schedule(timedelta(minutes=5))
    assert COLLECTION_TASK_NAME not in beat.schedule  # no Replication Frequency yet

    client.post(SYNC_SETTINGS, sync_form(frequency="minutes", every_minutes="45"))

    assert beat.schedule[COLLECTION_TASK_NAME].schedule == schedule(timedelta(minutes=45))
    assert beat.schedule[COLLECTION_TASK_NAME].task == "okta_insights.tasks.scheduled_collection"
    client.post(SYNC_SETTINGS, sync_form(frequency="off"))
    assert COLLECTION_TASK_NAME not in beat.schedule
    save_collection(client, enabled="")
    assert SYSTEM_LOG_TASK_NAME not in beat.schedule
    # Not through beat.schedule: django-celery-beat loads a crontab task only in the hours
    # around its own (03:17), so the test would pass only at night.
    retention = PeriodicTask.objects.get(name=RETENTION_TASK_NAME)
    assert retention.task == "okta_insights.tasks.enforce_retention" and retention.enabled
    assert (retention.crontab.hour, retention.crontab.minute) == ("3", "17")


def test_the_scheduled_tasks_collect_all_or_only_the_system_log(org, connected):
    every = tasks.scheduled_collection()
    log = tasks.scheduled_system_log()

    assert every["status"] == "succeeded" and len(every["results"]) == 6
    assert log["lane"] == RunLane.SYSTEM_LOG and list(log["results"]) == ["system_log"]
    assert CollectionRun.objects.get(pk=log["run"]).started_by_label == "Schedule (System Log)"


def test_the_scheduled_tasks_do_nothing_while_collection_is_off(connected):
    CollectionSettings.objects.filter(pk=1).update(enabled=False)

    assert tasks.scheduled_system_log() == {"skipped": "Okta collection is off."}
    assert not CollectionRun.objects.exists()


# The 5th of a month puts the 6-day-old event in last month's partition, which PostgreSQL
# drops whole (it failed on the 5th and 6th of every month); the 20th deletes it row by row.
@pytest.mark.parametrize(
    "today",
    [
        pytest.param("5th", marks=pytest.mark.clock("2026-03-05 12:00")),
        pytest.param("20th", marks=pytest.mark.clock("2026-03-20 12:00")),
    ],
)
def test_retention_deletes_activity_older_than_the_period(org, collect, today):
    org.sign_in(org.ada, org.slack, days=2)
    org.sign_in(org.alan, org.slack, days=6)
    collect("system_log")
    CollectionSettings.objects.filter(pk=1).update(retention_days=4)

    result = enforce_retention()

    assert result["events_deleted"] == 1 and result["sign_ins_deleted"] == 1
    assert not OktaEvent.objects.filter(actor_id=org.alan.id).exists()
    assert list(AppSignIn.objects.values_list("user_okta_id", flat=True)) == [org.ada.id]


def test_retention_drops_whole_old_months_as_partitions(org, collect):
    for days in (1, 70, 100):
        org.directory.system_log.append(org.event(org.grace, days=days))
    collect("system_log")
    months = {partitions.month_of(days_ago(d)) for d in (1, 70, 100)}
    assert len(partition_names()) >= len(months) >= 3
    CollectionSettings.objects.filter(pk=1).update(retention_days=40)

    result = enforce_retention()

    oldest_kept = partitions.month_of(timezone.now() - timedelta(days=40))
    assert result["partitions_dropped"] == [
        f"okta_insights_oktaevent_p{y:04d}{m:02d}"
        for y, m in sorted(months)
        if (y, m) < oldest_kept
    ]
    assert OktaEvent.objects.count() == len(org.directory.system_log) - 2


def partition_names() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'okta_insights_oktaevent'::regclass"
        )
        return [row[0] for row in cursor.fetchall()]
