"""The fake Okta org a test or a demo builds: its Universal Directory, with the admin roles,
MFA factors and System Log that the visibility and access review reads.

This module puts the parts together and nothing below it imports it back: the directory owns
plain data, the System Log is a plain store, and the admin roles are handed both (a grant is
logged the way Okta logs it). Generators fill the directory the same way.
"""

from __future__ import annotations

from fake_okta.generate import populate
from fake_okta.roles import AdminRoles
from fake_okta.system_log import SystemLog
from fake_okta.universal_directory import UniversalDirectory


class FakeOktaDirectory(UniversalDirectory):
    """One fake org with one QueryPie app: users, groups, apps, admin roles, the System Log."""

    def __init__(self, *, seed: int = 0, app_label: str = "QueryPie") -> None:
        super().__init__(seed=seed, app_label=app_label)
        self.system_log = SystemLog()
        self.admin_roles = AdminRoles(self, self.system_log)

    @classmethod
    def generate(
        cls, *, users: int, groups: int, memberships: int, seed: int = 0
    ) -> FakeOktaDirectory:
        """A deterministic org of the given size (100k users take a few seconds)."""
        directory = cls(seed=seed)
        populate(directory, users=users, groups=groups, memberships=memberships)
        return directory
