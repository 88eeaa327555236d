"""The run machinery's heartbeat: a daemon thread that writes a run's `heartbeat_at` every
sixth of OKTA_RUN_DEAD_AFTER_SECONDS while the run executes, and never after."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import transaction

from okta.runs import Heartbeat
from okta_insights.models import CollectionRun, RunKind, RunStatus

BEAT = "okta-run-heartbeat"


def beating() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == BEAT]


@pytest.fixture
def running(settings) -> CollectionRun:
    settings.OKTA_RUN_DEAD_AFTER_SECONDS = 0.6  # a beat every 0.1 s
    run = CollectionRun.objects.create(kind=RunKind.COMMAND, started_by_label="test")
    CollectionRun.claim(run.pk)
    return CollectionRun.objects.get(pk=run.pk)


@pytest.mark.django_db(transaction=True)
def test_a_run_that_moves_nothing_still_beats_and_the_beat_stops_with_the_run(running):
    with Heartbeat.of_run(running):
        time.sleep(0.5)  # a rate-limit wait: no page, no progress
        beat = CollectionRun.objects.get(pk=running.pk).heartbeat_at
        running.close(RunStatus.SUCCEEDED)
    time.sleep(0.3)

    assert beat > running.heartbeat_at
    assert CollectionRun.objects.get(pk=running.pk).heartbeat_at == beat  # none after
    assert not beating()


@pytest.mark.django_db(transaction=True)
def test_a_run_inside_a_callers_transaction_starts_no_beating_thread(running):
    with transaction.atomic(), Heartbeat.of_run(running):
        assert not beating()  # its beats could not be seen, and would wait on its own lock
