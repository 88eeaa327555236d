"""The SP key pair: generated once, the private key encrypted at rest (see encryption.py),
so a database dump alone does not reveal the SP's signing key.

The key can roll over without breaking Single Logout: a next key pair is generated and
published in the SP metadata beside the current one, the IdP is given its certificate, and
then it is promoted to be the key the console signs with.
"""

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.db import transaction

from querypie_admin import audit
from querypie_admin.audit import Actor
from querypie_admin.encryption import SecretUnreadable, decrypt, encrypt

from .models import SamlSettings

CERT_VALIDITY_DAYS = 3650
COMMON_NAME = "QueryPie SAML SP"


_PURPOSE = b"querypie-admin sso sp key"


def encrypt_private_key(pem: str) -> str:
    return encrypt(pem, _PURPOSE)


def decrypt_private_key(stored: str) -> str:
    """The PEM key; a changed SECRET_KEY makes it unreadable, which raises SecretUnreadable."""
    return decrypt(stored, _PURPOSE)


def _new_key_pair(common_name: str) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=CERT_VALIDITY_DAYS))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return cert.public_bytes(serialization.Encoding.PEM).decode(), key_pem


def ensure_sp_key_pair(config: SamlSettings) -> tuple[str, str]:
    """(certificate PEM, private key PEM), generating and saving them on first use.

    A key that no longer decrypts (SECRET_KEY rotated) is replaced: the SP metadata then shows
    the new certificate, which the IdP needs only when AuthnRequests are signed.
    """
    pair = _saved_pair(config)
    if pair:
        return pair
    with transaction.atomic():  # two processes starting at once keep one key pair
        locked = SamlSettings.objects.select_for_update().get(pk=config.pk)
        pair = _saved_pair(locked)
        if not pair:
            pair = _new_key_pair(COMMON_NAME)
            locked.sp_certificate_pem = pair[0]
            locked.sp_private_key_encrypted = encrypt_private_key(pair[1])
            fields = ["sp_certificate_pem", "sp_private_key_encrypted", "updated_at"]
            locked.save(update_fields=fields)
    config.sp_certificate_pem = locked.sp_certificate_pem
    config.sp_private_key_encrypted = locked.sp_private_key_encrypted
    return pair


def _saved_pair(config: SamlSettings) -> tuple[str, str] | None:
    if not (config.sp_certificate_pem and config.sp_private_key_encrypted):
        return None
    try:
        return config.sp_certificate_pem, decrypt_private_key(config.sp_private_key_encrypted)
    except SecretUnreadable:
        return None


def certificate_facts(pem: str) -> dict:
    """Serial (first 16 hex digits) and expiry of an SP certificate, to show and to audit."""
    cert = x509.load_pem_x509_certificate(pem.encode())
    return {"serial": format(cert.serial_number, "x")[:16], "not_after": cert.not_valid_after_utc}


def _audited_facts(pem: str) -> dict:
    facts = certificate_facts(pem)
    return {**facts, "not_after": facts["not_after"].isoformat()}


@transaction.atomic
def generate_next_key(actor: Actor) -> bool:
    """Create the next key pair, published in SP metadata beside the current one; False when
    one is already waiting to be promoted."""
    config = SamlSettings.objects.select_for_update().get_or_create(pk=1)[0]
    if config.sp_next_certificate_pem:
        return False
    cert_pem, key_pem = _new_key_pair(COMMON_NAME)
    config.sp_next_certificate_pem = cert_pem
    config.sp_next_private_key_encrypted = encrypt_private_key(key_pem)
    config.save(update_fields=["sp_next_certificate_pem", "sp_next_private_key_encrypted"])
    detail = _audited_facts(cert_pem)
    audit.record("sso.sp_key_generated", actor=actor, target_label="SP signing key", detail=detail)
    return True


@transaction.atomic
def promote_next_key(actor: Actor) -> bool:
    """Sign with the next key from now on; the previous one is dropped. False without one."""
    config = SamlSettings.objects.select_for_update().get_or_create(pk=1)[0]
    if not config.sp_next_certificate_pem:
        return False
    config.sp_certificate_pem = config.sp_next_certificate_pem
    config.sp_private_key_encrypted = config.sp_next_private_key_encrypted
    config.sp_next_certificate_pem = config.sp_next_private_key_encrypted = ""
    config.save()
    detail = _audited_facts(config.sp_certificate_pem)
    audit.record("sso.sp_key_promoted", actor=actor, target_label="SP signing key", detail=detail)
    return True
