"""The daily certificate check, stored as a django-celery-beat PeriodicTask (like the sync's
Replication Frequency): it exists while an identity provider is configured."""

from django.conf import settings
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from .models import SamlSettings

PERIODIC_TASK_NAME = "SAML certificate check"
TASK = "sso.tasks.daily_certificate_check"
DAILY_AT = {"minute": "17", "hour": "3"}  # off the hour, away from other daily jobs


def apply_schedule(config: SamlSettings) -> PeriodicTask | None:
    """Create or remove the daily check so beat follows the saved settings."""
    if not config.idp_entity_id:
        PeriodicTask.objects.filter(name=PERIODIC_TASK_NAME).delete()
        return None
    fields = {**DAILY_AT, "day_of_month": "*", "month_of_year": "*", "day_of_week": "*"}
    cron = CrontabSchedule.objects.get_or_create(**fields, timezone=settings.TIME_ZONE)[0]
    defaults = {"task": TASK, "enabled": True, "crontab": cron, "interval": None}
    return PeriodicTask.objects.update_or_create(name=PERIODIC_TASK_NAME, defaults=defaults)[0]
