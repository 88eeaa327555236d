"""The set of IdP signing certificates the console trusts, and the rules that change it.

A certificate is trusted at once, wherever it comes from (metadata pasted, uploaded or fetched,
or the Okta app's key credentials), so sign-in goes on the moment Okta activates its next
certificate. One is retired only when it is no longer published (it left the metadata) and
either a sign-in verified with a newer certificate or it expired: until then an assertion
signed with it is still accepted. Every change is audited.
"""

import xmlsec
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from lxml import etree
from onelogin.saml2.utils import OneLogin_Saml2_Utils as U

from querypie_admin import audit
from querypie_admin.audit import Actor

from .metadata import Certificate
from .models import CertificateSource, IdpCertificate

NEWER_VERIFIED = "a sign-in verified with a newer certificate"
EXPIRED = "expired and no longer in the metadata"
IDP_CHANGED = "the identity provider changed"


def trusted() -> list[IdpCertificate]:
    """The trusted certificates, newest first (python3-saml tries them in this order)."""
    return list(IdpCertificate.objects.trusted())


def trusted_pems() -> list[str]:
    return [U.format_cert(cert.der_b64) for cert in trusted()]


def _audit_trusted(cert: IdpCertificate, actor: Actor) -> None:
    detail = {
        "subject": cert.subject,
        "not_after": cert.not_after.isoformat(),
        "source": cert.source,
        "fingerprint": cert.fingerprint[:16],
    }
    audit.record("sso.certificate_trusted", actor=actor, target_label=cert.subject, detail=detail)


def _retire(cert: IdpCertificate, reason: str, actor: Actor) -> None:
    cert.retired_at, cert.retired_reason = timezone.now(), reason
    cert.save(update_fields=["retired_at", "retired_reason"])
    detail = {"subject": cert.subject, "reason": reason, "fingerprint": cert.fingerprint[:16]}
    audit.record("sso.certificate_retired", actor=actor, target_label=cert.subject, detail=detail)


def _row(cert: Certificate, source: str) -> tuple[IdpCertificate, bool]:
    return IdpCertificate.objects.get_or_create(
        fingerprint=cert.fingerprint,
        defaults={
            "der_b64": cert.der_b64,
            "subject": cert.subject,
            "not_before": cert.not_before,
            "not_after": cert.not_after,
            "source": source,
        },
    )


@transaction.atomic
def apply_metadata(certs: list[Certificate], source: str, actor: Actor) -> None:
    """The certificates of the metadata just applied: new ones trusted, a retired one that
    comes back (Okta rolled back) trusted again, the others marked as out of the metadata."""
    listed = set()
    for cert in certs:
        row, created = _row(cert, source)
        listed.add(row.pk)
        row.in_metadata = row.ever_in_metadata = True
        came_back = row.retired_at is not None
        row.retired_at, row.retired_reason = None, ""
        row.save()
        if created or came_back:
            _audit_trusted(row, actor)
    IdpCertificate.objects.exclude(pk__in=listed).update(in_metadata=False)
    retire_unlisted(actor)


@transaction.atomic
def apply_okta_keys(certs: list[Certificate], actor: Actor) -> None:
    """The app's key credentials from Okta's API: the next certificate is trusted before the
    Okta admin activates it. A certificate already retired stays retired."""
    listed = set()
    for cert in certs:
        row, created = _row(cert, CertificateSource.OKTA_API)
        listed.add(row.pk)
        if not row.in_okta_api:
            row.in_okta_api = True
            row.save(update_fields=["in_okta_api"])
        if created:
            _audit_trusted(row, actor)
    IdpCertificate.objects.exclude(pk__in=listed).update(in_okta_api=False)
    retire_unlisted(actor)


@transaction.atomic
def replace_all(certs: list[Certificate], source: str, actor: Actor) -> None:
    """A new identity provider: its certificates only; the previous one's are retired now."""
    keep = {cert.fingerprint for cert in certs}
    for old in IdpCertificate.objects.trusted().exclude(fingerprint__in=keep):
        _retire(old, IDP_CHANGED, actor)
    IdpCertificate.objects.update(in_okta_api=False)
    apply_metadata(certs, source, actor)


def retire_unlisted(actor: Actor) -> list[IdpCertificate]:
    """Retire what left the metadata once a newer one verified a sign-in, or it expired."""
    now = timezone.now()
    retired = []
    for cert in IdpCertificate.objects.trusted():
        if cert.listed:
            continue
        newer = Q(not_before__gt=cert.not_before) | Q(
            not_before=cert.not_before, first_seen_at__gt=cert.first_seen_at
        )
        newer_verified = (
            IdpCertificate.objects.trusted().filter(newer, last_verified_at__isnull=False).exists()
        )
        if newer_verified or cert.not_after <= now:
            _retire(cert, NEWER_VERIFIED if newer_verified else EXPIRED, actor)
            retired.append(cert)
    return retired


def signer(root: etree._Element, signature: etree._Element) -> IdpCertificate | None:
    """Which trusted certificate made this (already verified) signature, newest first."""
    xmlsec.tree.add_ids(root, ["ID"])
    for cert in trusted():
        pem = U.format_cert(cert.der_b64)
        if U.validate_node_sign(signature, root, pem, raise_exceptions=False):
            return cert
    return None


def record_verified(cert: IdpCertificate, actor: Actor) -> None:
    """A sign-in verified with `cert`: older certificates out of the metadata may now retire."""
    IdpCertificate.objects.filter(pk=cert.pk).update(last_verified_at=timezone.now())
    retire_unlisted(actor)
