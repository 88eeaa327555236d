"""Launching a campaign: freeze its items, assign their reviewers, tell the reviewers.

Everything is read with set-based queries and written in batches (COPY on PostgreSQL), in one
transaction: a launch that fails (a fallback reviewer who would review themselves) leaves the
campaign a draft with no item. After launch the items are copies: later Okta collections
never change what was reviewed.
"""

from django.db import transaction
from django.utils import timezone

from querypie_admin import audit
from querypie_admin.directory import bulk_insert
from querypie_admin.models import User

from ..models import Campaign, CampaignStatus, ReviewItem
from . import campaigns, reminders, reviewers
from .items import build_items

BATCH = 5000


class LaunchError(ValueError):
    """The campaign cannot be launched; the message says why, for the page."""


def launch(campaign: Campaign, actor: User | None) -> int:
    """Freeze the campaign's items and make it active; return how many items it has.
    `actor` None is the schedule (a recurring campaign's occurrence). A launch the rules
    refuse changes nothing and is audited as a failure, so a scheduled one is not silent."""
    campaigns.check_actor(campaign, actor)
    try:
        count = _freeze(campaign, actor or campaigns.SCHEDULE_ACTOR)
    except LaunchError as exc:
        audit.record(
            "access_review.launched",
            actor=actor or campaigns.SCHEDULE_ACTOR,
            target=campaign,
            outcome="failure",
            detail={"reason": str(exc)},
        )
        raise
    campaign.refresh_from_db()
    reminders.send_launch_emails(campaign)
    campaigns.ensure_daily_schedule()
    return count


def _freeze(campaign: Campaign, actor: User | str) -> int:
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status != CampaignStatus.DRAFT:
            raise LaunchError("This campaign was already launched.")
        items = build_items(locked)
        try:
            reviewers.assign(locked, items)
        except reviewers.SelfReviewError as exc:
            raise LaunchError(str(exc)) from None
        for start in range(0, len(items), BATCH):
            bulk_insert.insert(ReviewItem, items[start : start + BATCH])
        locked.status, locked.launched_at = CampaignStatus.ACTIVE, timezone.now()
        locked.save(update_fields=["status", "launched_at"])
        audit.record(
            "access_review.launched",
            actor=actor,
            target=locked,
            detail={"items": len(items), "reviewers": len({i["reviewer_id"] for i in items})},
        )
    return len(items)
