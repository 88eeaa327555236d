"""How an Okta user becomes a console user: field mapping and status mapping."""

from typing import Any

from querypie_admin.directory import IDP_PROFILE_FIELDS

# Order of the values tuple the engine keeps per Okta user (compact for 100,000 users).
FIELDS = IDP_PROFILE_FIELDS
LOGIN = FIELDS.index("login_id")
ACTIVE = FIELDS.index("is_active")
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
ACTIVE_STATUSES = frozenset({"ACTIVE", "PROVISIONED", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT"})
# SUSPENDED and DEPROVISIONED are inactive; STAGED (never activated) is too.
GONE_STATUS = "DEPROVISIONED"

UserValues = tuple[Any, ...]


def _text(value: Any, limit: int) -> str:
    return "" if value is None else str(value).strip()[:limit]


def user_values(user: dict[str, Any], app_login: str | None = None) -> UserValues:
    """The console fields for one Okta user; the app user's loginId wins over the Okta login."""
    profile = user.get("profile") or {}
    login = _text(app_login or profile.get("login"), 255)
    values = [_text(profile.get(key), limit) for _, key, limit in _PROFILE_KEYS]
    return (login, *values, user.get("status") in ACTIVE_STATUSES)


def with_app_login(values: UserValues, app_login: str | None) -> UserValues:
    """Values the last run wrote, with the login the app user has now (if it has one)."""
    return (_text(app_login, 255) or values[LOGIN], *values[LOGIN + 1 :])


def as_fields(values: UserValues) -> dict[str, Any]:
    return dict(zip(FIELDS, values, strict=True))


def group_values(group: dict[str, Any]) -> tuple[str, str]:
    profile = group.get("profile") or {}
    return _text(profile.get("name"), 255), _text(profile.get("description"), 10_000)
