"""A worker killed in the middle of a System Log page: its page was never half stored, and the
next round asks Okta for that same page again, with no gap and no duplicate.

`okta_collect run --only system_log` runs in a real process on the test database. The test
holds a table lock so the process stops inside page 2's transaction, after inserting that
page's events and before storing the next link, and kills it there with SIGKILL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from fake_okta.apps import synthesize_activity
from okta_insights.models import CollectionRun, LogCursor, OktaEvent, RunStatus
from tests.workers import ROOT, worker_database_url

pytestmark = pytest.mark.django_db(transaction=True)


def start_worker(tmp_path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "QUERYPIE_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "querypie_admin.settings",
        "OKTA_API_ALLOW_LOOPBACK": "1",
    }  # the fake Okta listens on 127.0.0.1
    command = [sys.executable, "manage.py", "okta_collect", "run", "--only", "system_log"]
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
    worker = start_worker(tmp_path)
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
    CollectionRun.objects.filter(status=RunStatus.RUNNING).update(
        heartbeat_at=timezone.now() - timedelta(minutes=20)
    )

    run = collect("system_log")

    assert run.status == RunStatus.SUCCEEDED, run.results
    killed = CollectionRun.objects.exclude(pk=run.pk).get()
    assert killed.status == RunStatus.FAILED and "stopped" in killed.error
    fetched = {event["uuid"] for event in org.directory.system_log.events()}
    assert OktaEvent.objects.count() == len(fetched) == 2605  # with the five role changes
    assert set(OktaEvent.objects.values_list("uuid", flat=True)) == fetched
    after = parse_qs(urlsplit(page_two).query)["after"][0]
    asked = [r for r in connected.requests_to("logs") if r.params.get("after") == after]
    assert len(asked) == 2  # page 2 asked again with the very link that was stored
