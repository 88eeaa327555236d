"""Celery entry points of the Okta visibility collection; the work is in okta_insights.collect."""

from celery import shared_task

from .collect.retention import enforce_retention as retention
from .collect.runs import (
    CollectionAlreadyRunning,
    CollectionNotConfigured,
    execute_run,
    start_run,
)
from .models import CollectionSettings, RunKind, RunLane

SCHEDULE_LABEL = "Schedule (Replication Frequency)"
SYSTEM_LOG_LABEL = "Schedule (System Log)"


@shared_task(name="okta_insights.tasks.run_collection")
def run_collection(run_id: int) -> dict:
    """Carry out a run queued from the console (Collect now)."""
    run = execute_run(run_id)
    return run.result() if run else {"skipped": f"no queued run #{run_id}"}


@shared_task(name="okta_insights.tasks.scheduled_collection")
def scheduled_collection() -> dict:
    """Beat's entry point on the Replication Frequency: every dataset."""
    return _scheduled(RunLane.ALL, SCHEDULE_LABEL)


@shared_task(name="okta_insights.tasks.scheduled_system_log")
def scheduled_system_log() -> dict:
    """Beat's entry point every few minutes: the System Log alone."""
    return _scheduled(RunLane.SYSTEM_LOG, SYSTEM_LOG_LABEL)


@shared_task(name="okta_insights.tasks.enforce_retention")
def enforce_retention() -> dict:
    """Daily: drop activity older than the retention period."""
    return retention()


def _scheduled(lane: str, label: str) -> dict:
    if not CollectionSettings.load().enabled:
        return {"skipped": "Okta collection is off."}
    try:
        run = start_run(RunKind.SCHEDULED, lane=lane, label=label)
    except (CollectionAlreadyRunning, CollectionNotConfigured) as exc:
        return {"skipped": str(exc)}
    finished = execute_run(run.pk)
    return finished.result() if finished else {"skipped": "run taken by another worker"}
