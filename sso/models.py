"""SAML settings (one row), outstanding AuthnRequest IDs and consumed assertion IDs.

Request and assertion IDs live in the database, not in the session: Okta's POST to the ACS is
cross-site, so the SameSite=Lax session cookie is not sent with it, and the replay store must
hold across every web process.
"""

from django.db import models

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
    idp_certificates = models.JSONField(default=list, blank=True)
    sign_authn_requests = models.BooleanField(default=False)
    clock_skew_seconds = models.PositiveIntegerField(default=120)
    jit_enabled = models.BooleanField(default=False)
    allow_sha1 = models.BooleanField(default=False)
    sp_certificate_pem = models.TextField(blank=True)
    sp_private_key_encrypted = models.TextField(blank=True)
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
            and bool(self.idp_certificates)
        )


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
