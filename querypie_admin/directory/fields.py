"""The one field validator for users and groups, whichever path writes them.

It refuses what the database would refuse or what no page could show (a NUL, a value
longer than its column, an email that is not one, an empty login), and in a login ID or a
group name the characters nobody sees (zero-width, bidirectional controls), with which two
names that look the same would be two accounts. Bad input from any source is a clear
error and changes nothing.
"""

import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from functools import cache, lru_cache
from typing import Any, ClassVar

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
# Django's own patterns, compiled once: a lazily compiled pattern costs a proxy look-up per use.
_EMAIL_USER = re.compile(EmailValidator.user_regex.pattern, EmailValidator.user_regex.flags)
# The common case of its user part, tried first: what it matches, Django's pattern matches.
_DOT_ATOM = re.compile(r"[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+)*\Z")
Check = Callable[[Any], None]


def check_user_fields(fields: Mapping[str, Any]) -> None:
    _check(User, fields)


def check_group_fields(fields: Mapping[str, Any]) -> None:
    _check(Group, fields)


class Checked(tuple):
    """A row's values that this validator passed, in the order of its kind's `names`; a
    caller's own values may follow them, unchecked (the sync keeps Okta's status there).

    The batch writes take a Checked row without checking it again, so an integration that
    planned with the validator checks each row once. Only `checked_user_values` and
    `checked_group_values` make one (the constructor wants this module's private key), and a
    tuple cannot be changed after the check.
    """

    __slots__ = ()
    model: ClassVar[type[models.Model]]
    names: ClassVar[tuple[str, ...]] = ()

    def __new__(cls, values: Iterable[Any], key: object) -> "Checked":
        if key is not _MINT or cls not in (CheckedUser, CheckedGroup):
            raise TypeError("Only the directory's validator makes Checked rows")
        return super().__new__(cls, values)

    def fields(self) -> dict[str, Any]:
        """The row as its kind's fields (the values past them are the caller's own)."""
        return dict(zip(self.names, self, strict=False))


class CheckedUser(Checked):
    __slots__ = ()
    names = IDP_PROFILE_FIELDS


class CheckedGroup(Checked):
    __slots__ = ()
    names = GROUP_FIELDS


_MINT = object()


def checked_user_values(values: tuple[Any, ...]) -> CheckedUser:
    """Check a user's values (IDP_PROFILE_FIELDS order; more may follow) and mark them so."""
    return _checked(User, CheckedUser, values)


def checked_group_values(values: tuple[Any, ...]) -> CheckedGroup:
    """Check a group's values (GROUP_FIELDS order; more may follow) and mark them so."""
    return _checked(Group, CheckedGroup, values)


def _checked(model: type[models.Model], kind: type[Checked], values: tuple) -> Any:
    names = kind.names
    if len(values) < len(names):
        missing = ", ".join(names[len(values) :])
        raise DirectoryInvalid(names[len(values)], f"Missing fields: {missing}")
    for check, value in zip(_in_order(model, names), values, strict=False):
        check(value)
    return kind(values, _MINT)


def _check(model: type[models.Model], fields: Mapping[str, Any]) -> None:
    rules = _rules(model)
    unknown = fields.keys() - rules.keys()
    if unknown:
        name = sorted(unknown)[0]
        raise DirectoryInvalid(name, f"Unknown fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        rules[name](value)


@cache
def _rules(model: type[models.Model]) -> dict[str, Check]:
    """One check per field, built once: labels and limits are read from the model here,
    not per value (the sync checks 100,000 rows in a run)."""
    allowed = USER_FIELDS if model is User else GROUP_FIELDS
    return {name: _rule(model._meta.get_field(name)) for name in allowed}


@cache
def _in_order(model: type[models.Model], names: tuple[str, ...]) -> tuple[Check, ...]:
    rules = _rules(model)
    return tuple(rules[name] for name in names)


def _rule(field: models.Field) -> Check:
    name, label = field.name, str(field.verbose_name)
    if isinstance(field, models.BooleanField):

        def check_bool(value: Any) -> None:
            if not isinstance(value, bool):
                raise DirectoryInvalid(name, f"{label} must be true or false")

        return check_bool
    required, limit = name in REQUIRED, field.max_length
    cap = limit or sys.maxsize
    extra = _name_rule(field, label) if name in KEYED else _extra_rule(field, label)

    def check_text(value: Any) -> None:
        if value.__class__ is str and value.isprintable() and len(value) <= cap:
            if required and not value.strip():
                raise DirectoryInvalid(name, f"{label} is required")
            if extra and value:
                extra(value)
            return  # printable text has no NUL: the checks below would all pass
        if not isinstance(value, str):
            raise DirectoryInvalid(name, f"{label} must be text")
        if required and not value.strip():
            raise DirectoryInvalid(name, f"{label} is required")
        if "\x00" in value:
            raise DirectoryInvalid(name, f"{label} contains a NUL character")
        if limit and len(value) > limit:
            raise DirectoryInvalid(name, f"{label} is longer than {limit} characters")
        if extra and value:
            extra(value)

    return check_text


def _extra_rule(field: models.Field, label: str) -> Check | None:
    if field.name == "role":

        def check_role(value: str) -> None:
            if value not in Role.values:
                raise DirectoryInvalid("role", f"{value!r} is not a role")

        return check_role
    if isinstance(field, models.EmailField):

        def check_email(value: str) -> None:
            if not _is_email(value):
                raise DirectoryInvalid(field.name, f"{value!r} is not a valid email address")

        return check_email
    return None


def _is_email(value: str) -> bool:
    """Django's EmailValidator, with the domain's answer remembered (a directory has few)."""
    if "@" not in value or len(value) > 320:
        return False
    user_part, domain_part = value.rsplit("@", 1)
    plain = _DOT_ATOM.match(user_part) or _EMAIL_USER.match(user_part)
    return bool(plain) and (domain_part in _email.domain_allowlist or _valid_domain(domain_part))


@lru_cache(maxsize=4096)
def _valid_domain(domain: str) -> bool:
    return _email.validate_domain_part(domain)


def _unseen(char: str) -> bool:
    code = ord(char)
    return (
        unicodedata.category(char) in UNSEEN_CATEGORIES
        or char in UNSEEN
        or any(low <= code <= high for low, high in UNSEEN_RANGES)
    )


def _name_rule(field: models.Field, label: str) -> Check:
    """A name that identifies a row: nothing invisible in it, and its key fits its column."""
    limit = field.model._meta.get_field(KEYED[field.name]).max_length

    def check_name(value: str) -> None:
        # Printable ASCII has no invisible character and is its own key, case aside.
        if value.isascii() and value.isprintable() and len(value) <= limit:
            return
        hidden = next((char for char in value if _unseen(char)), None)
        if hidden is not None:
            code = f"U+{ord(hidden):04X} {unicodedata.name(hidden, '')}".strip()
            raise DirectoryInvalid(
                field.name, f"{label} contains an invisible or text-direction character ({code})"
            )
        if len(comparison_key(value)) > limit:
            raise DirectoryInvalid(
                field.name, f"{label} is longer than {limit} characters once normalised"
            )

    return check_name


def changed(obj: models.Model, fields: dict[str, Any]) -> dict[str, Any]:
    """Only the fields whose value differs, so repeated pushes and syncs write nothing."""
    return {name: value for name, value in fields.items() if getattr(obj, name) != value}
