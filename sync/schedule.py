"""The sync's periodic task, on the org's Replication Frequency (okta.schedule).

Beat's DatabaseScheduler notices every saved PeriodicTask (its change counter is bumped by
a signal), so a new frequency applies without restarting anything.
"""

from django_celery_beat.models import PeriodicTask

from okta.models import Frequency, OktaOrg
from okta.schedule import REPLICATION_TASK_NAME, schedule_fields

PERIODIC_TASK_NAME = REPLICATION_TASK_NAME
TASK = "sync.tasks.scheduled_sync"


def apply_schedule(org: OktaOrg) -> PeriodicTask | None:
    """Create, change or remove the periodic task so beat follows the saved settings."""
    if not org.enabled or org.frequency == Frequency.OFF:
        PeriodicTask.objects.filter(name=PERIODIC_TASK_NAME).delete()
        return None
    defaults = {"task": TASK, "enabled": True, **schedule_fields(org)}
    task, _ = PeriodicTask.objects.update_or_create(name=PERIODIC_TASK_NAME, defaults=defaults)
    return task
