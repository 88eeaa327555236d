"""Password sign-in lock-out that an outsider cannot turn against the Owner.

Three counters, each a number of slots that every attempt must find one free in before the
password is checked:

- the login ID *from one address*: SIGNIN_LOCKOUT_FAILURES (5). This is the limit a guesser
  meets. It locks only that address's attempts on the login ID, so an attacker who knows
  the Owner's login ID cannot keep the Owner out: the Owner signs in from another address.
- the login ID *from every address*: SIGNIN_LOCKOUT_ACCOUNT_FAILURES (50), much higher, for
  guessing spread over many addresses. Reaching it takes ten addresses at their own limit;
  `manage.py users unlock` lifts it (docs/RECOVERY.md).
- one address, whatever the login IDs: SIGNIN_LOCKOUT_IP_FAILURES (30), for one address
  trying many accounts.

Each slot is a cache key that `add` creates with its own expiry of SIGNIN_LOCKOUT_SECONDS.
`add` is atomic on every cache the console uses (Redis, the in-memory cache, and the file
cache of querypie_admin.cache), so 24 parallel attempts get exactly as many password checks
as there are slots; and no backend's `incr` can shorten the window, as the file cache's did
(it reset the expiry to the cache default of 300 s). An attempt refused by one counter gives
back the slots it took from the others. A successful sign-in frees the failures of its login
ID from its address and gives back the slots it took itself; failures from other addresses
still count (one sign-in by the Owner must not hand a spread-out guesser a fresh allowance).
Unknown login IDs take slots like known ones, so the lock-out reveals nothing about which
accounts exist. Login IDs count by their Unicode comparison key: `ＡＤＭＩＮ` and `admin`
share their slots.

The login ID's slots carry a generation that `unlock` renews: every count of that login ID,
from every address, is then forgotten at once (the old slots simply expire unread).
"""

import hashlib
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from .lookups import comparison_key

MESSAGE = "Too many failed sign-ins. Wait {minutes} minutes, then try again."
PAIR = "login ID from this address"
ACCOUNT = "login ID from every address"
ADDRESS = "address"


class Locked(Exception):
    """Every slot of one counter is taken; `reason` names which (PAIR, ACCOUNT, ADDRESS)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Attempt:
    """The slots one sign-in attempt took; a failed attempt simply keeps them."""

    pair_key: str
    slots: tuple[str, ...]


def _login_key(login_id: str) -> str:
    digest = hashlib.sha256(comparison_key(login_id.strip()).encode()).hexdigest()
    return f"signin-failures:login:{digest}"


def _generation_key(login_key: str) -> str:
    return f"{login_key}:generation"


def _counters(login_id: str, ip: str | None) -> list[tuple[str, int, str]]:
    """(key, limit, reason) of each counter this attempt must find a free slot in."""
    login_key = _login_key(login_id)
    login_key += ":" + (cache.get(_generation_key(login_key)) or "0")
    counters = [
        (f"{login_key}:from:{ip or 'unknown'}", settings.SIGNIN_LOCKOUT_FAILURES, PAIR),
        (login_key, settings.SIGNIN_LOCKOUT_ACCOUNT_FAILURES, ACCOUNT),
    ]
    if ip:
        counters.append((f"signin-failures:ip:{ip}", settings.SIGNIN_LOCKOUT_IP_FAILURES, ADDRESS))
    return counters


def _slots(key: str, limit: int) -> list[str]:
    return [f"{key}:{n}" for n in range(limit)]


def _take_slot(key: str, limit: int) -> str | None:
    taken = cache.get_many(_slots(key, limit))
    for slot in _slots(key, limit):
        if slot not in taken and cache.add(slot, 1, timeout=settings.SIGNIN_LOCKOUT_SECONDS):
            return slot
    return None


def begin(login_id: str, ip: str | None) -> Attempt:
    """Take this attempt's slots before the password is checked; Locked if a counter is full."""
    counters = _counters(login_id, ip)
    taken: list[str] = []
    for key, limit, reason in counters:
        slot = _take_slot(key, limit)
        if slot is None:
            cache.delete_many(taken)  # a refused attempt is not a failure of the others
            raise Locked(reason)
        taken.append(slot)
    return Attempt(pair_key=counters[0][0], slots=tuple(taken))


def succeeded(attempt: Attempt) -> None:
    """Forget the login ID's failures from this address and give back this attempt's slots."""
    cache.delete_many(_slots(attempt.pair_key, settings.SIGNIN_LOCKOUT_FAILURES))
    cache.delete_many(list(attempt.slots))


def unlock(login_id: str) -> None:
    """Forget every failure counted for this login ID, from every address (an operator's
    recovery: `manage.py users unlock`). The generation never expires: were it to lapse, the
    counts of the generation before it would apply again."""
    cache.set(_generation_key(_login_key(login_id)), uuid.uuid4().hex, timeout=None)


def message() -> str:
    return MESSAGE.format(minutes=max(1, settings.SIGNIN_LOCKOUT_SECONDS // 60))
