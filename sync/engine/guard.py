"""The guard: a run that would deactivate, delete or remove too much of what the sync owns
stops before writing and waits for an administrator's confirmation.

Each destructive kind is measured as a share of what the sync manages, counting the rows
this run adopts, so it holds the first sync and incremental runs alike: user deactivations
of the active sync-linked users, group deletions of the sync-linked groups, membership
removals (those that go with deleted groups included) of the memberships the sync manages.
Its mirror: a run that would promote more users to an administrator role (by Okta group
mappings) than RoleMappingSettings.promotion_threshold at once is held the same way.
"""

from dataclasses import dataclass

from querypie_admin.models import RoleMappingSettings

from .config import RunConfig
from .plan import Plan


@dataclass(frozen=True)
class Share:
    verb: str
    noun: str
    count: int
    total: int

    def over(self, threshold: int) -> bool:
        return self.count * 100 > threshold * max(self.total, 1)

    def __str__(self) -> str:
        percent = self.count / max(self.total, 1)
        return f"{self.verb} {self.count} of {self.total} {self.noun} ({percent:.0%})"


def shares(plan: Plan) -> list[Share]:
    u, g, m = plan.users, plan.groups, plan.memberships
    return [
        Share("deactivate", "synced users", u.deactivations, u.active_owned),
        Share("delete", "synced groups", len(g.delete), g.owned),
        Share("remove", "synced memberships", m.removals, m.owned),
    ]


def guard_message(plan: Plan, config: RunConfig) -> str:
    """Why this plan must wait for confirmation, or "" when it may be written."""
    threshold = config.deactivation_threshold
    over = [str(share) for share in shares(plan) if share.over(threshold)]
    reasons = []
    if over:
        listed = over[0] if len(over) == 1 else f"{', '.join(over[:-1])} and {over[-1]}"
        reasons.append(f"{listed}, more than the {threshold}% threshold")
    reasons += _promotions(plan)
    if not reasons:
        return ""
    return f"This run would {' and '.join(reasons)}. Nothing was written; confirm to proceed."


def _promotions(plan: Plan) -> list[str]:
    """The mirror of the deactivation guard: too many new administrators at once."""
    promoted = len(plan.roles.promoted())
    if not promoted:
        return []
    allowed = RoleMappingSettings.load().promotion_threshold
    if promoted <= allowed:
        return []
    noun = "user" if promoted == 1 else "users"
    return [
        f"promote {promoted} {noun} to an administrator role, more than the {allowed} "
        "allowed at once"
    ]
