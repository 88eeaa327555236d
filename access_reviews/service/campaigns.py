"""A campaign's life after its definition: created, closed (early, or by the schedule after
its due date), extended. Launching is service.launch; decisions are service.decisions."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from querypie_admin import audit
from querypie_admin.daily_tasks import run_daily
from querypie_admin.models import Role, User
from querypie_admin.roles import OwnerRequired

from ..models import Campaign, CampaignStatus, Subject
from . import recurrence, remediation

SCHEDULE = "Access reviews: reminders and due dates"
SCHEDULE_AT = {"minute": 0, "hour": 7}
SCHEDULE_ACTOR = "Access review schedule"
OWNERS_ONLY = "Only an Owner can review the console's Owners and System Admins."


class CampaignStateError(ValueError):
    """The campaign is not in a state that allows this; the message says why."""


def may_run(campaign: Campaign, actor: User | None) -> bool:
    """Whether `actor` may define, launch or close `campaign`.

    A campaign on the console's Owners and System Admins ends in demotions: it changes whom
    the console trusts, so only an Owner runs one (a System Admin's campaign could demote
    the Owners). The schedule (`actor` None) runs what an Owner defined."""
    is_owner = actor is None or actor.role == Role.OWNER
    return campaign.subject != Subject.CONSOLE_ADMINS or is_owner


def check_actor(campaign: Campaign, actor: User | None) -> None:
    """Raise OwnerRequired (audited) unless `actor` may run `campaign` (may_run)."""
    if not may_run(campaign, actor):
        audit.record(
            "console.owner_only_refused",
            actor=actor,
            target=campaign if campaign.pk else None,
            target_label="" if campaign.pk else campaign.name,
            outcome="failure",
            detail={"reason": OWNERS_ONLY},
        )
        raise OwnerRequired(OWNERS_ONLY)


def create(campaign: Campaign, actor: User) -> Campaign:
    """Save a new campaign (a draft) and, if it recurs, its schedule."""
    check_actor(campaign, actor)
    with transaction.atomic():
        campaign.created_by = actor
        campaign.save()
        recurrence.schedule(campaign)
        audit.record(
            "access_review.campaign_created",
            actor=actor,
            target=campaign,
            detail={"subject": campaign.subject, "recurrence": campaign.recurrence},
        )
    return campaign


def close(campaign: Campaign, actor: User | None) -> Campaign:
    """Close an active campaign (decisions stop changing) and plan its remediation;
    `actor` None is the schedule closing it after its due date."""
    check_actor(campaign, actor)
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status != CampaignStatus.ACTIVE:
            raise CampaignStateError("Only an active campaign can be closed.")
        locked.status, locked.closed_at, locked.closed_by = (
            CampaignStatus.CLOSED,
            timezone.now(),
            actor,
        )
        locked.save(update_fields=["status", "closed_at", "closed_by"])
        early = locked.closed_at.date() <= locked.due_on
        audit.record(
            "access_review.closed",
            actor=actor or SCHEDULE_ACTOR,
            target=locked,
            detail={"early": early, "undecided": locked.items.filter(decision="").count()},
        )
        remediation.plan_campaign(locked)
    return locked


def extend(campaign: Campaign, actor: User, due_on: date) -> Campaign:
    """Move an active campaign's due date later; the reminder is sent again before it."""
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status != CampaignStatus.ACTIVE:
            raise CampaignStateError("Only an active campaign can be extended.")
        if due_on <= locked.due_on:
            raise CampaignStateError("The new due date must be after the current one.")
        before, locked.due_on, locked.reminded_at = locked.due_on, due_on, None
        locked.save(update_fields=["due_on", "reminded_at"])
        audit.record(
            "access_review.extended",
            actor=actor,
            target=locked,
            detail={"from": before.isoformat(), "to": due_on.isoformat()},
        )
    return locked


def close_past_due(today: date) -> list[int]:
    """Close every active campaign whose due date has passed; return their ids."""
    closed = []
    for campaign in Campaign.objects.filter(status=CampaignStatus.ACTIVE, due_on__lt=today):
        try:
            close(campaign, None)
        except CampaignStateError:
            continue  # closed by someone else meanwhile
        closed.append(campaign.pk)
    return closed


def ensure_daily_schedule() -> None:
    """The daily task (reminders, closing at the due date), created with the first launch."""
    run_daily(SCHEDULE, "access_reviews.tasks.daily", **SCHEDULE_AT)
