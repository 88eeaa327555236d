"""A run whose worker died does not block the next one."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sync.engine.runs import start_saved_run
from sync.models import RunStatus, SyncRun

pytestmark = pytest.mark.django_db


def test_a_stale_run_does_not_block_the_next_one(sync_settings):
    stuck = start_saved_run("manual", label="worker that died")
    SyncRun.objects.filter(pk=stuck.pk).update(
        status=RunStatus.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=20)
    )

    start_saved_run("manual", label="next")

    stuck.refresh_from_db()
    assert stuck.status == RunStatus.FAILED and "stopped responding" in stuck.error
