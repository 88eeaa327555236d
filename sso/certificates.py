"""The set of IdP signing certificates the console trusts, and the rules that change it.

A certificate verifies signatures only inside its validity window (notBefore..notAfter) and only
while the current metadata or Okta's key list names it, plus a short grace after it stops being
named (SSO_CERTIFICATE_UNLISTED_GRACE_SECONDS) for assertions already in flight:
`IdpCertificate.objects.trusted(now)` is that rule, for every signature check and the page. So a
key that another server's key list once named, or a certificate whose notBefore lies far ahead,
never stays trusted by being seen once. A certificate nobody names any more is retired after
the grace (sooner once a newer one verified a sign-in); an Owner may retire one by hand. A
certificate still in the metadata is kept after it expires (its alert says so), though it
verifies nothing. Every change is audited.
"""

import datetime

import xmlsec
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from lxml import etree
from onelogin.saml2.utils import OneLogin_Saml2_Utils as U

from querypie_admin import audit
from querypie_admin.audit import Actor
from querypie_admin.models import Role, User

from .metadata import Certificate
from .models import NAMED, CertificateSource, IdpCertificate, unlisted_grace

NEWER_VERIFIED = "a sign-in verified with a newer certificate"
EXPIRED = "expired and no longer in the metadata"
UNLISTED = "no longer named by the metadata or Okta's key list"
IDP_CHANGED = "the identity provider changed"
BY_HAND = "retired by an Owner"


class CertificateRefused(ValueError):
    """A retirement the console refuses; the message is shown to the admin as is."""


def trusted(now: datetime.datetime | None = None) -> list[IdpCertificate]:
    """The certificates that verify signatures now, newest first (python3-saml tries them in
    this order)."""
    return list(IdpCertificate.objects.trusted(now))


