"""The Replication Frequency: how often the console reads the Okta org (the sync's runs, and
the visibility collection that follows them), stored on OktaOrg and turned into a
django-celery-beat schedule by whichever feature runs on it."""

from celery.schedules import ParseException, crontab
from django.conf import settings
from django.core.exceptions import ValidationError
from django_celery_beat.models import CrontabSchedule, IntervalSchedule

from .models import Frequency, OktaOrg

CRON_FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
# The periodic task that reads the org on the Replication Frequency (the sync creates it;
# the collection follows it).
REPLICATION_TASK_NAME = "Okta synchronization"
# "Every N minutes" goes down to 5; a cron expression may not run more often.
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


def describe(org: OktaOrg) -> str:
    """The frequency in words, for the settings panels and the commands."""
    if not org.enabled or org.frequency == Frequency.OFF:
        return "Off"
    if org.frequency == Frequency.MINUTES:
        return f"Every {org.every_minutes} minutes"
    if org.frequency == Frequency.HOURLY:
        return "Hourly"
    if org.frequency == Frequency.DAILY:
        return f"Daily at {org.daily_at:%H:%M} ({settings.TIME_ZONE})"
    return f"Cron: {org.cron} ({settings.TIME_ZONE})"


def schedule_fields(org: OktaOrg) -> dict:
    """The `interval` and `crontab` of a PeriodicTask that runs on the frequency."""
    if org.frequency == Frequency.MINUTES:
        every = IntervalSchedule.objects.get_or_create(
            every=org.every_minutes, period=IntervalSchedule.MINUTES
        )[0]
        return {"interval": every, "crontab": None}
    if org.frequency == Frequency.HOURLY:
        every = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.HOURS)[0]
        return {"interval": every, "crontab": None}
    if org.frequency == Frequency.DAILY:
        fields = {"minute": str(org.daily_at.minute), "hour": str(org.daily_at.hour)}
        fields |= {"day_of_month": "*", "month_of_year": "*", "day_of_week": "*"}
    else:
        fields = parse_cron(org.cron)
    cron = CrontabSchedule.objects.get_or_create(**fields, timezone=settings.TIME_ZONE)[0]
    return {"interval": None, "crontab": cron}
