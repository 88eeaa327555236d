"""A real Celery worker on Redis runs the sync task against the fake Okta."""

from __future__ import annotations

import time

import pytest
from celery import Celery

from querypie_admin.models import User
from sync.engine.runs import start_saved_run
from sync.models import RunKind, RunStatus, SyncRun
from tests.workers import celery_worker, worker_database_url

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_on_redis_runs_the_sync(sync_settings, tmp_path):
    with celery_worker(REDIS_URL, tmp_path, DATABASE_URL=worker_database_url()):
        run = start_saved_run(RunKind.MANUAL, label="worker test")
        sender = Celery(broker=REDIS_URL, set_as_current=False)  # shared tasks keep the app
        sender.send_task("sync.tasks.run_sync", args=[run.pk])

        run = wait_until_finished(run.pk, timeout=90)

        assert run.status == RunStatus.SUCCEEDED, run.error
        assert run.counts["users_create"] == 5
        assert User.objects.filter(auth_provider="okta", is_active=True).count() == 5


def wait_until_finished(pk: int, timeout: float) -> SyncRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = SyncRun.objects.get(pk=pk)
        if run.is_finished:
            return run
        time.sleep(0.3)
    raise AssertionError(f"run {pk} still {SyncRun.objects.get(pk=pk).status} after {timeout}s")
