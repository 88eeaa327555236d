"""Bearer tokens shown once and stored hashed (API tokens here, SCIM tokens in scim).

A token reads `<prefix>_<key_id>_<secret>`: the key id finds the row, the secret is compared
to its SHA-256 in constant time. Secrets carry 256 bits, so a fast hash is enough.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class IssuedToken:
    key_id: str
    secret_hash: str
    value: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(prefix: str) -> IssuedToken:
    """Make a new token; the caller stores key_id and secret_hash and shows value once."""
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return IssuedToken(key_id, hash_secret(secret), f"{prefix}_{key_id}_{secret}")


def split_token(value: str, prefix: str) -> tuple[str, str] | None:
    """Return (key_id, secret) of a well-formed token of this prefix, else None."""
    parts = value.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != prefix or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)
