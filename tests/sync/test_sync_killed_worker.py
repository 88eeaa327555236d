"""A sync whose worker was killed with SIGKILL is noticed as dead within a minute by its
heartbeat, not after 15 minutes: the next start closes it and runs. A live run is never taken
over, and a queued run no worker took yet keeps the 15-minute rule.

`okta_sync run` runs in a real process on the test database, against the fake Okta over HTTP;
the clock is pinned where the minute matters.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from freezegun import freeze_time

from querypie_admin.models import User
from sync.engine.runs import SyncAlreadyRunning, execute_run, start_saved_run
from sync.models import RunKind, RunStatus, SyncRun
from tests.workers import ROOT, worker_database_url

ALIVE, DEAD = timedelta(seconds=50), timedelta(seconds=61)  # after the last heartbeat


def start_worker(tmp_path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "SECRET_KEY": settings.SECRET_KEY,  # the run's token snapshot was encrypted with it
        "QUERYPIE_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "querypie_admin.settings",
        "OKTA_API_ALLOW_LOOPBACK": "1",  # the fake Okta listens on 127.0.0.1
    }
    log = (tmp_path / "worker.log").open("w")
    command = [sys.executable, "manage.py", "okta_sync", "run", "--full"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)


def wait_until_running(timeout: float = 60.0) -> SyncRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = SyncRun.objects.filter(status=RunStatus.RUNNING).first()
        if run is not None:
            return run
        time.sleep(0.05)
    raise AssertionError("the worker never started its run")


@pytest.mark.django_db(transaction=True)
def test_a_sync_killed_mid_read_is_noticed_within_a_minute_and_the_next_one_runs(
    sync_settings, fake_org, tmp_path
):
    fake_org.faults.delay(5.0, endpoint="users")  # the worker dies waiting for Okta
    worker = start_worker(tmp_path)
    try:
        wait_until_running()
        time.sleep(0.5)  # inside its first request
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    killed = SyncRun.objects.get(status=RunStatus.RUNNING)
    assert killed.api_token_encrypted  # its token snapshot, left by the dead worker

    refused = pytest.raises(SyncAlreadyRunning)  # under a minute: it may be alive
    with freeze_time(killed.heartbeat_at + ALIVE, tick=True), refused:
        start_saved_run(RunKind.MANUAL, label="too early")
    with freeze_time(killed.heartbeat_at + DEAD, tick=True):
        run = execute_run(start_saved_run(RunKind.MANUAL, label="next").pk)

    killed.refresh_from_db()
    assert killed.status == RunStatus.FAILED and killed.in_progress is None
    assert killed.error.startswith("The worker running this sync stopped responding")
    assert killed.api_token_encrypted == ""  # closed like any run: no token left behind
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert User.objects.filter(auth_provider="okta", is_active=True).count() == 5


@pytest.mark.django_db
def test_a_running_sync_with_a_fresh_heartbeat_is_never_taken_over(sync_settings):
    live = start_saved_run(RunKind.MANUAL, label="a live worker")
    SyncRun.claim(live.pk)
    live.refresh_from_db()

    with freeze_time(live.heartbeat_at + ALIVE), pytest.raises(SyncAlreadyRunning) as refused:
        start_saved_run(RunKind.MANUAL, label="impatient")

    assert refused.value.run == live
    live.refresh_from_db()
    assert live.status == RunStatus.RUNNING and live.error == ""


@pytest.mark.django_db
def test_a_queued_sync_no_worker_took_is_given_up_after_fifteen_minutes_not_one(sync_settings):
    queued = start_saved_run(RunKind.SCHEDULED, label="a busy queue")

    with freeze_time(queued.created_at + timedelta(minutes=5)), pytest.raises(SyncAlreadyRunning):
        start_saved_run(RunKind.MANUAL, label="too early")
    with freeze_time(queued.created_at + timedelta(minutes=16)):
        start_saved_run(RunKind.MANUAL, label="next")

    queued.refresh_from_db()
    assert queued.status == RunStatus.FAILED
    assert queued.error == "No worker started this sync within 15 minutes; it was given up."
