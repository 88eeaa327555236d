"""Replication Frequency, stored as a django-celery-beat PeriodicTask.

Beat's DatabaseScheduler notices every saved PeriodicTask (its change counter is bumped by
a signal), so a new frequency applies without restarting anything.
"""

from celery.schedules import ParseException, crontab
from django.conf import settings
from django.core.exceptions import ValidationError
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from .models import Frequency, SyncSettings

PERIODIC_TASK_NAME = "Okta synchronization"
TASK = "sync.tasks.scheduled_sync"
CRON_FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")


# "Every N minutes" goes down to 5; a cron expression may not run the sync more often.
MIN_MINUTES_BETWEEN_RUNS = 5


def parse_cron(expression: str) -> dict[str, str]:
    """Split a five-field cron expression; refuse what Celery's crontab cannot parse, and a
    schedule whose runs come closer together than MIN_MINUTES_BETWEEN_RUNS."""
    parts = expression.split()
    if len(parts) != len(CRON_FIELDS):
        raise ValidationError(
            "Enter five fields: minute hour day-of-month month day-of-week (e.g. 0 */6 * * *)."
        )
    fields = dict(zip(CRON_FIELDS, parts, strict=True))
    try:
        schedule = crontab(**fields)
    except (ValueError, TypeError, ParseException) as exc:
        raise ValidationError(f"This cron expression is not valid: {exc}") from None
    gap = shortest_gap(schedule)
    if gap < MIN_MINUTES_BETWEEN_RUNS:
        raise ValidationError(
            f"This schedule runs {gap} minute{'s' if gap != 1 else ''} apart; runs must be at "
            f"least {MIN_MINUTES_BETWEEN_RUNS} minutes apart, as with Every N minutes."
        )
    return fields


def shortest_gap(schedule: crontab) -> int:
    """The fewest minutes between two runs: within an hour, or across two hours in a row
    (23:00 and 0:00 count as in a row, as they are on consecutive days)."""
    minutes, hours = sorted(schedule.minute), set(schedule.hour)
    gaps = [later - earlier for earlier, later in zip(minutes, minutes[1:], strict=False)]
    if any((hour + 1) % 24 in hours for hour in hours):
        gaps.append(60 - minutes[-1] + minutes[0])
    return min(gaps, default=24 * 60)


def describe(sync_settings: SyncSettings) -> str:
    """The frequency in words, for the settings panel and `okta_sync status`."""
    s = sync_settings
    if not s.enabled or s.frequency == Frequency.OFF:
        return "Off"
    if s.frequency == Frequency.MINUTES:
        return f"Every {s.every_minutes} minutes"
    if s.frequency == Frequency.HOURLY:
        return "Hourly"
    if s.frequency == Frequency.DAILY:
        return f"Daily at {s.daily_at:%H:%M} ({settings.TIME_ZONE})"
    return f"Cron: {s.cron} ({settings.TIME_ZONE})"


def _schedule_fields(s: SyncSettings) -> dict:
    if s.frequency == Frequency.MINUTES:
        every = IntervalSchedule.objects.get_or_create(
            every=s.every_minutes, period=IntervalSchedule.MINUTES
        )[0]
        return {"interval": every, "crontab": None}
    if s.frequency == Frequency.HOURLY:
        every = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.HOURS)[0]
        return {"interval": every, "crontab": None}
    if s.frequency == Frequency.DAILY:
        fields = {"minute": str(s.daily_at.minute), "hour": str(s.daily_at.hour)}
        fields |= {"day_of_month": "*", "month_of_year": "*", "day_of_week": "*"}
    else:
        fields = parse_cron(s.cron)
    cron = CrontabSchedule.objects.get_or_create(**fields, timezone=settings.TIME_ZONE)[0]
    return {"interval": None, "crontab": cron}


def apply_schedule(sync_settings: SyncSettings) -> PeriodicTask | None:
    """Create, change or remove the periodic task so beat follows the saved settings."""
    if not sync_settings.enabled or sync_settings.frequency == Frequency.OFF:
        PeriodicTask.objects.filter(name=PERIODIC_TASK_NAME).delete()
        return None
    defaults = {"task": TASK, "enabled": True, **_schedule_fields(sync_settings)}
    task, _ = PeriodicTask.objects.update_or_create(name=PERIODIC_TASK_NAME, defaults=defaults)
    return task
