"""Celery entry points of access reviews; the work is in access_reviews.service."""

from celery import shared_task
from django.utils import timezone

from .service import campaigns, execution, recurrence, reminders
from .service.launch import LaunchError, launch


@shared_task(name="access_reviews.tasks.create_occurrence")
def create_occurrence(campaign_id: int) -> dict:
    """A recurring campaign's schedule: create and launch the occurrence that starts today."""
    occurrence = recurrence.create_due_occurrence(campaign_id, timezone.localdate())
    if occurrence is None:
        return {"skipped": "no occurrence starts today, or it exists"}
    try:
        items = launch(occurrence, None)
    except LaunchError as exc:
        return {"occurrence": occurrence.pk, "launched": False, "error": str(exc)}
    return {"occurrence": occurrence.pk, "launched": True, "items": items}


@shared_task(name="access_reviews.tasks.daily")
def daily() -> dict:
    """Daily: remind reviewers two days before a due date, close campaigns past it."""
    today = timezone.localdate()
    return {
        "reminded": reminders.send_due_reminders(today),
        "closed": campaigns.close_past_due(today),
    }


@shared_task(name="access_reviews.tasks.execute_remediations")
def execute_remediations(row_ids: list[int]) -> dict:
    """Make the confirmed removals (service.execution), one call each, outcomes audited."""
    return execution.execute(row_ids)
