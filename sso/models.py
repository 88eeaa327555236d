"""SAML settings (one row), the trusted IdP certificates, the SAML session registry, and the
request and message IDs that the ACS and Single Logout check.

Request and message IDs live in the database, not in the session: Okta's POSTs to the ACS and
to the Single Logout URL are cross-site, so the SameSite=Lax session cookie is not sent with
them, and the replay stores must hold across every web process.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from querypie_admin.singleton import SingletonSettings


class AuthenticationType(models.TextChoices):
    QUERYPIE = "querypie", "QueryPie"
    OKTA = "okta", "Okta"
    SAML = "saml", "SAML 2.0"


class SamlSettings(SingletonSettings):
    """The Authentication page's settings; always the row with pk=1."""

    authentication_type = models.CharField(
        max_length=16, choices=AuthenticationType.choices, default=AuthenticationType.QUERYPIE
    )
    metadata_xml = models.TextField(blank=True)
    metadata_url = models.URLField(max_length=1000, blank=True)
    idp_entity_id = models.CharField(max_length=1000, blank=True)
    idp_sso_url = models.URLField(max_length=1000, blank=True)
    idp_sso_binding = models.CharField(max_length=255, blank=True)
    idp_slo_url = models.URLField(max_length=1000, blank=True)
    idp_slo_binding = models.CharField(max_length=255, blank=True)
    sign_authn_requests = models.BooleanField(default=False)
    clock_skew_seconds = models.PositiveIntegerField(default=120)
    jit_enabled = models.BooleanField(default=False)
    allow_sha1 = models.BooleanField(default=False)
    sp_certificate_pem = models.TextField(blank=True)
    sp_private_key_encrypted = models.TextField(blank=True)
    # The SP's next key pair, published in SP metadata beside the current one until promoted.
    sp_next_certificate_pem = models.TextField(blank=True)
    sp_next_private_key_encrypted = models.TextField(blank=True)
    # The scheduled refresh: the last good check, the last failure, a change held for an admin.
    metadata_checked_at = models.DateTimeField(null=True, blank=True)
    metadata_refresh_error = models.TextField(blank=True)
    metadata_refresh_failed_at = models.DateTimeField(null=True, blank=True)
    okta_keys_error = models.TextField(blank=True)
    pending_metadata_xml = models.TextField(blank=True)
    pending_since = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "SAML settings"
        verbose_name_plural = "SAML settings"

    @property
    def sso_enabled(self) -> bool:
        """SAML sign-in is offered only with a non-local type and usable IdP metadata."""
        return (
            self.authentication_type != AuthenticationType.QUERYPIE
            and bool(self.idp_sso_url)
            and IdpCertificate.objects.trusted().exists()
        )

    @property
    def slo_enabled(self) -> bool:
        """Single Logout needs SAML sign-in and an IdP that names its Single Logout URL."""
        return self.sso_enabled and bool(self.idp_slo_url)


class CertificateSource(models.TextChoices):
    METADATA = "metadata", "Metadata"
    METADATA_URL = "metadata_url", "Metadata URL"
    OKTA_API = "okta_api", "Okta API"


# Named by the current metadata, or by Okta's key list while it is Okta's next certificate: once
# a certificate was in the metadata and left it, Okta's list (which keeps deactivated keys) no
# longer keeps it trusted.
NAMED = Q(in_metadata=True) | Q(in_okta_api=True, ever_in_metadata=False)


def unlisted_grace() -> datetime.timedelta:
    """How long a certificate nobody names any more still verifies (assertions in flight)."""
    return datetime.timedelta(seconds=settings.SSO_CERTIFICATE_UNLISTED_GRACE_SECONDS)


class IdpCertificateQuerySet(models.QuerySet):
    def current(self) -> "IdpCertificateQuerySet":
        """Not retired: trusted, next, or waiting to be retired."""
        return self.filter(retired_at__isnull=True)

    def named(self, now: datetime.datetime | None = None) -> "IdpCertificateQuerySet":
        """Not retired, and named by the metadata or Okta's key list, or within the grace
        after it stopped being named."""
        since = (now or timezone.now()) - unlisted_grace()
        return self.current().filter(NAMED | Q(unlisted_since__gt=since))

    def trusted(self, now: datetime.datetime | None = None) -> "IdpCertificateQuerySet":
        """The certificates that verify signatures at `now`: named and inside their validity
        window. The one rule for the ACS, Single Logout, sign-in availability and the page."""
        now = now or timezone.now()
        return self.named(now).filter(not_before__lte=now, not_after__gte=now)

    def upcoming(self, now: datetime.datetime | None = None) -> "IdpCertificateQuerySet":
        """Named certificates whose notBefore is still ahead: they verify nothing yet."""
        now = now or timezone.now()
        return self.named(now).filter(not_before__gt=now).order_by("not_before", "id")


class IdpCertificate(models.Model):
    """One IdP signing certificate the console trusts (or trusted, once retired)."""

    fingerprint = models.CharField(max_length=64, unique=True)  # SHA-256 of the DER
    der_b64 = models.TextField()
    subject = models.CharField(max_length=1000)
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    source = models.CharField(max_length=16, choices=CertificateSource.choices)
    in_metadata = models.BooleanField(default=False)  # in the metadata applied last
    ever_in_metadata = models.BooleanField(default=False)
    in_okta_api = models.BooleanField(default=False)  # in the app's key credentials, last read
    unlisted_since = models.DateTimeField(null=True, blank=True)  # named by neither, since
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_verified_at = models.DateTimeField(null=True, blank=True)  # a sign-in verified with it
    expiry_alerted_days = models.PositiveSmallIntegerField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_reason = models.CharField(max_length=255, blank=True)

    objects = IdpCertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-not_before", "-id"]

    def __str__(self) -> str:
        return f"{self.subject} (expires {self.not_after:%Y-%m-%d})"


class SamlRequest(models.Model):
    """An AuthnRequest this SP sent; the ACS accepts InResponseTo only for these."""

    request_id = models.CharField(max_length=255, unique=True)
    relay_state = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)


class ConsumedAssertion(models.Model):
    """An accepted assertion ID, kept until it could no longer be accepted anyway."""

    assertion_id = models.CharField(max_length=255, unique=True)
    keep_until = models.DateTimeField(db_index=True)
    consumed_at = models.DateTimeField(auto_now_add=True)


class SamlSession(models.Model):
    """A console session opened by an assertion: how Okta's LogoutRequest finds it.

    Okta's LogoutRequest may come without the session cookie (a cross-site iframe), so the
    session is found by NameID and SessionIndex here, never through the cookie.
    """

    session_key = models.CharField(max_length=40, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name_id = models.CharField(max_length=1000, db_index=True)
    name_id_format = models.CharField(max_length=1000, blank=True)
    name_qualifier = models.CharField(max_length=1000, blank=True)
    sp_name_qualifier = models.CharField(max_length=1000, blank=True)
    session_index = models.CharField(max_length=255, blank=True, db_index=True)
    not_on_or_after = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)


class LogoutRequestSent(models.Model):
    """A LogoutRequest this SP sent; a LogoutResponse is accepted only in response to one."""

    request_id = models.CharField(max_length=255, unique=True)
    name_id = models.CharField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)


class ConsumedLogoutRequest(models.Model):
    """The ID of an IdP LogoutRequest already acted on, kept until it would have expired."""

    request_id = models.CharField(max_length=255, unique=True)
    keep_until = models.DateTimeField(db_index=True)
