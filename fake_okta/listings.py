"""What each fake endpoint lists: the matching ids in Okta's order, and how to render one.

Listings are cached per directory version, so serving page 400 of 100,000 users is a bisect
and 200 renders, not a scan. Every list is ordered by id, so a cursor ("after this id") stays
valid across changes just like Okta's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fake_okta import shapes
from fake_okta.directory import FakeOktaDirectory
from fake_okta.expressions import (
    COMPARE,
    EQ,
    SEARCH_OPS,
    Field,
    InvalidExpression,
    compile_expression,
)
from fake_okta.model import Group, User

Render = Callable[[str], dict[str, Any]]
Built = tuple[list[str], Render]


class NotFound(LookupError):
    """Maps to Okta's 404 E0000007; the argument is "<id> (<Okta type>)"."""


@dataclass(frozen=True)
class Listing:
    name: str
    default_limit: int
    max_limit: int
    build: Callable[[FakeOktaDirectory, tuple[str, ...], dict[str, str], str], Built]


def _user_field(name: str, filtering: bool) -> Field | None:
    if name.startswith("profile."):
        key = name.removeprefix("profile.")
        allowed = {"login", "email", "firstName", "lastName"} if filtering else None
        if allowed is not None and key not in allowed:
            return None
        return (lambda user: user.profile.get(key)), EQ if filtering else SEARCH_OPS, False
    dates = {"created", "activated", "statusChanged", "lastUpdated", "passwordChanged"}
    if name in dates and (not filtering or name == "lastUpdated"):
        attribute = {"statusChanged": "status_changed", "lastUpdated": "last_updated"}
        attribute |= {"passwordChanged": "password_changed"}
        getter = _attr(attribute.get(name, name))
        return getter, COMPARE if filtering else SEARCH_OPS, True
    if name in ("status", "id"):
        return _attr(name), EQ if filtering else SEARCH_OPS, False
    return None


def _group_field(name: str, filtering: bool) -> Field | None:
    ops = COMPARE if filtering else SEARCH_OPS
    dates = {"lastUpdated": "last_updated", "lastMembershipUpdated": "last_membership_updated"}
    if not filtering:
        dates["created"] = "created"
    if name in dates:
        return _attr(dates[name]), ops, True
    if name in ("type", "id"):
        return _attr(name), EQ if filtering else SEARCH_OPS, False
    if not filtering and name in ("profile.name", "profile.description"):
        return _attr(name.removeprefix("profile.")), SEARCH_OPS, False
    return None


def _app_field(name: str) -> Field | None:
    return (_attr(name), EQ, False) if name in ("status", "name") else None


def _attr(name: str) -> Callable[[Any], Any]:
    return lambda item: getattr(item, name)


def _predicate(params: dict[str, str], resolve: Callable[[str, bool], Field | None]) -> tuple:
    search, filter_ = params.get("search"), params.get("filter")
    if search and filter_:
        raise InvalidExpression("search and filter together")
    if not (search or filter_):
        return (lambda item: True), set(), False
    filtering = bool(filter_)
    predicate, attributes = compile_expression(
        filter_ or search or "", lambda name: resolve(name, filtering)
    )
    return predicate, attributes, bool(search)


def _users(
    directory: FakeOktaDirectory, _ids: tuple[str, ...], params: dict[str, str], base: str
) -> Built:
    def compute() -> list[str]:
        predicate, attributes, searching = _predicate(params, _user_field)
        # Okta lists DEPROVISIONED users only to a search, or a filter that asks by status.
        everyone = searching or "status" in attributes
        users = directory.users.values()
        return sorted(
            u.id for u in users if (everyone or u.status != "DEPROVISIONED") and predicate(u)
        )

    ids = directory.cached(("users", params.get("search"), params.get("filter")), compute)
    return ids, lambda uid: shapes.user_body(directory.users[uid], base)


