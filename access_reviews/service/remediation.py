"""Remediation of revocations (placeholder interface; the remediation engineer fills it)."""

from ..models import Campaign, ReviewItem


def on_revoked(item: ReviewItem) -> None:
    """Called inside the decision's transaction for each revoked item; plans the removal at
    once when the campaign removes access at once."""


def plan_campaign(campaign: Campaign) -> None:
    """Called inside the closing transaction: turn the campaign's revocations into a plan."""
