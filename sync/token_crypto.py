"""Encryption at rest for the Okta API token.

The key is derived from SECRET_KEY with HKDF-SHA256 and a purpose label, so the token is
unreadable from a database dump alone and no other feature shares this key.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_PURPOSE = b"querypie-admin/okta-sync/api-token"


class TokenUnreadable(Exception):
    """The stored token cannot be decrypted (the secret key changed): enter it again."""


def _fernet() -> Fernet:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE)
    key = hkdf.derive(settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_token(token: str) -> str:
    return _fernet().encrypt(token.encode()).decode()


def decrypt_token(encrypted: str) -> str:
    try:
        return _fernet().decrypt(encrypted.encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise TokenUnreadable(
            "The stored API token cannot be read (was the secret key changed?); enter it again."
        ) from exc