def _groups(
    directory: FakeOktaDirectory, _ids: tuple[str, ...], params: dict[str, str], base: str
) -> Built:
    prefix = (params.get("q") or "").lower()

    def compute() -> list[str]:
        predicate, _, _ = _predicate(params, _group_field)
        groups: list[Group] = list(directory.groups.values())
        return sorted(g.id for g in groups if g.name.lower().startswith(prefix) and predicate(g))

    key = ("groups", params.get("search"), params.get("filter"), prefix)
    ids = directory.cached(key, compute)
    return ids, lambda gid: shapes.group_body(directory.groups[gid], base, directory.app_id)


def _group_users(
    directory: FakeOktaDirectory, ids: tuple[str, ...], _params: dict[str, str], base: str
) -> Built:
    (group_id,) = ids
    if group_id not in directory.groups:
        raise NotFound(f"{group_id} (UserGroup)")
    members = directory.cached(
        ("members", group_id), lambda: sorted(directory.member_ids(group_id))
    )
    return members, lambda uid: shapes.user_body(directory.users[uid], base)


def _app_users(
    directory: FakeOktaDirectory, ids: tuple[str, ...], _params: dict[str, str], base: str
) -> Built:
    (app_id,) = ids
    if app_id not in directory.apps:
        raise NotFound(f"{app_id} (AppInstance)")
    scopes = directory.cached(("app_users", app_id), lambda: directory.app_user_scopes(app_id))
    ordered = directory.cached(("app_users_sorted", app_id), lambda: sorted(scopes))

    def render(uid: str) -> dict[str, Any]:
        return shapes.app_user_body(directory, app_id, uid, scopes[uid], base)

    return ordered, render


def _app_groups(
    directory: FakeOktaDirectory, ids: tuple[str, ...], _params: dict[str, str], base: str
) -> Built:
    (app_id,) = ids
    if app_id not in directory.apps:
        raise NotFound(f"{app_id} (AppInstance)")
    assignments = directory.app_groups[app_id]
    ordered = sorted(gid for gid in assignments if gid in directory.groups)
    return ordered, lambda gid: shapes.app_group_body(app_id, gid, assignments[gid], base)


def _apps(
    directory: FakeOktaDirectory, _ids: tuple[str, ...], params: dict[str, str], base: str
) -> Built:
    prefix = (params.get("q") or "").lower()
    filter_ = params.get("filter")
    predicate = compile_expression(filter_, _app_field)[0] if filter_ else (lambda app: True)
    ordered = sorted(
        app.id
        for app in directory.apps.values()
        if (app.label.lower().startswith(prefix) or app.name.lower().startswith(prefix))
        and predicate(app)
    )
    return ordered, lambda aid: shapes.app_body(directory.apps[aid], base)


LISTINGS = {
    "users": Listing("users", 200, 200, _users),
    "groups": Listing("groups", 10_000, 10_000, _groups),
    "group_users": Listing("group_users", 1000, 1000, _group_users),
    "app_users": Listing("app_users", 50, 500, _app_users),
    "app_groups": Listing("app_groups", 20, 200, _app_groups),
    "apps": Listing("apps", 20, 200, _apps),
}


def single(directory: FakeOktaDirectory, kind: str, key: str, base: str) -> dict[str, Any]:
    """GET /users/{id or login}, /groups/{id}, /apps/{id}."""
    if kind == "user":
        user: User | None = directory.users.get(key) or next(
            (u for u in directory.users.values() if u.profile.get("login") == key), None
        )
        if user is None:
            raise NotFound(f"{key} (User)")
        return shapes.user_body(user, base)
    if kind == "group" and key in directory.groups:
        return shapes.group_body(directory.groups[key], base, directory.app_id)
    if kind == "app" and key in directory.apps:
        return shapes.app_body(directory.apps[key], base)
    raise NotFound(f"{key} ({'UserGroup' if kind == 'group' else 'AppInstance'})")
