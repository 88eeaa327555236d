"""The fake Okta's records: just the fields Okta returns, stored the way Okta formats them."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

ID_ALPHABET = string.ascii_letters + string.digits
BASE_PROFILE_KEYS = ("firstName", "lastName", "mobilePhone", "secondEmail", "login", "email")


def okta_id(prefix: str, rng: random.Random) -> str:
    """A 20-character id like Okta's (``00u…`` users, ``00g…`` groups, ``0oa…`` apps)."""
    return prefix + "".join(rng.choices(ID_ALPHABET, k=17))


def iso(moment: datetime) -> str:
    """Okta's timestamp format, millisecond precision; equal widths make strings sortable."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class User:
    id: str
    status: str
    created: str
    last_updated: str
    profile: dict[str, Any]
    activated: str | None = None
    status_changed: str | None = None
    last_login: str | None = None
    password_changed: str | None = None


@dataclass
class Group:
    id: str
    name: str
    created: str
    last_updated: str
    last_membership_updated: str
    type: str = "OKTA_GROUP"
    description: str | None = None
    members: set[str] = field(default_factory=set)


@dataclass
class App:
    id: str
    label: str
    created: str
    last_updated: str
    name: str = "querypie"
    status: str = "ACTIVE"
    sign_on_mode: str = "SAML_2_0"


@dataclass
class AppUserAssignment:
    """A direct assignment; ``profile`` overrides the mapped app-user profile."""

    created: str
    last_updated: str
    profile: dict[str, Any] | None = None


@dataclass
class AppGroupAssignment:
    created: str
    priority: int
