"""The fake org's Universal Directory: users, groups, memberships and app assignments, and the
admin actions a test performs on them between requests.

It owns plain data and tells its listeners of every change (a ``Change`` of ids), so what reacts
to changes (event hook deliveries) and what writes beside it (admin roles, the System Log,
generators) depends on it, never the other way round.

Every change bumps ``version`` so the server's cached, sorted listings are rebuilt, and stamps
``lastUpdated`` / ``lastMembershipUpdated`` the way Okta does, so incremental syncs can be
tested against it. All access goes through ``lock`` because the server reads from its threads.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fake_okta.model import (
    BASE_PROFILE_KEYS,
    App,
    AppGroupAssignment,
    AppUserAssignment,
    Group,
    User,
    iso,
    okta_id,
)

ORG_CREATED = "2022-01-01T00:00:00.000Z"
# The event Okta logs when a user's status goes to a new one (from any other).
STATUS_EVENTS = {
    "SUSPENDED": "user.lifecycle.suspend",
    "DEPROVISIONED": "user.lifecycle.deactivate",
    "ACTIVE": "user.lifecycle.activate",
}


@dataclass(frozen=True)
class Change:
    """What Okta would log for one change: its event type and the ids of its targets."""

    event_type: str
    user: str | None = None
    group: str | None = None
    app: str | None = None
    # The System Log event it was logged as, when an admin made it (FakeOktaDirectory.acting_as):
    # an event hook then delivers that very event, as Okta's do.
    event: dict[str, Any] | None = field(default=None, compare=False)


Listener = Callable[[Change], None]


class UniversalDirectory:
    """Users, groups, memberships and app assignments of one fake org with one QueryPie app."""

    def __init__(self, *, seed: int = 0, app_label: str = "QueryPie") -> None:
        self.lock = threading.RLock()
        self.users: dict[str, User] = {}
        self.groups: dict[str, Group] = {}
        self.apps: dict[str, App] = {}
        self.app_users: dict[str, dict[str, AppUserAssignment]] = {}
        self.app_groups: dict[str, dict[str, AppGroupAssignment]] = {}
        self.version = 0
        self.rng = random.Random(seed)
        self._last_moment = datetime(2022, 1, 1, tzinfo=UTC)
        self._cache: dict[Any, Any] = {}
        self._cache_version = 0
        self.app_id = self._new_app(app_label, ORG_CREATED).id
        # Told of every change, as Okta's event hooks are (hook_delivery.py).
        self.listeners: list[Listener] = []
        everyone = Group(self._id("00g"), "Everyone", ORG_CREATED, ORG_CREATED, ORG_CREATED)
        everyone.type, everyone.description = "BUILT_IN", "All users in your organization"
        self.groups[everyone.id] = everyone

    # Bookkeeping ------------------------------------------------------------------------

    def _id(self, prefix: str) -> str:
        return okta_id(prefix, self.rng)

    def now(self) -> str:
        """Wall-clock time, but strictly increasing so two changes never share a timestamp."""
        moment = max(datetime.now(UTC), self._last_moment + timedelta(milliseconds=1))
        self._last_moment = moment
        return iso(moment)

    def _changed(self) -> None:
        self.version += 1

    def _emit(
        self,
        event_type: str,
        *,
        user: str | None = None,
        group: str | None = None,
        app: str | None = None,
    ) -> None:
        """Tell the listeners what Okta would log; callers hold ``lock`` and call it before a
        deletion, so that a listener can still name the target."""
        change = self._described(Change(event_type, user, group, app))
        for listen in self.listeners:
            listen(change)

    def _described(self, change: Change) -> Change:
        """The change as the listeners get it; an org with a System Log logs it here."""
        return change

    def record_sign_in(self, user_id: str) -> User:
        """The user signed in to Okta: ``lastLogin`` moves (``lastUpdated`` does not, as in
        Okta); the System Log event is the caller's to write."""
        with self.lock:
            user = self.users[user_id]
            user.last_login = self.now()
            self._changed()
            return user

    def cached(self, key: Any, compute: Callable[[], Any]) -> Any:
        """Memoise a listing until the next change; callers hold ``lock``."""
        if self._cache_version != self.version:
            self._cache.clear()
            self._cache_version = self.version
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    # Users ------------------------------------------------------------------------------

    def add_user(
        self,
        login: str,
        *,
        first_name: str = "Test",
        last_name: str = "User",
        email: str | None = None,
        status: str = "ACTIVE",
        **custom: Any,
    ) -> User:
        """Create a user; extra keyword arguments become profile attributes (staticIp…)."""
        with self.lock:
            stamp = self.now()
            profile = dict.fromkeys(BASE_PROFILE_KEYS)
            profile |= {"firstName": first_name, "lastName": last_name, "login": login}
            profile |= {"email": email or login, **custom}
            user = User(self._id("00u"), status, stamp, stamp, profile)
            if status not in ("STAGED", "PROVISIONED"):
                user.activated = user.status_changed = stamp
            self.users[user.id] = user
            self._changed()
            self._emit("user.lifecycle.create", user=user.id)
            if status == "ACTIVE":
                self._emit("user.lifecycle.activate", user=user.id)
            return user

    def update_user(self, user_id: str, **profile: Any) -> User:
        """Change profile attributes; ``None`` clears one (custom ones then disappear)."""
        with self.lock:
            user = self.users[user_id]
            for key, value in profile.items():
                if value is None and key not in BASE_PROFILE_KEYS:
                    user.profile.pop(key, None)
                else:
                    user.profile[key] = value
            user.last_updated = self.now()
            self._changed()
            self._emit("user.account.update_profile", user=user_id)
            return user

    def rename_login(self, user_id: str, login: str) -> User:
        return self.update_user(user_id, login=login)

    def set_status(self, user_id: str, status: str) -> User:
        with self.lock:
            user = self.users[user_id]
            before, user.status = user.status, status
            user.status_changed = user.last_updated = self.now()
            if status == "ACTIVE" and not user.activated:
                user.activated = user.status_changed
            self._changed()
            event = STATUS_EVENTS.get(status)
            if (before, status) == ("SUSPENDED", "ACTIVE"):
                event = "user.lifecycle.unsuspend"
            if event and before != status:
                self._emit(event, user=user_id)
            return user

    def suspend_user(self, user_id: str) -> User:
        return self.set_status(user_id, "SUSPENDED")

    def unsuspend_user(self, user_id: str) -> User:
        return self.set_status(user_id, "ACTIVE")

    def deactivate_user(self, user_id: str) -> User:
        """Okta's deactivation: the user becomes DEPROVISIONED and loses app assignments."""
        with self.lock:
            for assignments in self.app_users.values():
                assignments.pop(user_id, None)
            return self.set_status(user_id, "DEPROVISIONED")

    def activate_user(self, user_id: str) -> User:
        return self.set_status(user_id, "ACTIVE")

    def delete_user(self, user_id: str) -> None:
        """Gone for good: no longer listed anywhere, not even by ``search``."""
        with self.lock:
            self._emit("user.lifecycle.delete.initiated", user=user_id)
            del self.users[user_id]
            for group in self.groups.values():
                if user_id in group.members:
                    group.members.discard(user_id)
                    group.last_membership_updated = self.now()
            for assignments in self.app_users.values():
                assignments.pop(user_id, None)
            self._changed()

    # Groups -----------------------------------------------------------------------------

    def add_group(
        self, name: str, *, description: str | None = None, type: str = "OKTA_GROUP"
    ) -> Group:
        with self.lock:
            stamp = self.now()
            group = Group(self._id("00g"), name, stamp, stamp, stamp, type, description)
            self.groups[group.id] = group
            self._changed()
            self._emit("group.lifecycle.create", group=group.id)
            return group

    def update_group(
        self, group_id: str, *, name: str | None = None, description: str | None = None
    ) -> Group:
        with self.lock:
            group = self.groups[group_id]
            group.name = name if name is not None else group.name
            group.description = description if description is not None else group.description
            group.last_updated = self.now()
            self._changed()
            self._emit("group.profile.update", group=group_id)
            return group

    def delete_group(self, group_id: str) -> None:
        with self.lock:
            self._emit("group.lifecycle.delete", group=group_id)
            del self.groups[group_id]
            for assignments in self.app_groups.values():
                assignments.pop(group_id, None)
            self._changed()

    def add_member(self, group_id: str, user_id: str) -> None:
        self._change_members(group_id, user_id, add=True)

    def remove_member(self, group_id: str, user_id: str) -> None:
        self._change_members(group_id, user_id, add=False)

    def _change_members(self, group_id: str, user_id: str, *, add: bool) -> None:
        with self.lock:
            group, _ = self.groups[group_id], self.users[user_id]
            if add:
                group.members.add(user_id)
            else:
                group.members.discard(user_id)
            group.last_membership_updated = self.now()
            self._changed()
            verb = "add" if add else "remove"
            self._emit(f"group.user_membership.{verb}", user=user_id, group=group_id)

    def member_ids(self, group_id: str) -> set[str]:
        """Explicit members; the BUILT_IN Everyone group holds every user not deprovisioned."""
        group = self.groups[group_id]
        if group.type != "BUILT_IN":
            return group.members
        return {uid for uid, user in self.users.items() if user.status != "DEPROVISIONED"}

    # Apps -------------------------------------------------------------------------------

    def _new_app(self, label: str, stamp: str) -> App:
        app = App(self._id("0oa"), label, stamp, stamp)
        self.apps[app.id] = app
        self.app_users[app.id] = {}
        self.app_groups[app.id] = {}
        return app

    def add_app(self, label: str, *, name: str = "querypie") -> App:
        """A second app, e.g. to test finding the QueryPie app among several."""
        with self.lock:
            app = self._new_app(label, self.now())
            app.name = name
            self._changed()
            return app

    def assign_user(
        self, user_id: str, *, app_id: str | None = None, profile: dict | None = None
    ) -> None:
        """Assign directly (scope USER); ``profile`` overrides the mapped app-user profile."""
        with self.lock:
            stamp, _ = self.now(), self.users[user_id]
            current = self.app_users[app_id or self.app_id].get(user_id)
            created = current.created if current else stamp
            self.app_users[app_id or self.app_id][user_id] = AppUserAssignment(
                created, stamp, profile
            )
            self._changed()
            if current is None:
                self._emit(
                    "application.user_membership.add", user=user_id, app=app_id or self.app_id
                )

    def unassign_user(self, user_id: str, *, app_id: str | None = None) -> None:
        with self.lock:
            gone = self.app_users[app_id or self.app_id].pop(user_id, None)
            self._changed()
            if gone is not None:
                self._emit(
                    "application.user_membership.remove", user=user_id, app=app_id or self.app_id
                )

    def assign_group(self, group_id: str, *, app_id: str | None = None) -> None:
        """Assign a group: its members become app users with scope GROUP."""
        with self.lock:
            assignments = self.app_groups[app_id or self.app_id]
            _ = self.groups[group_id]
            if group_id not in assignments:
                assignments[group_id] = AppGroupAssignment(self.now(), len(assignments))
            self._changed()

    def unassign_group(self, group_id: str, *, app_id: str | None = None) -> None:
        with self.lock:
            self.app_groups[app_id or self.app_id].pop(group_id, None)
            self._changed()

    def app_user_scopes(self, app_id: str) -> dict[str, tuple[str, str, str | None]]:
        """user id -> (scope, assignment created, first assigned group) for listed app users."""
        scopes: dict[str, tuple[str, str, str | None]] = {}
        for group_id, assignment in self.app_groups[app_id].items():
            for user_id in self.member_ids(group_id):
                scopes.setdefault(user_id, ("GROUP", assignment.created, group_id))
        for user_id, direct in self.app_users[app_id].items():
            scopes[user_id] = ("USER", direct.created, None)
        users = self.users
        return {
            uid: scope
            for uid, scope in scopes.items()
            if uid in users and users[uid].status != "DEPROVISIONED"
        }
