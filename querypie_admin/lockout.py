"""Password sign-in lock-out: too many failures for one login ID, or from one address.

Each attempt takes a slot before the password is checked: a login ID has
SIGNIN_LOCKOUT_FAILURES slots and an address SIGNIN_LOCKOUT_IP_FAILURES, each slot a cache
key that `add` creates with its own expiry of SIGNIN_LOCKOUT_SECONDS. `add` is atomic on
every cache the console uses (Redis, the in-memory cache, and the file cache of
querypie_admin.cache), so 24 parallel attempts get exactly as many password checks as
there are slots; and no backend's `incr` can shorten the window, as the file cache's did
(it reset the expiry to the cache default of 300 s). When every slot is taken, password
sign-in for that login ID (or from that address) is refused until the oldest slot expires,
even with the right password. A successful sign-in frees the login ID's slots and gives
back the address slot it took. Unknown login IDs take slots like known ones, so the
lock-out reveals nothing about which accounts exist. Login IDs count by their Unicode
comparison key: `ＡＤＭＩＮ` and `admin` share their slots.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from .lookups import comparison_key

MESSAGE = "Too many failed sign-ins. Wait {minutes} minutes, then try again."


class Locked(Exception):
    """Every slot of the login ID ("login ID") or of the address ("address") is taken."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Attempt:
    """The slots one sign-in attempt took; a failed attempt simply keeps them."""

    login_key: str
    address_slot: str | None


def _login_key(login_id: str) -> str:
    digest = hashlib.sha256(comparison_key(login_id.strip()).encode()).hexdigest()
    return f"signin-failures:login:{digest}"


def _slots(key: str, limit: int) -> list[str]:
    return [f"{key}:{n}" for n in range(limit)]


def _take_slot(key: str, limit: int) -> str | None:
    taken = cache.get_many(_slots(key, limit))
    for slot in _slots(key, limit):
        if slot not in taken and cache.add(slot, 1, timeout=settings.SIGNIN_LOCKOUT_SECONDS):
            return slot
    return None


def begin(login_id: str, ip: str | None) -> Attempt:
    """Take this attempt's slots before the password is checked; Locked if none is free."""
    login_key = _login_key(login_id)
    login_slot = _take_slot(login_key, settings.SIGNIN_LOCKOUT_FAILURES)
    if login_slot is None:
        raise Locked("login ID")
    address_slot = None
    if ip:
        address_slot = _take_slot(f"signin-failures:ip:{ip}", settings.SIGNIN_LOCKOUT_IP_FAILURES)
        if address_slot is None:
            cache.delete(login_slot)
            raise Locked("address")
    return Attempt(login_key, address_slot)


def succeeded(attempt: Attempt) -> None:
    """A successful sign-in forgets the login ID's failures, and its address slot is given
    back (the address's earlier failures still count)."""
    cache.delete_many(_slots(attempt.login_key, settings.SIGNIN_LOCKOUT_FAILURES))
    if attempt.address_slot:
        cache.delete(attempt.address_slot)


def message() -> str:
    return MESSAGE.format(minutes=max(1, settings.SIGNIN_LOCKOUT_SECONDS // 60))
