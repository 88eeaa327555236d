"""Okta API synchronization: its settings (one row) and the history of its runs.

The org's address, token, scope and Replication Frequency are the Okta connection's
(okta.models.OktaOrg); a run keeps a snapshot of the configuration it ran with, so a Dry Run
of unsaved values is reproducible in history.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from okta.runs import OktaRun, status_field
from querypie_admin.singleton import SingletonSettings


class SyncSettings(SingletonSettings):
    """The sync's own state (one row; read it with SyncSettings.load()): the watermarks of
    its last runs. What it reads and how often is the Okta org's (okta.models.OktaOrg)."""

    # Watermarks of the last successful writing runs, for incremental reads and the guard.
    last_sync_read_at = models.DateTimeField(null=True, blank=True)
    last_full_sync_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Okta sync settings"


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
# A held plan can be confirmed only this soon after it was shown: Okta keeps changing.
CONFIRM_WITHIN = timedelta(hours=1)
# The destructive kinds of change the guard holds: (verb, one, many, done).
DESTRUCTIVE = {
    "users_deactivate": ("deactivate", "user", "users", "deactivated"),
    "groups_delete": ("delete", "group", "groups", "deleted"),
    "memberships_remove": ("remove", "membership", "memberships", "removed"),
    # The mirror guard: promotions by Okta group mappings, named only when there are some.
    "roles_promote": ("promote", "user", "users", "promoted"),
}
ROLE_COUNTS = ("roles_promote", "roles_demote", "roles_change", "roles_renamed")
# Kinds named only when the plan has some, and what follows their noun.
NAMED_WHEN_ANY = {"roles_promote": " to an administrator role"}


def destructive_text(counts: dict[str, int], *, more: bool = False) -> str:
    """Counts in words: "3 users deactivated, 1 group deleted, 0 memberships removed";
    with `more`, "3 more users deactivated, …" (what a new plan adds to a held one)."""
    parts = []
    for kind, (_, one, many, done) in DESTRUCTIVE.items():
        number = counts.get(kind, 0)
        if kind in NAMED_WHEN_ANY and not number:
            continue
        noun = f"{'more ' if more else ''}{one if number == 1 else many}"
        parts.append(f"{number} {noun} {done}{NAMED_WHEN_ANY.get(kind, '')}")
    return ", ".join(parts)


def _as_key(change: int | list | tuple) -> int | tuple:
    """A membership is a [group, user] pair in JSON and a tuple in a plan: compare as tuples."""
    return tuple(change) if isinstance(change, list | tuple) else change


