"""Password sign-in lock-out: too many failures for one login ID, or from one address.

Failures are counted in Django's cache for a fixed window starting at the first failure;
once a count reaches its limit, every password sign-in for that login ID (or from that
address) is refused until the window ends, even with the right password. Unknown login IDs
are counted like known ones, so the lock-out reveals nothing about which accounts exist.
The default cache is a directory under var/, which every process on the machine shares;
several machines share counts through Redis (CACHE_URL).
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

MESSAGE = "Too many failed sign-ins. Wait {minutes} minutes, then try again."


def _login_key(login_id: str) -> str:
    digest = hashlib.sha256(login_id.strip().casefold().encode()).hexdigest()
    return f"signin-failures:login:{digest}"


def _ip_key(ip: str) -> str:
    return f"signin-failures:ip:{ip}"


def _limits(login_id: str, ip: str | None) -> list[tuple[str, int]]:
    limits = [(_login_key(login_id), settings.SIGNIN_LOCKOUT_FAILURES)]
    if ip:
        limits.append((_ip_key(ip), settings.SIGNIN_LOCKOUT_IP_FAILURES))
    return limits


def locked_reason(login_id: str, ip: str | None) -> str:
    """Which counter is at its limit ("login ID" or "address"), or "" when none is."""
    for key, limit in _limits(login_id, ip):
        if cache.get(key, 0) >= limit:
            return "login ID" if key.startswith("signin-failures:login:") else "address"
    return ""


def record_failure(login_id: str, ip: str | None) -> None:
    for key, _ in _limits(login_id, ip):
        cache.add(key, 0, timeout=settings.SIGNIN_LOCKOUT_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr: start a new window
            cache.add(key, 1, timeout=settings.SIGNIN_LOCKOUT_SECONDS)


def clear(login_id: str) -> None:
    """A successful sign-in forgets the login ID's failures (not the address's)."""
    cache.delete(_login_key(login_id))


def message() -> str:
    return MESSAGE.format(minutes=max(1, settings.SIGNIN_LOCKOUT_SECONDS // 60))
