"""Celery entry points of Okta Event Hooks; the work is in event_hooks.service."""

from celery import shared_task

from .service import processing


@shared_task(name="event_hooks.tasks.process_events")
def process_events() -> dict:
    """Apply the events deliveries stored; queued by a delivery once its rows are committed."""
    return processing.process_pending()