def _audit_trusted(cert: IdpCertificate, actor: Actor) -> None:
    detail = {
        "subject": cert.subject,
        "not_before": cert.not_before.isoformat(),
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
def apply_metadata(
    certs: list[Certificate], source: str, actor: Actor, *, by_admin: bool = False
) -> None:
    """The certificates of the metadata just applied: new ones trusted, a retired one that
    comes back (Okta rolled back) trusted again, the others marked as out of the metadata.
    One an Owner retired by hand comes back only with metadata an admin saves (`by_admin`),
    never with the scheduled refresh."""
    listed = set()
    for cert in certs:
        row, created = _row(cert, source)
        listed.add(row.pk)
        row.in_metadata = row.ever_in_metadata = True
        came_back = row.retired_at is not None and (by_admin or row.retired_reason != BY_HAND)
        if came_back:
            row.retired_at, row.retired_reason = None, ""
        row.save()
        if created or came_back:
            _audit_trusted(row, actor)
    IdpCertificate.objects.exclude(pk__in=listed).update(in_metadata=False)
    retire_unlisted(actor)


@transaction.atomic
def apply_okta_keys(certs: list[Certificate], actor: Actor) -> None:
    """The app's key credentials from Okta's API, the whole list: the next certificate is
    trusted before the Okta admin activates it (from its notBefore), and what the list no
    longer names loses that support. A certificate already retired stays retired."""
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
    """A new identity provider, applied by an admin: its certificates only; the previous
    one's are retired now."""
    keep = {cert.fingerprint for cert in certs}
    for old in IdpCertificate.objects.current().exclude(fingerprint__in=keep):
        _retire(old, IDP_CHANGED, actor)
    IdpCertificate.objects.update(in_okta_api=False)
    apply_metadata(certs, source, actor, by_admin=True)


def _note_unnamed(now: datetime.datetime) -> None:
    """Start the grace of what stopped being named; end it for what is named again."""
    current = IdpCertificate.objects.current()
    current.filter(NAMED).exclude(unlisted_since=None).update(unlisted_since=None)
    current.exclude(NAMED).filter(unlisted_since=None).update(unlisted_since=now)


def _retirement(cert: IdpCertificate, now: datetime.datetime) -> str:
    """Why an unnamed certificate retires now, or "" while it may still verify a sign-in."""
    if cert.unlisted_since + unlisted_grace() <= now:
        return UNLISTED
    if cert.not_after < now:
        return EXPIRED
    newer = Q(not_before__gt=cert.not_before) | Q(
        not_before=cert.not_before, first_seen_at__gt=cert.first_seen_at
    )
    trusted_now = IdpCertificate.objects.trusted(now)
    if trusted_now.filter(newer, last_verified_at__isnull=False).exists():
        return NEWER_VERIFIED
    return ""


def retire_unlisted(actor: Actor) -> list[IdpCertificate]:
    """Retire what nobody names any more: after the grace, or sooner once it expired or a
    newer certificate verified a sign-in."""
    now = timezone.now()
    _note_unnamed(now)
    retired = []
    for cert in IdpCertificate.objects.current().exclude(NAMED):
        reason = _retirement(cert, now)
        if reason:
            _retire(cert, reason, actor)
            retired.append(cert)
    return retired


def signing_certificate() -> IdpCertificate | None:
    """The certificate that signs today's sign-ins: the one that verified the most recent,
    else the current metadata's (the first to end, when it lists several)."""
    current = IdpCertificate.objects.current()
    verified = current.exclude(last_verified_at=None).order_by("-last_verified_at").first()
    return verified or current.filter(in_metadata=True).order_by("not_after", "id").first()


def _certificate_to_retire(user: User, pk: object) -> IdpCertificate:
    if not (isinstance(user, User) and user.is_active and user.role == Role.OWNER):
        raise CertificateRefused("Only an Owner can retire a certificate.")
    try:
        return IdpCertificate.objects.select_for_update().current().get(pk=int(str(pk)))
    except (ValueError, IdpCertificate.DoesNotExist) as exc:
        raise CertificateRefused(
            "There is no such certificate to retire (it may be retired already); "
            "nothing was changed."
        ) from exc


@transaction.atomic
def _retire_by_hand(user: User, pk: object) -> IdpCertificate:
    cert = _certificate_to_retire(user, pk)
    trusted_now = IdpCertificate.objects.trusted()
    if trusted_now.filter(pk=cert.pk).exists() and not trusted_now.exclude(pk=cert.pk).exists():
        raise CertificateRefused(
            f"{cert.subject} is the only certificate that verifies today's sign-ins: retiring "
            "it would stop every SAML sign-in. Trust the identity provider's next certificate "
            "first."
        )
    _retire(cert, BY_HAND, user)
    return cert


def retire_certificate(user: User, pk: object) -> IdpCertificate:
    """An Owner retires a certificate by hand (one they no longer trust): it verifies nothing
    from now on and the scheduled refresh does not bring it back. Refused (and audited) for
    anyone else, for a certificate that does not exist or is retired, and for the only
    certificate that verifies today's sign-ins."""
    try:
        return _retire_by_hand(user, pk)
    except CertificateRefused as refusal:
        audit.record(
            "sso.certificate_retired",
            actor=user,
            target_label=f"IdP certificate {str(pk)[:40]}",
            outcome="failure",
            detail={"reason": str(refusal)},
        )
        raise


def signer(root: etree._Element, signature: etree._Element) -> IdpCertificate | None:
    """Which trusted certificate made this (already verified) signature, newest first."""
    xmlsec.tree.add_ids(root, ["ID"])
    for cert in trusted():
        pem = U.format_cert(cert.der_b64)
        if U.validate_node_sign(signature, root, pem, raise_exceptions=False):
            return cert
    return None


def record_verified(cert: IdpCertificate, actor: Actor) -> None:
    """A sign-in verified with `cert`: older certificates nobody names may now retire."""
    IdpCertificate.objects.filter(pk=cert.pk).update(last_verified_at=timezone.now())
    retire_unlisted(actor)
