"""A run's steps, the same for every Okta reader: close the runs that block nobody any more,
record a queued run (one at a time), then claim and carry it out with a heartbeat.
"""

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .heartbeat import Heartbeat
from .model import FAILED, OktaRun
from .progress import Listener, Progress

logger = logging.getLogger(__name__)
Run = TypeVar("Run", bound=OktaRun)
Finish = Callable[..., None]  # finish(run, status, error=...): close it, audit it


class RunAlreadyInProgress(Exception):
    """Another run of the same kind is queued or running; `run` is that run."""

    message = "A run is already in progress."

    def __init__(self, run: OktaRun | None) -> None:
        self.run = run
        super().__init__(self.message)


def fail_stale_runs(runs: models.QuerySet, finish: Finish) -> list[OktaRun]:
    """Close the runs in progress among `runs` whose worker died (or that no worker took), so
    they do not block the next start; returns them. `finish` closes and audits a run."""
    now = timezone.now()
    failed = []
    for run in runs.filter(in_progress=True):
        reason = run.stale_reason(now)
        if reason:
            finish(run, FAILED, error=reason)
            failed.append(run)
    return failed


def create_run(
    runs: models.QuerySet, fields: dict[str, Any], already: type[RunAlreadyInProgress]
) -> OktaRun:
    """Record a queued run, or raise `already` with the run in progress among `runs` (the
    model's unique constraint on `in_progress` decides, in any process)."""
    try:
        with transaction.atomic():
            return runs.model.objects.create(**fields)
    except IntegrityError:
        raise already(runs.filter(in_progress=True).first()) from None


def execute(
    model: type[Run],
    pk: int,
    carry_out: Callable[[Run, Progress], None],
    finish: Finish,
    *,
    progress: type[Progress] = Progress,
    listener: Listener | None = None,
) -> Run | None:
    """Claim the queued run `pk` and carry it out in this process (a Celery worker, a
    command), with its heartbeat beating until it ends. An error `carry_out` did not expect
    fails the run with a generic reason (the details go to the server log, not the page)."""
    run = model.claim(pk)
    if run is None:
        return model.objects.filter(pk=pk).first()  # taken by another worker, or unknown
    tracker = progress(run, listener)
    with Heartbeat.of_run(run):
        try:
            carry_out(run, tracker)
        except Exception:
            logger.exception("Okta %s #%s failed", model.noun, run.pk)
            error = f"The {model.noun} stopped on an unexpected error; see the server log."
            finish(run, FAILED, error=error)
    tracker.flush(force=True)
    return model.objects.get(pk=pk)
