"""The whole plan of a run: its counts, a sample of each change, and what it would destroy."""

from dataclasses import dataclass, field
from typing import Any

from okta.profile import LOGIN
from querypie_admin.models import Group, User

from .plan_groups import GroupPlan
from .plan_memberships import MembershipPlan
from .plan_roles import RolePlan, plan_roles
from .plan_users import UserPlan
from .snapshot import Snapshot

SAMPLE_SIZE = 10


@dataclass
class Plan:
    users: UserPlan
    groups: GroupPlan
    memberships: MembershipPlan
    roles: RolePlan = field(default_factory=RolePlan)  # Okta group → console role

    @property
    def is_empty(self) -> bool:
        return not any(self.counts().values())

    def counts(self) -> dict[str, int]:
        """What the run writes (or, held or dry, would write); removals include the
        memberships that go with deleted groups."""
        u, g, m = self.users, self.groups, self.memberships
        return {
            "users_create": len(u.create),
            "users_update": len(u.refreshed()),
            "users_deactivate": u.deactivations,
            "users_link": len(u.adopted),
            "users_release": len(u.release),
            "groups_create": len(g.create),
            "groups_update": len(g.refreshed()),
            "groups_delete": len(g.delete),
            "groups_link": len(g.adopted),
            "groups_release": len(g.release),
            "memberships_add": len(m.add),
            "memberships_remove": m.removals,
            **self.roles.counts(),
        }

    def destructive(self) -> dict[str, list]:
        """Every destructive change by id, so a confirmation can be bound to this plan."""
        removed = self.memberships.remove + self.memberships.with_groups
        return {
            "users_deactivate": sorted(self.users.deactivated()),
            "groups_delete": sorted(pk for pk, _ in self.groups.delete),
            "memberships_remove": sorted([group, user] for group, user in removed),
            "roles_promote": self.roles.promoted(),
        }

    @property
    def conflicts(self) -> list[dict[str, str]]:
        return self.users.conflicts + self.groups.conflicts + self.roles.conflicts

    def samples(self) -> dict[str, list[str]]:
        u, g, m = self.users, self.groups, self.memberships
        off = set(u.deactivated())
        logins = [login for pk, _, login, _ in u.update if pk in off]
        logins += [login for pk, login, _ in u.release if pk in off]
        removed = m.remove[:SAMPLE_SIZE] + m.with_groups[:SAMPLE_SIZE]
        return {
            "users_create": [values[LOGIN] for _, values in u.create[:SAMPLE_SIZE]],
            "users_update": [label for _, label in u.refreshed()[:SAMPLE_SIZE]],
            "users_deactivate": logins[:SAMPLE_SIZE],
            "users_link": [v[LOGIN] for pk, _, v in u.link if pk in u.adopted][:SAMPLE_SIZE],
            "users_release": [login for _, login, _ in u.release[:SAMPLE_SIZE]],
            "groups_create": [values[0] for _, values in g.create[:SAMPLE_SIZE]],
            "groups_update": [name for _, name in g.refreshed()[:SAMPLE_SIZE]],
            "groups_delete": [name for _, name in g.delete[:SAMPLE_SIZE]],
            "groups_link": [v[0] for pk, _, v in g.link if pk in g.adopted][:SAMPLE_SIZE],
            "groups_release": [name for _, name, _ in g.release[:SAMPLE_SIZE]],
            "memberships_add": self._pair_labels(m.add[:SAMPLE_SIZE]),
            "memberships_remove": self._pair_labels(removed[:SAMPLE_SIZE]),
            **self.roles.samples(SAMPLE_SIZE),
        }

    def _pair_labels(self, pairs: list[tuple[Any, Any]]) -> list[str]:
        """Readable "group ← login" labels, for ids in the database and Okta ids alike."""
        new_users = {okta_id: values[LOGIN] for okta_id, values in self.users.create}
        new_groups = {okta_id: values[0] for okta_id, values in self.groups.create}
        group_ids = {g for g, _ in pairs if isinstance(g, int)}
        user_ids = {u for _, u in pairs if isinstance(u, int)}
        groups = dict(Group.objects.filter(pk__in=group_ids).values_list("pk", "name"))
        users = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "login_id"))
        groups.update(new_groups)
        users.update(new_users)
        return [f"{groups.get(g, g)} ← {users.get(u, u)}" for g, u in pairs]


def complete_plan(
    snapshot: Snapshot, users: UserPlan, groups: GroupPlan, memberships: MembershipPlan
) -> Plan:
    """Okta compared with the database, once its parts are planned (streaming.py plans the
    users while members are read and memberships as they arrive); reads only, so a Dry Run
    is exactly this."""
    return Plan(users, groups, memberships, plan_roles(snapshot, users, groups, memberships))
