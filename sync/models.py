"""Okta API synchronization: its settings (one row) and the history of its runs.

The API token is stored only encrypted (see sync.token_crypto); a run keeps a snapshot of
the configuration it ran with, so a Dry Run of unsaved values is reproducible in history.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from querypie_admin.singleton import SingletonSettings

DEFAULT_DEACTIVATION_THRESHOLD = 20


class Scope(models.TextChoices):
    APP = "app", "QueryPie app"
    DIRECTORY = "directory", "Whole directory"


class Frequency(models.TextChoices):
    OFF = "off", "Off"
    MINUTES = "minutes", "Every N minutes"
    HOURLY = "hourly", "Hourly"
    DAILY = "daily", "Daily at a time"
    CRON = "cron", "Cron expression"


class SyncSettings(SingletonSettings):
    """The single row of Okta sync settings; read it with SyncSettings.load()."""

    enabled = models.BooleanField(
        "Use Synchronization with the Authentication System", default=False
    )
    api_url = models.CharField("API URL", max_length=255, blank=True)
    api_token_encrypted = models.TextField(blank=True)
    api_token_last4 = models.CharField(max_length=4, blank=True)
    app_id = models.CharField("Application ID", max_length=64, blank=True)
    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.APP)
    frequency = models.CharField(
        "Replication Frequency", max_length=16, choices=Frequency.choices, default=Frequency.OFF
    )
    every_minutes = models.PositiveSmallIntegerField(default=30)
    daily_at = models.TimeField(null=True, blank=True)
    cron = models.CharField(max_length=120, blank=True)
    deactivation_threshold = models.PositiveSmallIntegerField(
        "Mass-deactivation threshold (%)", default=DEFAULT_DEACTIVATION_THRESHOLD
    )
    # Watermarks of the last successful writing runs, for incremental reads and the guard.
    last_sync_read_at = models.DateTimeField(null=True, blank=True)
    last_full_sync_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Okta sync settings"

    @property
    def has_token(self) -> bool:
        return bool(self.api_token_encrypted)

    @property
    def masked_token(self) -> str:
        return f"••••••••{self.api_token_last4}" if self.has_token else ""


class RunKind(models.TextChoices):
    DRY_RUN = "dry_run", "Dry Run"
    MANUAL = "manual", "Manual"
    SCHEDULED = "scheduled", "Scheduled"


class RunMode(models.TextChoices):
    FULL = "full", "Full"
    INCREMENTAL = "incremental", "Incremental"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    NEEDS_CONFIRMATION = "needs_confirmation", "Needs confirmation"


FINISHED = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.NEEDS_CONFIRMATION)
# A run whose worker stopped sending progress for this long is considered dead.
STALE_AFTER = timedelta(minutes=15)


class SyncRun(models.Model):
    """One run, dry or real; `in_progress` is unique so only one run can be queued or running."""

    kind = models.CharField(max_length=16, choices=RunKind.choices)
    mode = models.CharField(max_length=16, choices=RunMode.choices, default=RunMode.FULL)
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED)
    in_progress = models.BooleanField(null=True, default=True, editable=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    started_by_label = models.CharField(max_length=255)
    allow_mass_deactivation = models.BooleanField(default=False)
    config = models.JSONField(default=dict, blank=True)
    api_token_encrypted = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    phase = models.CharField(max_length=64, blank=True)
    progress = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    samples = models.JSONField(default=dict, blank=True)
    conflicts = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    error = models.TextField(blank=True)
    error_kind = models.CharField(max_length=32, blank=True)
    stopped_at = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["in_progress"], name="one_okta_sync_at_a_time"),
        ]

    def __str__(self) -> str:
        return f"Okta sync #{self.pk} ({self.get_kind_display()}, {self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def is_dry_run(self) -> bool:
        return self.kind == RunKind.DRY_RUN

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
    def sample_rows(self) -> list[tuple[str, list]]:
        """Samples keyed like "users_create", labelled "Users: create" for the page."""
        rows = []
        for key, items in self.samples.items():
            kind, _, change = key.partition("_")
            if items:
                rows.append((f"{kind.capitalize()}: {change.replace('_', ' ')}", items))
        return rows

    def result(self) -> dict:
        """The outcome as JSON: for the progress endpoint and `okta_sync run`'s last line."""
        return {
            "run": self.pk,
            "kind": self.kind,
            "mode": self.mode,
            "status": self.status,
            "counts": self.counts,
            "conflicts": len(self.conflicts),
            "message": self.message,
            "error": self.error,
            "stopped_at": self.stopped_at,
        }

    @property
    def is_stale(self) -> bool:
        last_sign = self.heartbeat_at or self.created_at
        return not self.is_finished and timezone.now() - last_sign > STALE_AFTER
