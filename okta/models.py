"""The Okta org the console reads (one row): its address, the encrypted API tokens, the
QueryPie app's Application ID, the scope and Replication Frequency its readers follow, and
the guard's threshold for changes that come from Okta (the sync's runs and Event Hooks).
The Authentication page's "Use Synchronization with the Authentication System" panel edits it.

Whatever is here decides whom the console trusts: only an Owner changes it (the pages that
edit it are declared Owner-only where they are, querypie_admin.roles)."""

from django.db import models

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


class OktaOrg(SingletonSettings):
    """Read it with OktaOrg.load(); get a client with okta.connection.client()."""

    # On: the console reads Okta's API (the sync's runs on the Replication Frequency, and
    # Event Hooks' changes); off, neither writes anything.
    enabled = models.BooleanField(
        "Use Synchronization with the Authentication System", default=False
    )
    api_url = models.CharField("API URL", max_length=255, blank=True)
    api_token_encrypted = models.TextField(blank=True)
    api_token_last4 = models.CharField(max_length=4, blank=True)
    # A second token for writes (remediation in Okta); unused until a feature needs it, so
    # the read token can stay read-only.
    write_token_encrypted = models.TextField(blank=True)
    write_token_last4 = models.CharField(max_length=4, blank=True)
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
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Okta org"

    def __str__(self) -> str:
        return self.api_url or "Okta org (not connected)"

    @property
    def has_token(self) -> bool:
        return bool(self.api_token_encrypted)

    @property
    def masked_token(self) -> str:
        return f"••••••••{self.api_token_last4}" if self.has_token else ""

    @property
    def connected(self) -> bool:
        """An address and a token are saved: the readers can call Okta."""
        return bool(self.api_url and self.has_token)
