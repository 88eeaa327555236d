"""Recurring campaigns on django-celery-beat: each occurrence is its own campaign.

A monthly or quarterly campaign gets one PeriodicTask that fires at 00:05 (TIME_ZONE) on the
day of the month its occurrences start. An occurrence starts k months (or quarters) after the
campaign's start date, on the same day or the month's last day when the month is shorter, so
a campaign starting on the 31st fires on days 28-31 and the task creates only the occurrence
whose date has come. Creating is idempotent (one occurrence per start date): a beat that fires
twice, or late, creates each occurrence once.
"""

import calendar
import json
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from ..models import Campaign, CampaignStatus, Recurrence

MONTHS = {Recurrence.MONTHLY: 1, Recurrence.QUARTERLY: 3}
OCCURRENCE_TASK = "access_reviews.tasks.create_occurrence"
SHORTEST_MONTH = 28


def task_name(campaign: Campaign) -> str:
    return f"Access review #{campaign.pk}: {campaign.name}"[:200]


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it is shorter."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def schedule(campaign: Campaign) -> PeriodicTask | None:
    """Create the campaign's PeriodicTask, or none for a campaign that runs once."""
    if campaign.recurrence not in MONTHS or campaign.repeats_id:
        return None
    start, step = campaign.starts_on, MONTHS[campaign.recurrence]
    months = sorted({add_months(start, step * k).month for k in range(12 // step)})
    day = str(start.day) if start.day <= SHORTEST_MONTH else f"{SHORTEST_MONTH}-31"
    cron = CrontabSchedule.objects.get_or_create(
        minute="5",
        hour="0",
        day_of_month=day,
        month_of_year=",".join(map(str, months)),
        day_of_week="*",
        timezone=settings.TIME_ZONE,
    )[0]
    return PeriodicTask.objects.update_or_create(
        name=task_name(campaign),
        defaults={
            "task": OCCURRENCE_TASK,
            "crontab": cron,
            "interval": None,
            "args": json.dumps([campaign.pk]),
            "enabled": True,
        },
    )[0]


def due_occurrence_start(campaign: Campaign, today: date) -> date | None:
    """The latest occurrence start on or before `today`, after the campaign's own start."""
    step, latest, k = MONTHS[campaign.recurrence], None, 1
    while (start := add_months(campaign.starts_on, step * k)) <= today:
        latest, k = start, k + 1
    return latest


def create_due_occurrence(campaign_id: int, today: date) -> Campaign | None:
    """Copy the recurring campaign as the occurrence that starts today (or the latest one
    missed); return it, still a draft, for the caller to launch, or None when it exists."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None or campaign.recurrence not in MONTHS or campaign.repeats_id:
            return None
        start = due_occurrence_start(campaign, today)
        if start is None or campaign.occurrences.filter(starts_on=start).exists():
            return None
        occurrence = Campaign.objects.get(pk=campaign.pk)
        occurrence.pk = None
        occurrence.name = f"{campaign.name} ({start:%Y-%m-%d})"[:200]
        occurrence.starts_on = start
        occurrence.due_on = start + timedelta(days=(campaign.due_on - campaign.starts_on).days)
        occurrence.recurrence, occurrence.repeats = Recurrence.ONCE, campaign
        occurrence.status = CampaignStatus.DRAFT
        occurrence.launched_at = occurrence.closed_at = occurrence.reminded_at = None
        occurrence.closed_by = None
        occurrence.save()
        return occurrence
