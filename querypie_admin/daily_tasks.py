"""One django-celery-beat entry that runs a task once a day, for every feature that needs one
(the Okta visibility's retention, the access reviews' reminders and due dates)."""

from django.conf import settings
from django_celery_beat.models import CrontabSchedule, PeriodicTask


def run_daily(name: str, task: str, *, hour: int, minute: int) -> None:
    """Create or re-enable the periodic task `name` running `task` at hour:minute, local time."""
    cron = CrontabSchedule.objects.get_or_create(
        minute=str(minute),
        hour=str(hour),
        day_of_month="*",
        month_of_year="*",
        day_of_week="*",
        timezone=settings.TIME_ZONE,
    )[0]
    PeriodicTask.objects.update_or_create(
        name=name,
        defaults={"task": task, "crontab": cron, "interval": None, "enabled": True},
    )
