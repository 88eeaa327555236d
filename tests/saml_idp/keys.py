"""Test-only IdP key pairs, generated at test time with `cryptography` (nothing committed)."""

import base64
import datetime
import functools
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

_KEY_DIR = Path(tempfile.mkdtemp(prefix="saml-idp-keys-"))


@dataclass(frozen=True)
class KeyPair:
    key_pem: str
    cert_pem: str
    key_file: str  # xmlsec1 reads the key from a file

    @property
    def cert_b64(self) -> str:
        """The certificate as base64 DER, the form metadata's X509Certificate holds."""
        cert = x509.load_pem_x509_certificate(self.cert_pem.encode())
        return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def make_key_pair(
    common_name: str,
    *,
    valid_days: int = 365,
    expired: bool = False,
    window: tuple[datetime.datetime, datetime.datetime] | None = None,
) -> KeyPair:
    """A key and its self-signed certificate, valid from a day before now (the clock may be
    pinned) for `valid_days`, or expired, or valid over exactly `window`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    start = now - datetime.timedelta(days=valid_days + 10 if expired else 1)
    end = now - datetime.timedelta(days=1) if expired else now + datetime.timedelta(days=valid_days)
    if window is not None:
        start, end = window
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    path = _KEY_DIR / f"{common_name.replace(' ', '_')}-{cert.serial_number}.pem"
    path.write_text(key_pem)
    return KeyPair(key_pem, cert.public_bytes(serialization.Encoding.PEM).decode(), str(path))


# The shared test IdP key is valid whatever date a test pins its clock to.
SHARED_WINDOW = (
    datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC),
    datetime.datetime(2099, 12, 31, tzinfo=datetime.UTC),
)


@functools.cache
def shared_key_pair(common_name: str) -> KeyPair:
    """One key pair per name per test process: RSA generation is the slow part."""
    return make_key_pair(common_name, window=SHARED_WINDOW)
