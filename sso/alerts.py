"""What admins must act on before SAML sign-in breaks: expiring certificates, a Metadata URL
that no longer answers, a change that waits for confirmation.

The same list feeds the banner on every administrator page and the warnings of /healthz;
certificate expiry is also audited once per threshold (60, 30, 14, 7 and 1 days) by the
daily check. The expiry alert follows the certificate that signs today's sign-ins, and only a
newer certificate that already verifies sign-ins (valid now and named) and outlives it
silences it: any other certificate that happens to end later proves nothing about tomorrow.
"""

import datetime
from dataclasses import dataclass

from cryptography import x509
from django.db import DatabaseError
from django.utils import timezone

from querypie_admin import audit
from querypie_admin.audit import Actor

from .certificates import signing_certificate
from .metadata import EXPIRY_ALERT_DAYS
from .models import IdpCertificate, SamlSettings


@dataclass(frozen=True)
class Alert:
    text: str
    kind: str  # certificate_expiring, refresh_failed, okta_keys_failed, change_pending


def _days_left(not_after: datetime.datetime) -> int:
    return (not_after - timezone.now()).days


def _expiring() -> list[IdpCertificate]:
    """The signing certificate, within 60 days of its end, unless a newer trusted certificate
    outlives it; [] otherwise."""
    signing = signing_certificate()
    if signing is None or _days_left(signing.not_after) > EXPIRY_ALERT_DAYS[0]:
        return []
    successor = IdpCertificate.objects.trusted().filter(
        not_before__gt=signing.not_before, not_after__gt=signing.not_after
    )
    return [] if successor.exists() else [signing]


def _certificate_text(what: str, not_after: datetime.datetime) -> str:
    if not_after <= timezone.now():
        return f"{what} expired on {not_after:%Y-%m-%d}."
    return f"{what} expires on {not_after:%Y-%m-%d}, in {_days_left(not_after)} days."


def _sp_expiry(config: SamlSettings) -> list[Alert]:
    if not config.sp_certificate_pem or config.sp_next_certificate_pem:
        return []
    cert = x509.load_pem_x509_certificate(config.sp_certificate_pem.encode())
    if _days_left(cert.not_valid_after_utc) > EXPIRY_ALERT_DAYS[0]:
        return []
    text = _certificate_text("The console's SP certificate", cert.not_valid_after_utc)
    return [Alert(text + " Generate the next SP key.", "certificate_expiring")]


def current_alerts() -> list[Alert]:
    """Every alert in force now; empty when SAML sign-in is not set up."""
    config = SamlSettings.objects.filter(pk=1).first()  # every admin page: never a write
    if config is None or not config.idp_entity_id:
        return []
    alerts = [
        Alert(
            _certificate_text(
                f"The identity provider's signing certificate {c.subject}", c.not_after
            )
            + " Get the new certificate from your identity provider.",
            "certificate_expiring",
        )
        for c in _expiring()
    ]
    if config.metadata_refresh_error:
        alerts.append(
            Alert(
                f"The Metadata URL could not be refreshed on "
                f"{config.metadata_refresh_failed_at:%Y-%m-%d %H:%M}: "
                f"{config.metadata_refresh_error} The last good configuration stays in use.",
                "refresh_failed",
            )
        )
    if config.okta_keys_error:
        alerts.append(Alert(config.okta_keys_error, "okta_keys_failed"))
    if config.pending_metadata_xml:
        alerts.append(
            Alert(
                "The identity provider's metadata changed its entity ID, URLs or Single Logout "
                "binding: review and confirm the change in Authentication > Identity provider.",
                "change_pending",
            )
        )
    return alerts + _sp_expiry(config)


def _threshold(days_left: int) -> int:
    """The smallest alert threshold the certificate has reached (1 once it has expired)."""
    return min(t for t in EXPIRY_ALERT_DAYS if days_left <= t) if days_left > 0 else 1


def announce_expiries(actor: Actor) -> list[IdpCertificate]:
    """Audit each expiring certificate once per threshold it reaches; returns those audited."""
    announced = []
    for cert in _expiring():
        threshold = _threshold(_days_left(cert.not_after))
        if cert.expiry_alerted_days is not None and cert.expiry_alerted_days <= threshold:
            continue
        cert.expiry_alerted_days = threshold
        cert.save(update_fields=["expiry_alerted_days"])
        detail = {
            "subject": cert.subject,
            "not_after": cert.not_after.isoformat(),
            "days_left": _days_left(cert.not_after),
            "threshold": threshold,
        }
        audit.record(
            "sso.certificate_expiring",
            actor=actor,
            target_label=cert.subject,
            outcome="failure" if cert.not_after <= timezone.now() else "success",
            detail=detail,
        )
        announced.append(cert)
    return announced


def health_warnings() -> list[str]:
    """The alerts as /healthz warnings (they do not make the console unhealthy); none when
    the database cannot be read, which /healthz reports on its own."""
    try:
        return [alert.text for alert in current_alerts()]
    except DatabaseError:
        return []
