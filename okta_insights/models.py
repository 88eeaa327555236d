"""Okta visibility and access review: what was collected from Okta (read-only), the System
Log, the collection's settings and the history of its runs.

The Okta tables are copies, refreshed by each collection: a row carries the run that last saw
it (`collected_in`) and a complete collection removes the rows it did not see. They keep
Okta's ids as text rather than foreign keys, so one dataset failing never blocks another.
"""

from django.db import models
from django.db.models.functions import Lower

from okta.runs import OktaRun, status_field
from querypie_admin.singleton import SingletonSettings


class Dataset(models.TextChoices):
    USERS = "users", "Users"
    GROUPS = "groups", "Groups"
    APPLICATIONS = "applications", "Applications"
    ADMIN_ROLES = "admin_roles", "Admin roles"
    MFA_FACTORS = "mfa_factors", "MFA factors"
    SYSTEM_LOG = "system_log", "System Log"


class Readability(models.TextChoices):
    UNKNOWN = "unknown", "Not checked yet"
    READABLE = "readable", "Readable"
    NOT_READABLE = "not_readable", "Not readable with this token"
    FAILED = "failed", "Could not be read"


class CollectionSettings(SingletonSettings):
    """The single row of collection settings; the Okta address and token are the sync's."""

    enabled = models.BooleanField(
        "Collect applications, admin roles, MFA factors and activity from Okta", default=False
    )
    log_every_minutes = models.PositiveSmallIntegerField(
        "Read the System Log every N minutes", default=5
    )
    first_read_days = models.PositiveSmallIntegerField(
        "First read of the System Log goes back (days)", default=7
    )
    retention_days = models.PositiveIntegerField("Keep activity for (days)", default=400)
    stale_after_days = models.PositiveSmallIntegerField(
        "Stale account: no sign-in for (days)", default=90
    )
    unused_after_days = models.PositiveSmallIntegerField(
        "Unused assignment: no sign-in to the app for (days)", default=90
    )
    super_admin_warning = models.PositiveSmallIntegerField(
        "Warn when super admins are more than", default=3
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Okta collection settings"


class DatasetState(models.Model):
    """Whether the token can read a dataset, and its last complete collection."""

    dataset = models.CharField(max_length=32, choices=Dataset.choices, unique=True)
    readability = models.CharField(
        max_length=16, choices=Readability.choices, default=Readability.UNKNOWN
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    collected_at = models.DateTimeField(null=True, blank=True)
    count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_dataset_display()}: {self.get_readability_display()}"

    @property
    def not_readable(self) -> bool:
        return self.readability == Readability.NOT_READABLE


class RunLane(models.TextChoices):
    ALL = "all", "All datasets"
    SYSTEM_LOG = "system_log", "System Log"


class RunKind(models.TextChoices):
    MANUAL = "manual", "Manual"
    SCHEDULED = "scheduled", "Scheduled"
    COMMAND = "command", "Command line"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    PARTIAL = "partial", "Partly failed"
    FAILED = "failed", "Failed"


FINISHED = (RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED)


class CollectionRun(OktaRun):
    """One collection: all datasets, or the System Log alone (its own, more frequent lane).

    `in_progress` is unique per lane, so one run of each lane can be queued or running.
    `results` holds, per dataset: status (collected / not_readable / failed / skipped), count,
    error and seconds; a dataset carried over from a dead run it resumes names it (from_run).
    """

    finished_statuses = FINISHED
    noun = "collection"

    lane = models.CharField(max_length=16, choices=RunLane.choices, default=RunLane.ALL)
    kind = models.CharField(max_length=16, choices=RunKind.choices)
    status = status_field(RunStatus)
    datasets = models.JSONField(default=list, blank=True)
    results = models.JSONField(default=dict, blank=True)
    # The run whose worker died and whose collected datasets this one did not collect again.
    resumes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="resumed_by"
    )

    class Meta(OktaRun.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["lane", "in_progress"], name="one_okta_collection_per_lane"
            )
        ]

    def __str__(self) -> str:
        return f"Okta collection #{self.pk} ({self.get_lane_display()})"

    @property
    def result_rows(self) -> list[dict]:
        """Per dataset, in collection order, labelled for the page."""
        return [
            {"label": label, **self.results[name]}
            for name, label in Dataset.choices
            if name in self.results
        ]

    def result(self) -> dict:
        """The outcome as JSON, for the progress endpoint and `okta_collect run`."""
        return {
            "run": self.pk,
            "lane": self.lane,
            "kind": self.kind,
            "status": self.status,
            "results": self.results,
            "error": self.error,
            "resumes": self.resumes_id,
        }


class Collected(models.Model):
    """A copy of an Okta object; `collected_in` is the run that last saw it."""

    okta_id = models.CharField("Okta ID", max_length=32, unique=True)
    collected_in = models.PositiveBigIntegerField(default=0, db_index=True)

    class Meta:
        abstract = True


class OktaUser(Collected):
    login = models.CharField(max_length=255)
    email = models.CharField(max_length=255, blank=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=32)
    created = models.DateTimeField(null=True, blank=True)
    last_login = models.DateTimeField(null=True, blank=True)
    # The person's manager as Okta's profile names them: `managerId` (an Okta user id) or
    # `manager` (a login, an email or a name); access reviews resolve it to a reviewer.
    manager_id = models.CharField("Manager ID", max_length=255, blank=True)
    manager = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["login"]
        indexes = [
            models.Index(fields=["status", "last_login"], name="okta_user_status_login"),
            models.Index(Lower("login"), name="okta_user_login_ci"),
        ]

    def __str__(self) -> str:
        return self.login

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class OktaGroup(Collected):
    name = models.CharField(max_length=255)
    group_type = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.name


