"""Deterministic generation of large fake orgs, for sync tests and benchmarks.

Group sizes are skewed (a few very large groups, many small ones) like real orgs, so member
listings span several pages. Everything derives from the directory's seeded ``rng``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fake_okta.model import (
    BASE_PROFILE_KEYS,
    AppGroupAssignment,
    AppUserAssignment,
    Group,
    User,
    iso,
)
from fake_okta.universal_directory import UniversalDirectory

FIRST_NAMES = "Ada Alan Barbara Claude Dennis Edsger Frances Grace Hedy John Ken Linus Margaret"
LAST_NAMES = "Lovelace Turing Liskov Shannon Ritchie Dijkstra Allen Hopper Lamarr Backus Thompson"
DEPARTMENTS = ("engineering", "finance", "sales", "support", "data", "security", "ops", "legal")
# status, weight: mostly active, like any org.
STATUSES = (
    ("ACTIVE", 88),
    ("SUSPENDED", 3),
    ("DEPROVISIONED", 3),
    ("PROVISIONED", 2),
    ("STAGED", 2),
    ("LOCKED_OUT", 1),
    ("PASSWORD_EXPIRED", 1),
)
EPOCH = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 2 * 365 * 24 * 3600


def populate(directory: UniversalDirectory, *, users: int, groups: int, memberships: int) -> None:
    """Fill ``directory``; assigns every tenth user and group to the QueryPie app."""
    with directory.lock:
        user_ids = _make_users(directory, users)
        group_ids = _make_groups(directory, groups)
        _make_memberships(directory, user_ids, group_ids, memberships)
        _assign_app(directory, user_ids, group_ids)
        directory.version += 1


def _stamp(directory: UniversalDirectory) -> str:
    seconds = directory.rng.randrange(SPAN_SECONDS)
    return iso(EPOCH + timedelta(seconds=seconds, milliseconds=directory.rng.randrange(1000)))


def _unique_id(directory: UniversalDirectory, prefix: str, taken: dict) -> str:
    while True:
        candidate = directory._id(prefix)
        if candidate not in taken:
            return candidate


def _make_users(directory: UniversalDirectory, count: int) -> list[str]:
    rng = directory.rng
    first_names, last_names = FIRST_NAMES.split(), LAST_NAMES.split()
    statuses = [name for name, weight in STATUSES for _ in range(weight)]
    made: list[User] = []
    for number in range(count):
        first, last = rng.choice(first_names), rng.choice(last_names)
        login = f"{first.lower()}.{last.lower()}.{number}@example.com"
        profile = dict.fromkeys(BASE_PROFILE_KEYS)
        profile |= {"firstName": first, "lastName": last, "login": login, "email": login}
        created = _stamp(directory)
        updated = max(created, _stamp(directory))
        user_id = _unique_id(directory, "00u", directory.users)
        user = User(user_id, rng.choice(statuses), created, updated, profile)
        if user.status not in ("STAGED", "PROVISIONED"):
            user.activated, user.status_changed, user.password_changed = created, updated, created
        directory.users[user.id] = user
        made.append(user)
    _give_managers(made)
    return list(directory.users)


def _give_managers(users: list[User]) -> None:
    """Okta's managerId and manager profile attributes (access reviews' manager reviewer):
    every tenth person manages the next ten; the first ten have none. No draw from the rng,
    so the rest of a seeded org stays as it was."""
    for number, user in enumerate(users[10:], start=10):
        boss = users[number // 10]
        user.profile |= {"managerId": boss.id, "manager": boss.profile["login"]}


def _make_groups(directory: UniversalDirectory, count: int) -> list[str]:
    made = []
    for number in range(count):
        created = _stamp(directory)
        group = Group(_unique_id(directory, "00g", directory.groups), "", created, created, created)
        group.name = f"{DEPARTMENTS[number % len(DEPARTMENTS)]}-{number:05d}"
        group.description = f"Generated group {number}"
        group.type = "APP_GROUP" if number % 20 == 19 else "OKTA_GROUP"
        directory.groups[group.id] = group
        made.append(group.id)
    return made


def _make_memberships(
    directory: UniversalDirectory, user_ids: list[str], group_ids: list[str], count: int
) -> None:
    if not user_ids or not group_ids:
        return
    rng, groups = directory.rng, directory.groups
    count = min(count, len(user_ids) * len(group_ids))
    made = 0
    while made < count:
        # Squaring a uniform draw favours low indices: a few big groups, many small ones.
        group = groups[group_ids[int(len(group_ids) * rng.random() ** 2)]]
        user_id = user_ids[rng.randrange(len(user_ids))]
        if user_id not in group.members:
            group.members.add(user_id)
            made += 1


def _assign_app(directory: UniversalDirectory, user_ids: list[str], group_ids: list[str]) -> None:
    app_id = directory.app_id
    for priority, group_id in enumerate(group_ids[::10]):
        directory.app_groups[app_id][group_id] = AppGroupAssignment(_stamp(directory), priority)
    for user_id in user_ids[::10]:
        if directory.users[user_id].status != "DEPROVISIONED":
            stamp = _stamp(directory)
            directory.app_users[app_id][user_id] = AppUserAssignment(stamp, stamp)
