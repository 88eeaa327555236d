"""How an Okta user or group becomes a console one: field mapping, status mapping, what Okta
sent. The sync and Event Hooks read the same Okta objects, so they map them here, once."""

from sys import intern
from typing import Any

from querypie_admin.directory import IDP_PROFILE_FIELDS, Sent

# Order of the values tuple the engine keeps per Okta user (compact for 100,000 users):
# the console fields, then Okta's status (kept only to record what Okta sent).
FIELDS = IDP_PROFILE_FIELDS
LOGIN = FIELDS.index("login_id")
ACTIVE = FIELDS.index("is_active")
STATUS = len(FIELDS)
_PROFILE_KEYS = (
    ("first_name", "firstName", 150),
    ("last_name", "lastName", 150),
    ("email", "email", 255),
    ("second_email", "secondEmail", 255),
    ("mobile_phone", "mobilePhone", 64),
    ("postal_address", "postalAddress", 2000),
    ("static_ip", "staticIp", 64),
    ("mac_address", "macAddress", 64),
)
_SHARED = (0, 1)  # first and last name, among _PROFILE_KEYS
_EMAIL = 2
# Okta's names for the values, in tuple order, for the link's "What Okta sent".
_SENT_KEYS = ("login", *(key for _, key, _ in _PROFILE_KEYS))
ACTIVE_STATUSES = frozenset({"ACTIVE", "PROVISIONED", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT"})
# SUSPENDED and DEPROVISIONED are inactive; STAGED (never activated) is too.

UserValues = tuple[Any, ...]
GroupValues = tuple[str, str]


def _text(value: Any, limit: int) -> str:
    return "" if value is None else str(value).strip()[:limit]


def user_values(user: dict[str, Any], app_login: str | None = None) -> UserValues:
    """The console fields for one Okta user; the app user's loginId wins over the Okta login.

    A run keeps 100,000 of these: names and statuses that many users share are one string
    each (interned), and an email equal to the login is the login's string."""
    profile = user.get("profile") or {}
    login = _text(app_login or profile.get("login"), 255)
    values = [_text(profile.get(key), limit) for _, key, limit in _PROFILE_KEYS]
    for index in _SHARED:
        values[index] = intern(values[index])
    if values[_EMAIL] == login:
        values[_EMAIL] = login
    status = user.get("status")
    return (login, *values, status in ACTIVE_STATUSES, intern(_text(status, 32)))


def stored_values(fields: tuple[Any, ...], app_login: str | None) -> UserValues:
    """Values the last run wrote (FIELDS order), with the login the app user has now.

    Okta's status is not known for them: the planner does not refresh their links.
    """
    return (_text(app_login, 255) or fields[LOGIN], *fields[LOGIN + 1 :], "")


def as_fields(values: UserValues) -> dict[str, Any]:
    return dict(zip(FIELDS, values[:STATUS], strict=True))


def user_attributes(values: UserValues) -> dict[str, Any]:
    """What Okta sent for a user, small: the profile fields the sync maps and the status."""
    sent = {key: _json_text(value) for key, value in zip(_SENT_KEYS, values, strict=False) if value}
    return sent | {"status": values[STATUS]}


def user_sent(okta_id: str, values: UserValues) -> Sent:
    return Sent(okta_id, user_attributes(values))


def group_values(group: dict[str, Any]) -> GroupValues:
    profile = group.get("profile") or {}
    return _text(profile.get("name"), 255), _text(profile.get("description"), 10_000)


def group_fields(values: GroupValues) -> dict[str, str]:
    return {"name": values[0], "description": values[1]}


def group_attributes(values: GroupValues) -> dict[str, str]:
    name, description = values
    return {"name": _json_text(name), "description": _json_text(description)}


def group_sent(okta_id: str, values: GroupValues) -> Sent:
    return Sent(okta_id, group_attributes(values))


def _json_text(value: str) -> str:
    """PostgreSQL's JSON cannot hold a NUL; the validator reports it on the field itself."""
    return value.replace("\x00", "")
