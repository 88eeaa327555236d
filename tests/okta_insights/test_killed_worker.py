"""A worker killed with SIGKILL: its run is noticed as dead within a minute by its heartbeat
(not after the 15-minute rule), the next collection starts and resumes where it stopped.

`okta_collect run` runs in a real process on the test database, against the fake Okta over
HTTP. Killed in the middle of a System Log page, its page was never half stored, and the
next round asks Okta for that same page again, with no gap and no duplicate: the test holds
a table lock so the process stops inside page 2's transaction, after inserting that page's
events and before storing the next link. The clock is pinned where the minute matters.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.db import connection, transaction
from freezegun import freeze_time

from fake_okta.apps import synthesize_activity
from okta_insights.collect.runs import CollectionAlreadyRunning, execute_run, start_run
from okta_insights.models import CollectionRun, LogCursor, OktaEvent, RunKind, RunStatus
from tests.workers import ROOT, worker_database_url

pytestmark = pytest.mark.django_db(transaction=True)
ALIVE, DEAD = timedelta(seconds=50), timedelta(seconds=61)  # after the last heartbeat


def start_worker(tmp_path, *only: str, **env: str) -> subprocess.Popen:
    env = env | {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "QUERYPIE_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "querypie_admin.settings",
        "OKTA_API_ALLOW_LOOPBACK": "1",
    }  # the fake Okta listens on 127.0.0.1
    command = [sys.executable, "manage.py", "okta_collect", "run"]
    command += ["--only", *only] if only else []
    log = (tmp_path / "worker.log").open("w")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def another_backend_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND pid <> pg_backend_pid() AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


def test_a_worker_killed_mid_page_resumes_with_no_gap_and_no_duplicate(
    org, connected, collect, tmp_path
):
    synthesize_activity(org.directory, events=2600, seed=5)  # 1,000 a page: 3 pages and more
    connected.faults.delay(2.0, endpoint="logs", page=2)  # time to take the lock after page 1
    worker = start_worker(tmp_path, "system_log")
    try:
        wait_for(lambda: "after=" in LogCursor.load().next_url)  # page 1 and its link stored
        page_two = LogCursor.load().next_url
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE okta_insights_appsignin IN EXCLUSIVE MODE")
            wait_for(another_backend_waits_on_a_lock)  # page 2 inserted, blocked before its link
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert LogCursor.load().next_url == page_two
    assert OktaEvent.objects.count() == 1000  # page 2's inserts died with the worker
    killed = CollectionRun.objects.get(status=RunStatus.RUNNING)

    with freeze_time(killed.heartbeat_at + DEAD, tick=True):
        run = collect("system_log")

    assert run.status == RunStatus.SUCCEEDED, run.results
    killed.refresh_from_db()
    assert killed.status == RunStatus.FAILED and "stopped" in killed.error
    assert run.resumes == killed
    fetched = {event["uuid"] for event in org.directory.system_log.events()}
    assert OktaEvent.objects.count() == len(fetched) == 2605  # with the five role changes
    assert set(OktaEvent.objects.values_list("uuid", flat=True)) == fetched
    after = parse_qs(urlsplit(page_two).query)["after"][0]
    asked = [r for r in connected.requests_to("logs") if r.params.get("after") == after]
    assert len(asked) == 2  # page 2 asked again with the very link that was stored


def kill(worker: subprocess.Popen) -> None:
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)


def running_run() -> CollectionRun:
    return CollectionRun.objects.get(status=RunStatus.RUNNING)


def collected(*names: str):
    def done() -> bool:
        run = CollectionRun.objects.filter(status=RunStatus.RUNNING).first()
        return bool(run) and all(name in run.results for name in names)

    return done


def test_a_killed_collection_is_noticed_within_a_minute_and_the_next_one_resumes(
    connected, tmp_path, admin_client
):
    connected.faults.delay(5.0, endpoint="apps")  # the worker dies waiting for applications
    worker = start_worker(tmp_path)
    try:
        wait_for(collected("users", "groups"))
        kill(worker)
    finally:
        if worker.poll() is None:
            worker.kill()
    killed = running_run()
    users_read = len(connected.requests_to("users"))

    refused = pytest.raises(CollectionAlreadyRunning)  # under a minute: it may be alive
    with freeze_time(killed.heartbeat_at + ALIVE, tick=True), refused:
        start_run(RunKind.COMMAND, label="too early")
    with freeze_time(killed.heartbeat_at + DEAD, tick=True):
        run = execute_run(start_run(RunKind.COMMAND, label="next").pk)

    killed.refresh_from_db()
    assert killed.status == RunStatus.FAILED
    assert killed.error.startswith("The worker running this collection stopped responding")
    assert run.status == RunStatus.SUCCEEDED, run.results
    assert run.result()["resumes"] == killed.pk
    assert {name: result.get("from_run") for name, result in run.results.items()} == {
        "users": killed.pk,
        "groups": killed.pk,
        "applications": None,
        "admin_roles": None,
        "mfa_factors": None,
        "system_log": None,
    }
    assert len(connected.requests_to("users")) == users_read  # not collected again
    assert not [t for t in threading.enumerate() if t.name == "okta-run-heartbeat"]
    page = admin_client.get(f"/administrator/okta/collections/{run.pk}/").content.decode()
    link = f'<a href="/administrator/okta/collections/{killed.pk}/">run #{killed.pk}</a>'
    assert f"Resumed from {link}" in page
    assert f"Collected by run #{killed.pk}" in page


def test_a_live_collection_waiting_on_okta_keeps_its_heartbeat_and_is_never_taken_over(
    connected, tmp_path, settings
):
    settings.OKTA_RUN_DEAD_AFTER_SECONDS = 2  # the worker's too: it beats every 1/3 s
    connected.faults.delay(5.0, endpoint="apps")  # a long wait, no progress to write
    worker = start_worker(tmp_path, OKTA_RUN_DEAD_AFTER_SECONDS="2")
    try:
        wait_for(collected("users", "groups"))
        waiting = running_run()
        time.sleep(3)  # longer than the dead-after period, while the worker waits on Okta

        with pytest.raises(CollectionAlreadyRunning):
            start_run(RunKind.COMMAND, label="impatient")
        now_running = running_run()
        assert now_running.heartbeat_at > waiting.heartbeat_at + timedelta(seconds=2)
        assert now_running.progress == waiting.progress  # the wait moved nothing but the beat
        assert worker.wait(timeout=60) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    waiting.refresh_from_db()
    assert waiting.status == RunStatus.SUCCEEDED, waiting.results


def test_a_queued_collection_no_worker_took_is_given_up_after_fifteen_minutes_not_one(
    connected,
):
    queued = start_run(RunKind.COMMAND, label="a busy queue")

    refused = pytest.raises(CollectionAlreadyRunning)
    with freeze_time(queued.created_at + timedelta(minutes=5)), refused:
        start_run(RunKind.COMMAND, label="too early")
    with freeze_time(queued.created_at + timedelta(minutes=16)):
        start_run(RunKind.COMMAND, label="next")

    queued.refresh_from_db()
    assert queued.status == RunStatus.FAILED
    assert queued.error == "No worker started this collection within 15 minutes; it was given up."
