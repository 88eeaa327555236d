"""A real Celery worker on Redis runs the sync task against the fake Okta."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection

from querypie_admin.models import User
from sync.engine.runs import start_saved_run
from sync.models import RunKind, RunStatus, SyncRun

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/13"


def database_url() -> str:
    """The test database, so the worker sees the rows this test committed."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_on_redis_runs_the_sync(sync_settings, tmp_path):
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {
        **os.environ,
        "CELERY_BROKER_URL": REDIS_URL,
        "DATABASE_URL": database_url(),
        "SECRET_KEY": settings.SECRET_KEY,  # the token was encrypted with it
        "QUERYPIE_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "querypie_admin.settings",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "querypie_admin", "worker", "--pool=solo",
         "--loglevel=WARNING", "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        run = start_saved_run(RunKind.MANUAL, label="worker test")
        Celery(broker=REDIS_URL).send_task("sync.tasks.run_sync", args=[run.pk])

        run = wait_until_finished(run.pk, timeout=90)

        assert run.status == RunStatus.SUCCEEDED, run.error
        assert run.counts["users_create"] == 5
        assert User.objects.filter(auth_provider="okta", is_active=True).count() == 5
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def wait_until_finished(pk: int, timeout: float) -> SyncRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = SyncRun.objects.get(pk=pk)
        if run.is_finished:
            return run
        time.sleep(0.3)
    raise AssertionError(f"run {pk} still {SyncRun.objects.get(pk=pk).status} after {timeout}s")
