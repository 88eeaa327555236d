"""Encryption at rest for the Okta API token, with a key of its own (see encryption.py)."""

from querypie_admin.encryption import SecretUnreadable, decrypt, encrypt

_PURPOSE = b"querypie-admin/okta-sync/api-token"


class TokenUnreadable(Exception):
    """The stored token cannot be decrypted (the secret key changed): enter it again."""


def encrypt_token(token: str) -> str:
    return encrypt(token, _PURPOSE)


def decrypt_token(stored: str) -> str:
    try:
        return decrypt(stored, _PURPOSE)
    except SecretUnreadable as exc:
        raise TokenUnreadable(
            "The stored API token cannot be read (was the secret key changed?); enter it again."
        ) from exc
