"""The run every Okta reader records: one row per run, from queued to its history.

A concrete run model (sync.SyncRun, okta_insights.CollectionRun) extends OktaRun with its
own status choices, its own one-at-a-time constraint on `in_progress` and what it records;
the status values below are the ones every run has.
"""

from datetime import datetime, timedelta
from typing import Self

from django.conf import settings
from django.db import models
from django.utils import timezone

from .heartbeat import dead_after

QUEUED, RUNNING, FAILED = "queued", "running", "failed"
# A queued run that no worker took for this long was lost with its queue: a busy queue can
# keep a run waiting for minutes, so this is far longer than the heartbeat's minute.
STALE_AFTER = timedelta(minutes=15)


def status_field(choices: type[models.TextChoices]) -> models.CharField:
    """The `status` column of a run model, with that model's statuses."""
    return models.CharField(max_length=20, choices=choices.choices, default=QUEUED)


class OktaRun(models.Model):
    """State, progress and history of one run. `in_progress` is True while the run is queued
    or running and NULL after: each concrete model declares it unique (per lane), so a second
    start fails in any process. `heartbeat_at` is written every few seconds while a process
    runs it (heartbeat.py); a run whose heartbeat stopped is dead and blocks nobody."""

    finished_statuses: tuple[str, ...] = ()  # the concrete model's statuses of a finished run
    noun = "run"  # as its errors name it: "The worker running this sync stopped responding"

    status = models.CharField(max_length=20, default=QUEUED)  # status_field(...) in each model
    in_progress = models.BooleanField(null=True, default=True, editable=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    started_by_label = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    phase = models.CharField(max_length=128, blank=True)
    progress = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def is_finished(self) -> bool:
        return self.status in self.finished_statuses

    @property
    def duration(self) -> timedelta | None:
        if not self.started_at:
            return None
        return (self.finished_at or timezone.now()) - self.started_at

    @property
    def duration_text(self) -> str:
        """The duration as people read it: "0.4 s", "2 min 05 s"."""
        if self.duration is None:
            return "–"
        seconds = self.duration.total_seconds()
        if seconds < 60:
            return f"{seconds:.1f} s"
        minutes, rest = divmod(round(seconds), 60)
        return f"{minutes} min {rest:02d} s"

    @property
    def is_stale(self) -> bool:
        return bool(self.stale_reason(timezone.now()))

    def stale_reason(self, now: datetime) -> str:
        """Why this run blocks nobody any more, or "" while it may still finish.

        A running run is dead when its heartbeat is older than OKTA_RUN_DEAD_AFTER_SECONDS:
        its process was killed or lost. A queued run has no heartbeat yet; it is given up only
        after STALE_AFTER, so a busy queue is not mistaken for a dead worker.
        """
        if self.is_finished:
            return ""
        if self.status == QUEUED:
            if now - self.created_at <= STALE_AFTER:
                return ""
            minutes = round(STALE_AFTER.total_seconds() / 60)
            return f"No worker started this {self.noun} within {minutes} minutes; it was given up."
        last = self.heartbeat_at or self.started_at or self.created_at
        if now - last <= dead_after():
            return ""
        return (
            f"The worker running this {self.noun} stopped responding: no heartbeat since "
            f"{timezone.localtime(last):%Y-%m-%d %H:%M:%S}."
        )

    @classmethod
    def claim(cls, pk: int) -> Self | None:
        """Take a queued run for this process; None when another worker took it (or no such
        run). The claim is one conditional UPDATE, so two workers never both run it."""
        now = timezone.now()
        taken = cls.objects.filter(pk=pk, status=QUEUED).update(
            status=RUNNING, started_at=now, heartbeat_at=now
        )
        return cls.objects.filter(pk=pk).first() if taken else None

    def close(self, status: str, **fields: object) -> None:
        """Record the run as finished with `status`: it leaves the one-at-a-time slot.

        The fields the live machinery writes behind this object's back (heartbeat.py,
        progress.py) are left as the row has them, never rewound to what was loaded.
        """
        self.status, self.in_progress, self.finished_at = status, None, timezone.now()
        for name, value in fields.items():
            setattr(self, name, value)
        live = {"heartbeat_at", "phase", "progress"}
        kept = [f.name for f in self._meta.concrete_fields if not f.primary_key]
        self.save(update_fields=[name for name in kept if name not in live])
