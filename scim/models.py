"""Provisioning switch and SCIM-only bearer tokens (what the IdP sent lives in directory links)."""

from datetime import timedelta

from django.db import models
from django.utils import timezone

from querypie_admin.singleton import SingletonSettings

TOKEN_VALIDITY = timedelta(days=365)
MAX_TOKENS = 2


class ProvisioningSettings(SingletonSettings):
    """A single row: whether SCIM provisioning is on."""

    enabled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)


def _default_expiry():
    return timezone.now() + TOKEN_VALIDITY


class ScimToken(models.Model):
    """A SCIM bearer token; only the SHA-256 of its secret is stored."""

    key_id = models.CharField(max_length=32, unique=True)
    secret_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=_default_expiry)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"SCIM token {self.key_id[:4]}…"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def status_label(self) -> str:
        return "Expired" if self.is_expired else "Active"

    @property
    def actor_label(self) -> str:
        """How SCIM changes made with this token appear in the audit log."""
        return f"SCIM (token {self.key_id[:4]}…)"