class SyncRun(OktaRun):
    """One run, dry or real; `in_progress` is unique so only one run can be queued or running."""

    finished_statuses = FINISHED
    noun = "sync"

    kind = models.CharField(max_length=16, choices=RunKind.choices)
    mode = models.CharField(max_length=16, choices=RunMode.choices, default=RunMode.FULL)
    status = status_field(RunStatus)
    # A run the guard held keeps the destructive changes it showed (see Plan.destructive());
    # a run started by confirming it points back at it and may write only within them.
    held_changes = models.JSONField(default=dict, blank=True)
    confirms = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="confirmations"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_by_label = models.CharField(max_length=255, blank=True)
    config = models.JSONField(default=dict, blank=True)
    api_token_encrypted = models.TextField(blank=True)
    counts = models.JSONField(default=dict, blank=True)
    samples = models.JSONField(default=dict, blank=True)
    conflicts = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    error_kind = models.CharField(max_length=32, blank=True)
    stopped_at = models.CharField(max_length=255, blank=True)

    class Meta(OktaRun.Meta):
        constraints = [
            models.UniqueConstraint(fields=["in_progress"], name="one_okta_sync_at_a_time"),
        ]

    def __str__(self) -> str:
        return f"Okta sync #{self.pk} ({self.get_kind_display()}, {self.get_status_display()})"

    @property
    def is_dry_run(self) -> bool:
        return self.kind == RunKind.DRY_RUN

    @property
    def sample_rows(self) -> list[tuple[str, list]]:
        """Samples keyed like "users_create", labelled "Users: create" for the page."""
        rows = []
        for key, items in self.samples.items():
            kind, _, change = key.partition("_")
            if items and kind != "roles":  # role changes have their own section
                rows.append((f"{kind.capitalize()}: {change.replace('_', ' ')}", items))
        return rows

    @property
    def role_rows(self) -> list[tuple[str, list]]:
        """Role changes by Okta group mappings, in the product's words, for the page and
        `okta_sync run`: ("Promoted to an administrator role", ["ada: User → System Admin …"])."""
        would = self.is_plan_only
        labels = {
            "roles_promote": "Would promote to an administrator role"
            if would
            else "Promoted to an administrator role",
            "roles_demote": "Would demote" if would else "Demoted",
            "roles_change": "Would change role" if would else "Role changed",
            "roles_renamed": "Mapped groups renamed in Okta",
        }
        found = self.samples
        return [(label, found[key]) for key, label in labels.items() if found.get(key)]

    @property
    def has_role_changes(self) -> bool:
        return any(self.counts.get(key) for key in ROLE_COUNTS)

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
            "confirms": self.confirms_id,
        }

    @property
    def is_held(self) -> bool:
        """The guard stopped this run before writing; it waits for a confirmation."""
        return self.status == RunStatus.NEEDS_CONFIRMATION and not self.is_dry_run

    @property
    def is_plan_only(self) -> bool:
        """Its counts are what would be written, not what was: a Dry Run or a held run."""
        return self.is_dry_run or self.is_held

    @property
    def held_counts(self) -> dict[str, int]:
        return {kind: len(self.held_changes.get(kind, [])) for kind in DESTRUCTIVE}

    @property
    def held_summary(self) -> str:
        return destructive_text(self.held_counts)

    @property
    def confirm_text(self) -> str:
        """What confirming does, with numbers: "deactivate 3 users, delete 1 group, …"."""
        counts = self.held_counts
        return ", ".join(
            f"{verb} {counts[kind]} {one if counts[kind] == 1 else many}"
            f"{NAMED_WHEN_ANY.get(kind, '')}"
            for kind, (verb, one, many, _) in DESTRUCTIVE.items()
            if counts[kind] or kind not in NAMED_WHEN_ANY
        )

    def changes_beyond_held(self, destructive: dict[str, list]) -> dict[str, int]:
        """How many of each destructive change a new plan has that this held run did not show."""
        beyond = {}
        for kind in DESTRUCTIVE:
            shown = {_as_key(change) for change in self.held_changes.get(kind, [])}
            beyond[kind] = sum(_as_key(c) not in shown for c in destructive.get(kind, []))
        return beyond

    @property
    def superseded_by(self) -> "SyncRun | None":
        """The first later run that could write: only the newest held plan can be confirmed."""
        later = SyncRun.objects.filter(pk__gt=self.pk).exclude(kind=RunKind.DRY_RUN)
        return later.order_by("pk").first()

    def confirmation_refusal(self, now: datetime) -> str:
        """Why this run cannot be confirmed now, or "" when it can."""
        if not self.is_held:
            return "Only a synchronization waiting for confirmation can be confirmed."
        if self.confirmed_at:
            when = timezone.localtime(self.confirmed_at)
            return (
                f"This plan was already confirmed by {self.confirmed_by_label} at "
                f"{when:%Y-%m-%d %H:%M}; a plan can be confirmed once. Run Synchronize again."
            )
        newer = self.superseded_by
        if newer:
            return (
                f"A newer synchronization (#{newer.pk}) replaced this plan: "
                "confirm the newest one, or run Synchronize again."
            )
        if not self.finished_at or now - self.finished_at > CONFIRM_WITHIN:
            return "This plan is more than an hour old: run Synchronize again."
        return ""
