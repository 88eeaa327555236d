"""Celery entry points of the Okta sync; the work is in sync.engine."""

from celery import shared_task

from .engine.runs import SyncAlreadyRunning, SyncNotConfigured, execute_run, start_saved_run
from .models import RunKind


@shared_task(name="sync.tasks.run_sync")
def run_sync(run_id: int) -> dict:
    """Carry out a run queued from the console (Dry Run, Synchronize, confirmation)."""
    run = execute_run(run_id)
    return run.result() if run else {"skipped": f"no queued run #{run_id}"}


@shared_task(name="sync.tasks.scheduled_sync")
def scheduled_sync() -> dict:
    """Beat's entry point: incremental when allowed, full at least daily."""
    try:
        run = start_saved_run(
            RunKind.SCHEDULED, label="Schedule (Replication Frequency)", full=False
        )
    except (SyncAlreadyRunning, SyncNotConfigured) as exc:
        return {"skipped": str(exc)}
    finished = execute_run(run.pk)
    return finished.result() if finished else {"skipped": "run taken by another worker"}
