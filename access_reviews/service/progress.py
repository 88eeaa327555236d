"""A campaign's progress for its page: completion per reviewer, overdue reviewers, items
left; one aggregate query whatever the number of items."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from ..models import Campaign, CampaignStatus


@dataclass(frozen=True)
class ReviewerProgress:
    login: str
    name: str
    total: int
    decided: int
    overdue: bool

    @property
    def left(self) -> int:
        return self.total - self.decided

    @property
    def percent(self) -> int:
        return round(100 * self.decided / self.total) if self.total else 100


@dataclass(frozen=True)
class CampaignProgress:
    reviewers: list[ReviewerProgress]

    @property
    def total(self) -> int:
        return sum(r.total for r in self.reviewers)

    @property
    def left(self) -> int:
        return sum(r.left for r in self.reviewers)

    @property
    def percent(self) -> int:
        return round(100 * (self.total - self.left) / self.total) if self.total else 100

    @property
    def overdue(self) -> list[ReviewerProgress]:
        return [r for r in self.reviewers if r.overdue]


def progress(campaign: Campaign, today: date) -> CampaignProgress:
    """Per reviewer: items, decided, and overdue (items left after the due date)."""
    past_due = campaign.status == CampaignStatus.ACTIVE and today > campaign.due_on
    rows = (
        campaign.items.values("reviewer__login_id", "reviewer__first_name", "reviewer__last_name")
        .annotate(total=Count("id"), decided=Count("id", filter=~Q(decision="")))
        .order_by("reviewer__login_id")
    )
    return CampaignProgress(
        [
            ReviewerProgress(
                login=row["reviewer__login_id"],
                name=f"{row['reviewer__first_name']} {row['reviewer__last_name']}".strip(),
                total=row["total"],
                decided=row["decided"],
                overdue=past_due and row["decided"] < row["total"],
            )
            for row in rows
        ]
    )
