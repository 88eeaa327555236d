"""Replication Frequency lives in django-celery-beat, so beat follows a change without restart."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.schedules import crontab, schedule
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from querypie_admin.celery import app as celery_app
from sync.engine.runs import start_saved_run
from sync.models import RunKind, RunStatus, SyncRun
from sync.schedule import PERIODIC_TASK_NAME
from sync.tasks import scheduled_sync
from tests.sync.test_sync_console import SETTINGS_URL, form_data

ENTRY = PERIODIC_TASK_NAME


def save(client, **fields) -> None:
    response = client.post(SETTINGS_URL, form_data(**fields))
    assert response.status_code == 302, response.context["sync_form"].errors


@pytest.mark.django_db(transaction=True)
def test_a_changed_schedule_is_picked_up_by_beat_without_restart(client, owner):
    client.force_login(owner)
    save(client, frequency="minutes", every_minutes="15")
    beat = DatabaseScheduler(app=celery_app)
    assert beat.schedule[ENTRY].schedule == schedule(timedelta(minutes=15))
    assert beat.schedule[ENTRY].task == "sync.tasks.scheduled_sync"

    # Beat loads crontab entries only within two hours of their time: pick this hour.
    hour = timezone.localtime().hour
    save(client, frequency="daily", daily_at=f"{hour:02d}:30")

    # The same scheduler object, never restarted, reads the new schedule.
    assert beat.schedule[ENTRY].schedule == crontab(minute="30", hour=str(hour))

    save(client, frequency="cron", cron="0  */6 * * 1-5")
    assert beat.schedule[ENTRY].schedule == crontab("0", "*/6", "1-5", "*", "*")

    save(client, frequency="off")
    assert ENTRY not in beat.schedule


@pytest.mark.django_db
def test_each_frequency_is_stored_as_a_periodic_task(admin_client):
    save(admin_client, frequency="hourly")
    task = PeriodicTask.objects.get(name=ENTRY)
    assert (task.interval.every, task.interval.period, task.crontab) == (1, "hours", None)

    save(admin_client, frequency="cron", cron="15 3 * * *")
    task.refresh_from_db()
    assert task.interval is None and (task.crontab.minute, task.crontab.hour) == ("15", "3")


@pytest.mark.django_db
def test_disabling_sync_removes_the_schedule(admin_client):
    save(admin_client, frequency="hourly")
    save(admin_client, frequency="hourly", enabled="")
    assert not PeriodicTask.objects.filter(name=ENTRY).exists()


@pytest.mark.django_db
def test_every_n_minutes_needs_a_sensible_number(admin_client):
    response = admin_client.post(SETTINGS_URL, form_data(frequency="minutes", every_minutes="1"))
    assert "every_minutes" in response.context["sync_form"].errors


def test_the_scheduled_task_runs_a_sync_started_by_the_schedule(sync_settings):
    result = scheduled_sync()

    run = SyncRun.objects.get()
    assert result["status"] == "succeeded" and run.kind == RunKind.SCHEDULED
    assert run.started_by_label == "Schedule (Replication Frequency)"


def test_the_scheduled_task_skips_while_another_run_is_in_progress(sync_settings):
    start_saved_run(RunKind.MANUAL, label="someone")

    result = scheduled_sync()

    assert "already in progress" in result["skipped"]
    assert SyncRun.objects.get().status == RunStatus.QUEUED
