"""Secrets at rest (the Okta API token, the SAML SP private key), encrypted with Fernet.

Each use derives its own key from SECRET_KEY with HKDF-SHA256 and a purpose label, so a
database dump alone reveals nothing and no two features share a key.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretUnreadable(Exception):
    """The stored value cannot be decrypted, most likely because SECRET_KEY changed."""


def _fernet(purpose: bytes) -> Fernet:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose)
    return Fernet(base64.urlsafe_b64encode(hkdf.derive(settings.SECRET_KEY.encode())))


def encrypt(value: str, purpose: bytes) -> str:
    return _fernet(purpose).encrypt(value.encode()).decode()


def decrypt(stored: str, purpose: bytes) -> str:
    try:
        return _fernet(purpose).decrypt(stored.encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable("The stored secret cannot be decrypted.") from exc
