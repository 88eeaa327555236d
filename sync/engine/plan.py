"""The whole plan of a run: its counts, a sample of each change, and the safety guard."""

from dataclasses import dataclass
from typing import Any

from querypie_admin.models import Group, User

from .plan_groups import GroupPlan, plan_groups
from .plan_memberships import MembershipPlan, plan_memberships
from .plan_users import UserPlan, plan_users
from .snapshot import Snapshot

SAMPLE_SIZE = 10


@dataclass
class Plan:
    users: UserPlan
    groups: GroupPlan
    memberships: MembershipPlan

    @property
    def is_empty(self) -> bool:
        return not any(self.counts().values())

    def counts(self) -> dict[str, int]:
        u, g, m = self.users, self.groups, self.memberships
        return {
            "users_create": len(u.create),
            "users_update": len(u.update),
            "users_deactivate": u.deactivations,
            "groups_create": len(g.create),
            "groups_update": len(g.update),
            "groups_delete": len(g.delete),
            "memberships_add": len(m.add),
            "memberships_remove": len(m.remove),
        }

    @property
    def conflicts(self) -> list[dict[str, str]]:
        return self.users.conflicts + self.groups.conflicts

    def deactivation_share(self) -> float:
        """Deactivations as a share of the active synced users, for the guard."""
        return self.users.deactivations / max(self.users.active_synced, 1)

    def samples(self) -> dict[str, list[str]]:
        u, g, m = self.users, self.groups, self.memberships
        turned_off = [login for _, _, login, ch in u.update if ch.get("is_active") is False]
        return {
            "users_create": [values[0] for _, values in u.create[:SAMPLE_SIZE]],
            "users_update": [
                f"{login} ({', '.join(sorted(ch))})" for _, _, login, ch in u.update[:SAMPLE_SIZE]
            ],
            "users_deactivate": ([login for _, login in u.deactivate] + turned_off)[:SAMPLE_SIZE],
            "groups_create": [name for _, name, _ in g.create[:SAMPLE_SIZE]],
            "groups_update": [name for _, _, name, _ in g.update[:SAMPLE_SIZE]],
            "groups_delete": [name for _, name in g.delete[:SAMPLE_SIZE]],
            "memberships_add": self._pair_labels(m.add[:SAMPLE_SIZE]),
            "memberships_remove": self._pair_labels(m.remove[:SAMPLE_SIZE]),
        }

    def _pair_labels(self, pairs: list[tuple[Any, Any]]) -> list[str]:
        """Readable "group ← login" labels, for ids in the database and Okta ids alike."""
        new_users = {okta_id: values[0] for okta_id, values in self.users.create}
        new_groups = {okta_id: name for okta_id, name, _ in self.groups.create}
        group_ids = {g for g, _ in pairs if isinstance(g, int)}
        user_ids = {u for _, u in pairs if isinstance(u, int)}
        groups = dict(Group.objects.filter(pk__in=group_ids).values_list("pk", "name"))
        users = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "login_id"))
        groups.update(new_groups)
        users.update(new_users)
        return [f"{groups.get(g, g)} ← {users.get(u, u)}" for g, u in pairs]


def build_plan(snapshot: Snapshot) -> Plan:
    """Compare Okta with the database; reads only, so a Dry Run is exactly this."""
    users = plan_users(snapshot)
    groups = plan_groups(snapshot)
    return Plan(users, groups, plan_memberships(snapshot, users, groups))
