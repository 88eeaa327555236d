"""The processing lease follows the run machinery's heartbeat: a processor killed while it
held the lease blocks the processing for a minute at most (it was two), and the lease goes
when the processing ends."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from event_hooks.models import EventStatus, HookCounters, HookEvent
from event_hooks.service import processing
from okta.runs import dead_after

pytestmark = pytest.mark.django_db


def test_a_lease_left_by_a_killed_processor_frees_the_processing_within_a_minute():
    HookEvent.objects.create(uuid="evt-1", event_type="user.session.start")
    HookCounters.load()
    killed_at = timezone.now()
    with freeze_time(killed_at):
        assert processing._acquire_lease()  # a processor took it, then was killed

    with freeze_time(killed_at + dead_after() / 2):
        assert processing.process_pending() == {}  # it may still be alive: wait
    with freeze_time(killed_at + dead_after() + timedelta(seconds=1)):
        done = processing.process_pending()

    assert done == {EventStatus.IGNORED: 1}
    assert HookCounters.load().lease_until is None
    assert not [t for t in threading.enumerate() if t.name == "okta-run-heartbeat"]
