"""The guard: a run that would deactivate, delete or remove too much of what the sync owns
stops before writing and waits for an administrator's confirmation.

Each destructive kind is measured as a share of what the sync manages, counting the rows
this run adopts, so it holds the first sync and incremental runs alike: user deactivations
of the active sync-linked users, group deletions of the sync-linked groups, membership
removals (those that go with deleted groups included) of the memberships the sync manages.
"""

from dataclasses import dataclass

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
    if not over:
        return ""
    listed = over[0] if len(over) == 1 else f"{', '.join(over[:-1])} and {over[-1]}"
    return (
        f"This run would {listed}, more than the {threshold}% threshold. "
        "Nothing was written; confirm to proceed."
    )
