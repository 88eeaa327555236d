"""Remediation of revocations (placeholder interface; the remediation engineer fills it)."""

from ..models import ReviewItem


def on_revoked(item: ReviewItem) -> None:
    """Called inside the decision's transaction for each revoked item; plans the removal at
    once when the campaign removes access at once."""
