"""The one field validator for users and groups, whichever path writes them.

It refuses what the database would refuse or what no page could show (a NUL, a value
longer than its column, an email that is not one, an empty login), and in a login ID or a
group name the characters nobody sees (zero-width, bidirectional controls), with which two
names that look the same would be two accounts. Bad input from any source is a clear
error and changes nothing.
"""

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models

from ..lookups import comparison_key
from ..models import Group, Role, User
from .errors import DirectoryInvalid

# What an IdP tells about a user (the Okta sync keeps exactly these, in this order).
IDP_PROFILE_FIELDS = (
    "login_id",
    "first_name",
    "last_name",
    "email",
    "second_email",
    "mobile_phone",
    "postal_address",
    "static_ip",
    "mac_address",
    "is_active",
)
USER_FIELDS = (*IDP_PROFILE_FIELDS, "role")
GROUP_FIELDS = ("name", "description")
REQUIRED = {"login_id", "name"}
KEYED = {"login_id": "login_key", "name": "name_key"}  # names with a comparison key
# Control, format (zero-width, bidi), surrogate and line/paragraph separator characters,
# and the other default-ignorable ones NFKC keeps: invisible, or they reorder what is shown.
UNSEEN_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}
UNSEEN = {"\u034f", "\u115f", "\u1160", "\u17b4", "\u17b5", "\u3164", "\uffa0"}
UNSEEN_RANGES = ((0x180B, 0x180F), (0xFE00, 0xFE0F), (0xE0100, 0xE01EF))
_email = EmailValidator()


def check_user_fields(fields: dict[str, Any]) -> None:
    _check(User, fields, USER_FIELDS)


def check_group_fields(fields: dict[str, Any]) -> None:
    _check(Group, fields, GROUP_FIELDS)


def _check(model: type[models.Model], fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        name = sorted(unknown)[0]
        raise DirectoryInvalid(name, f"Unknown fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        _check_value(model._meta.get_field(name), value)


def _check_value(field: models.Field, value: Any) -> None:
    label = str(field.verbose_name)
    if isinstance(field, models.BooleanField):
        if not isinstance(value, bool):
            raise DirectoryInvalid(field.name, f"{label} must be true or false")
        return
    if not isinstance(value, str):
        raise DirectoryInvalid(field.name, f"{label} must be text")
    if field.name in REQUIRED and not value.strip():
        raise DirectoryInvalid(field.name, f"{label} is required")
    if "\x00" in value:
        raise DirectoryInvalid(field.name, f"{label} contains a NUL character")
    if field.max_length and len(value) > field.max_length:
        raise DirectoryInvalid(field.name, f"{label} is longer than {field.max_length} characters")
    if field.name in KEYED:
        _check_name(field, label, value)
    if field.name == "role" and value not in Role.values:
        raise DirectoryInvalid("role", f"{value!r} is not a role")
    if isinstance(field, models.EmailField) and value:
        try:
            _email(value)
        except ValidationError as exc:
            raise DirectoryInvalid(field.name, f"{value!r} is not a valid email address") from exc


def _unseen(char: str) -> bool:
    code = ord(char)
    return (
        unicodedata.category(char) in UNSEEN_CATEGORIES
        or char in UNSEEN
        or any(low <= code <= high for low, high in UNSEEN_RANGES)
    )


def _check_name(field: models.Field, label: str, value: str) -> None:
    """A name that identifies a row: nothing invisible in it, and its key fits its column."""
    hidden = next((char for char in value if _unseen(char)), None)
    if hidden is not None:
        code = f"U+{ord(hidden):04X} {unicodedata.name(hidden, '')}".strip()
        raise DirectoryInvalid(
            field.name, f"{label} contains an invisible or text-direction character ({code})"
        )
    limit = field.model._meta.get_field(KEYED[field.name]).max_length
    if len(comparison_key(value)) > limit:
        raise DirectoryInvalid(
            field.name, f"{label} is longer than {limit} characters once normalised"
        )


def changed(obj: models.Model, fields: dict[str, Any]) -> dict[str, Any]:
    """Only the fields whose value differs, so repeated pushes and syncs write nothing."""
    return {name: value for name, value in fields.items() if getattr(obj, name) != value}