class OktaApp(Collected):
    label = models.CharField(max_length=255)
    name = models.CharField(max_length=255)
    sign_on_mode = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=32)
    created = models.DateTimeField(null=True, blank=True)
    last_updated = models.DateTimeField(null=True, blank=True)
    users_count = models.PositiveIntegerField("People who can reach it", default=0)
    direct_count = models.PositiveIntegerField("Assigned directly", default=0)
    groups_count = models.PositiveIntegerField("Groups assigned", default=0)

    class Meta:
        ordering = ["label", "id"]

    def __str__(self) -> str:
        return self.label


class AppAssignment(models.Model):
    """Someone who can reach an app: directly (USER) or through a group (GROUP)."""

    app = models.ForeignKey(OktaApp, on_delete=models.CASCADE, related_name="assignments")
    app_okta_id = models.CharField(max_length=32)  # the app's, to match sign-ins to it
    user_okta_id = models.CharField(max_length=32, db_index=True)
    login = models.CharField(max_length=255)
    scope = models.CharField(max_length=8)
    group_okta_id = models.CharField(max_length=32, blank=True)
    group_name = models.CharField(max_length=255, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    # The person's latest sign-in to the app (AppSignIn), kept here for the reports.
    last_sign_in = models.DateTimeField(null=True, blank=True)
    collected_in = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["login", "id"]
        constraints = [
            models.UniqueConstraint(fields=["app", "user_okta_id"], name="okta_app_user_once")
        ]

    @property
    def is_direct(self) -> bool:
        return self.scope == "USER"


class AppGroupAssignment(models.Model):
    app = models.ForeignKey(OktaApp, on_delete=models.CASCADE, related_name="group_assignments")
    group_okta_id = models.CharField(max_length=32)
    priority = models.IntegerField(default=0)
    assigned_at = models.DateTimeField(null=True, blank=True)
    collected_in = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["priority", "id"]
        constraints = [
            models.UniqueConstraint(fields=["app", "group_okta_id"], name="okta_app_group_once")
        ]


class AdminRole(models.Model):
    """An admin role a user holds (directly, or through `via_group_okta_id`) or a group holds."""

    principal = models.CharField(max_length=8)  # "user" or "group"
    principal_okta_id = models.CharField(max_length=32, db_index=True)
    role_type = models.CharField(max_length=64)
    label = models.CharField(max_length=255)
    assignment_id = models.CharField(max_length=64)
    via_group_okta_id = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["principal_okta_id", "role_type", "id"]


class MfaFactor(models.Model):
    user_okta_id = models.CharField(max_length=32, db_index=True)
    factor_id = models.CharField(max_length=64)
    factor_type = models.CharField(max_length=64)
    provider = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=32)
    enrolled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user_okta_id", "factor_type", "id"]


class AppSignIn(models.Model):
    """A person's latest sign-in to an app, from `user.authentication.sso` events, whether
    or not they are assigned to it now (an assignment collected later finds it here)."""

    user_okta_id = models.CharField(max_length=32)
    app_okta_id = models.CharField(max_length=32, db_index=True)
    last_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user_okta_id", "app_okta_id"], name="okta_sign_in_once"
            )
        ]


class LogCursor(SingletonSettings):
    """Where the next System Log poll starts: the `next` link Okta sent last (never built).

    `api_url` is the Okta API URL (the org) the link belongs to: when the saved API URL
    changes, the link points at the old org and the next collection starts over. A start
    over asked for on the page leaves no link and the moment to read from in `start_from`.
    """

    next_url = models.TextField(blank=True)
    api_url = models.CharField("API URL", max_length=255, blank=True)
    start_from = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    polled_at = models.DateTimeField(null=True, blank=True)


class OktaEvent(models.Model):
    """One System Log event, unique by Okta's `uuid`.

    On PostgreSQL the table is partitioned by month of `published` (migration 0001), so the
    retention task drops whole old months; the unique key is (uuid, published), which is the
    same as uuid alone because an event's `published` never changes.
    """

    uuid = models.CharField(max_length=64)
    published = models.DateTimeField()
    event_type = models.CharField(max_length=128)
    outcome = models.CharField(max_length=32, blank=True)
    outcome_reason = models.CharField(max_length=255, blank=True)
    severity = models.CharField(max_length=16, blank=True)
    display_message = models.CharField(max_length=255, blank=True)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_alternate_id = models.CharField(max_length=255, blank=True)
    actor_name = models.CharField(max_length=255, blank=True)
    actor_text = models.TextField(blank=True)  # lower-case id, login and name, for search
    target_text = models.TextField(blank=True)  # the same for every target
    client_ip = models.CharField(max_length=64, blank=True)
    raw = models.JSONField(default=dict)

    class Meta:
        ordering = ["-published", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["uuid", "published"], name="okta_event_uuid_once")
        ]
        indexes = [
            models.Index(fields=["-published", "-id"], name="okta_event_published"),
            models.Index(
                fields=["event_type", "-published"],
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                name="okta_event_type",
            ),
            models.Index(fields=["outcome", "-published"], name="okta_event_outcome"),
            models.Index(fields=["actor_id", "-published"], name="okta_event_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.uuid}"

    @property
    def targets(self) -> list[dict]:
        return [t for t in self.raw.get("target") or [] if isinstance(t, dict)]
