"""The hook's header secret: generated here, stored as a salted hash, checked in constant time.

Okta sends the value an administrator configured in a header of their choice (Okta's
authScheme HEADER, `Authorization` by default) on every delivery and on the one-time
verification. Two secrets may be valid at once, so the value in Okta can be rotated
without losing a delivery: the new one, and the previous one until it is removed.
"""

import hashlib
import hmac
import re
import secrets

from django.http import HttpRequest

from querypie_admin import audit_throttle

from ..models import HookSettings

SECRET_BYTES = 32
_SALT_BYTES = 16
# Letters, digits and "-": servers and proxies drop a header with "_" (it would alias the
# "-" one in WSGI), and none the console or a proxy gives meaning to.
_TOKEN = re.compile(r"^[0-9A-Za-z-]{1,64}$")
RESERVED_HEADERS = {
    "content-length",
    "content-type",
    "cookie",
    "host",
    "transfer-encoding",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-okta-verification-challenge",
}


def generate() -> str:
    """A new secret: 256 random bits, as text an Okta admin can paste."""
    return secrets.token_urlsafe(SECRET_BYTES)


def hash_secret(value: str) -> str:
    """`salt$hmac-sha256`: a random secret needs no slow hash, only one that does not
    reveal it; the salt keeps two installs with one secret from storing the same hash."""
    salt = secrets.token_hex(_SALT_BYTES)
    return f"{salt}${_digest(salt, value)}"


def _digest(salt: str, value: str) -> str:
    return hmac.new(salt.encode(), value.encode(), hashlib.sha256).hexdigest()


def _matches(stored: str, value: str) -> bool:
    salt, _, digest = stored.partition("$")
    candidate = _digest(salt, value) if digest else ""
    return hmac.compare_digest(candidate.encode(), (digest or "x").encode())


def authenticated(hook: HookSettings, header_value: str) -> bool:
    """Does the header carry the current or the previous secret? Both are always checked,
    so the time taken says nothing of which one matched, or how much of it."""
    value = header_value.strip()
    current = _matches(hook.secret_hash, value) if hook.secret_hash else False
    previous = _matches(hook.previous_hash, value) if hook.previous_hash else False
    return bool(value) and (current | previous)


def record_refusal(request: HttpRequest) -> None:
    """A request without a valid secret is anonymous: audited as `event_hook.delivery_refused`
    at most once a minute per client address, with a count (querypie_admin.audit_throttle)."""
    audit_throttle.record_refusal(
        "event_hook",
        "event_hook.delivery_refused",
        request=request,
        actor="unknown (Okta Event Hook)",
        target_label="Okta Event Hooks",
        detail={"reason": "no valid event hook secret", "method": request.method},
    )


def header_name_problem(name: str) -> str:
    """Why `name` cannot carry the secret, or "" when it can."""
    if not _TOKEN.match(name):
        return "Enter a header name: letters, digits and - only, up to 64 characters."
    if name.lower() in RESERVED_HEADERS:
        return f"{name} is a header HTTP or proxies give meaning to; choose another."
    return ""
