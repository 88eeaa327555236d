"""The fake Okta org a test or a demo builds: its Universal Directory, with the admin roles,
MFA factors and System Log that the visibility and access review reads.

This module puts the parts together and nothing below it imports it back: the directory owns
plain data, the System Log is a plain store, and the admin roles are handed both (a grant is
logged the way Okta logs it). Generators fill the directory the same way.

What an admin changes (``acting_as``: the fake's dashboard, ``scripts/demo okta …``) is logged
the way Okta logs it, and the event hooks deliver that same event. A test's own changes, made
straight on the directory, are not logged: the System Log holds what the test put there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from fake_okta.generate import populate
from fake_okta.roles import AdminRoles
from fake_okta.system_log import SystemLog, change_event
from fake_okta.universal_directory import Change, UniversalDirectory


class FakeOktaDirectory(UniversalDirectory):
    """One fake org with one QueryPie app: users, groups, apps, admin roles, the System Log."""

    def __init__(self, *, seed: int = 0, app_label: str = "QueryPie") -> None:
        super().__init__(seed=seed, app_label=app_label)
        self.system_log = SystemLog()
        self.admin_roles = AdminRoles(self, self.system_log)
        self._acting: tuple[dict[str, Any], list[dict[str, Any]]] | None = None

    @classmethod
    def generate(
        cls, *, users: int, groups: int, memberships: int, seed: int = 0
    ) -> FakeOktaDirectory:
        """A deterministic org of the given size (100k users take a few seconds)."""
        directory = cls(seed=seed)
        populate(directory, users=users, groups=groups, memberships=memberships)
        return directory

    @contextmanager
    def acting_as(self, actor: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
        """Changes made inside are ``actor``'s: each is logged (actor, targets, outcome) and
        the list yielded collects the events, for the admin's answer. Holds the lock."""
        with self.lock:
            previous, logged = self._acting, []
            self._acting = (actor, logged)
            try:
                yield logged
            finally:
                self._acting = previous

    def _described(self, change: Change) -> Change:
        if self._acting is None:
            return change
        actor, logged = self._acting
        event = self.system_log.append(change_event(self, change, actor))
        logged.append(event)
        return replace(change, event=event)
