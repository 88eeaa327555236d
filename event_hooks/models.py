"""Okta Event Hooks: the hook's settings (one row), its delivery counters (one row) and one
row per event received, keyed by Okta's event uuid so a repeated delivery is stored once.

The header secrets are stored only as salted hashes (service.authentication); the clear
value is shown once, when it is generated. Counters live apart from the settings so a
delivery never waits for, or overwrites, an administrator's save.
"""

from django.db import models
from django.utils import timezone

from querypie_admin.singleton import SingletonSettings

from .catalog import default_event_types

DEFAULT_HEADER = "Authorization"


class HookSettings(SingletonSettings):
    """The single row of hook settings; read it with HookSettings.load()."""

    header_name = models.CharField("Authentication header", max_length=64, default=DEFAULT_HEADER)
    secret_hash = models.CharField(max_length=128, blank=True)
    secret_last4 = models.CharField(max_length=4, blank=True)
    secret_created_at = models.DateTimeField(null=True, blank=True)
    # The secret in use before the last rotation: valid until an administrator removes it.
    previous_hash = models.CharField(max_length=128, blank=True)
    previous_last4 = models.CharField(max_length=4, blank=True)
    previous_created_at = models.DateTimeField(null=True, blank=True)
    event_types = models.JSONField("Event types", default=default_event_types, blank=True)
    # The hook registered in Okta with "Register with Okta", and what Okta last said of it.
    okta_hook_id = models.CharField("Okta event hook ID", max_length=64, blank=True)
    okta_status = models.CharField(max_length=16, blank=True)  # ACTIVE / INACTIVE
    okta_verification = models.CharField(max_length=16, blank=True)  # VERIFIED / UNVERIFIED
    registered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Okta event hook settings"

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_hash)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_hash)


class HookCounters(SingletonSettings):
    """Delivery counters and the processing lease, updated with F() by every delivery."""

    deliveries = models.PositiveBigIntegerField(default=0)
    events_received = models.PositiveBigIntegerField(default=0)
    duplicates = models.PositiveBigIntegerField(default=0)
    last_delivery_at = models.DateTimeField(null=True, blank=True)
    # When a processing task was queued that has not started yet: deliveries meanwhile need
    # not queue another (unless it is so old it was lost with its broker).
    queued_at = models.DateTimeField(null=True, blank=True)
    # One processor at a time (re-reads must not cross), until it finishes or this passes.
    lease_until = models.DateTimeField(null=True, blank=True)
    last_processed_at = models.DateTimeField(null=True, blank=True)


class EventStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    APPLIED = "applied", "Applied"
    HELD = "held", "Held for confirmation"
    IGNORED = "ignored", "Ignored"
    FAILED = "failed", "Failed"


FINAL = (EventStatus.APPLIED, EventStatus.IGNORED, EventStatus.FAILED)


class Effect(models.TextChoices):
    """What the guard counts, on the one event of a target that carried the change."""

    NONE = "", "None"
    DEACTIVATE = "deactivate", "Deactivation"
    PROMOTE = "promote", "Promotion to an administrator role"


class HookEvent(models.Model):
    """One Okta event as delivered: a hint about which user or group changed."""

    uuid = models.CharField(max_length=64, unique=True)
    event_type = models.CharField(max_length=128)
    published = models.DateTimeField(null=True, blank=True)
    delivery_id = models.CharField(max_length=64, blank=True)  # the delivery's eventId
    okta_user_id = models.CharField(max_length=64, blank=True)
    okta_group_id = models.CharField(max_length=64, blank=True)
    okta_app_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=255, blank=True)  # alternateId, for people
    status = models.CharField(
        max_length=16, choices=EventStatus.choices, default=EventStatus.RECEIVED
    )
    effect = models.CharField(max_length=16, choices=Effect.choices, blank=True, default="")
    # An administrator confirmed this held event: the guard does not hold it again.
    confirmed_by_label = models.CharField(max_length=255, blank=True)
    detail = models.TextField(blank=True)  # what was done, or why not (an error, a reason)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "id"], name="hook_event_status_id"),
            models.Index(fields=["effect", "processed_at"], name="hook_event_effect_time"),
            models.Index(fields=["received_at"], name="hook_event_received_at"),
            # A target's other events: swept into one re-read, or superseded by it.
            models.Index(fields=["okta_user_id", "status"], name="hook_event_user_status"),
            models.Index(fields=["okta_group_id", "status"], name="hook_event_group_status"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.uuid}"

    @property
    def target_id(self) -> str:
        return self.okta_user_id or self.okta_group_id
