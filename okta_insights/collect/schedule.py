"""When collection runs, as django-celery-beat PeriodicTasks beside the sync's.

All datasets follow the sync's Replication Frequency: this task copies the interval or crontab
of the sync's "Okta synchronization" task whenever that one is saved or removed, so there is
one frequency to set. The System Log has its own interval (default every 5 minutes) because
activity is wanted sooner, and retention runs daily. Beat's DatabaseScheduler notices every
saved PeriodicTask, so a change applies without restart.
"""

from django.db.models.signals import post_delete, post_save
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from okta.models import OktaOrg
from okta.schedule import REPLICATION_TASK_NAME as SYNC_TASK_NAME
from okta.schedule import describe as describe_frequency
from querypie_admin.daily_tasks import run_daily

from ..models import CollectionSettings

COLLECTION_TASK_NAME = "Okta visibility collection"
SYSTEM_LOG_TASK_NAME = "Okta System Log"
RETENTION_TASK_NAME = "Okta System Log retention"
RETENTION_AT = {"minute": 17, "hour": 3}


def apply_schedules(collection: CollectionSettings | None = None) -> None:
    """Create, change or remove the three periodic tasks so beat follows the settings."""
    collection = collection or CollectionSettings.load()
    _follow_sync(collection)
    _every_minutes(collection)
    _daily_retention()


def describe(collection: CollectionSettings) -> dict[str, str]:
    """The schedules in words, for the settings page and `okta_collect status`."""
    if not collection.enabled:
        return {"datasets": "Off", "system_log": "Off"}
    mirrored = PeriodicTask.objects.filter(name=COLLECTION_TASK_NAME).exists()
    frequency = describe_frequency(OktaOrg.load())  # mirrored: the sync is enabled
    return {
        "datasets": f"Replication Frequency: {frequency}"
        if mirrored
        else "Off (no Replication "
        "Frequency: set one in Use Synchronization with the Authentication System)",
        "system_log": f"Every {collection.log_every_minutes} minutes",
    }


def _follow_sync(collection: CollectionSettings) -> None:
    sync_task = PeriodicTask.objects.filter(name=SYNC_TASK_NAME).first()
    if not (collection.enabled and sync_task):
        PeriodicTask.objects.filter(name=COLLECTION_TASK_NAME).delete()
        return
    PeriodicTask.objects.update_or_create(
        name=COLLECTION_TASK_NAME,
        defaults={
            "task": "okta_insights.tasks.scheduled_collection",
            "interval": sync_task.interval,
            "crontab": sync_task.crontab,
            "enabled": sync_task.enabled,
        },
    )


def _every_minutes(collection: CollectionSettings) -> None:
    if not collection.enabled:
        PeriodicTask.objects.filter(name=SYSTEM_LOG_TASK_NAME).delete()
        return
    every = IntervalSchedule.objects.get_or_create(
        every=collection.log_every_minutes, period=IntervalSchedule.MINUTES
    )[0]
    PeriodicTask.objects.update_or_create(
        name=SYSTEM_LOG_TASK_NAME,
        defaults={
            "task": "okta_insights.tasks.scheduled_system_log",
            "interval": every,
            "crontab": None,
            "enabled": True,
        },
    )


def _daily_retention() -> None:
    """Kept even while collection is off: stored activity still ages out."""
    run_daily(RETENTION_TASK_NAME, "okta_insights.tasks.enforce_retention", **RETENTION_AT)


def _sync_schedule_changed(sender, instance: PeriodicTask, **kwargs) -> None:
    if instance.name == SYNC_TASK_NAME:
        _follow_sync(CollectionSettings.load())


def follow_replication_frequency() -> None:
    """Connect the receivers that keep the datasets' task on the sync's frequency."""
    post_save.connect(_sync_schedule_changed, sender=PeriodicTask, dispatch_uid="okta_saved")
    post_delete.connect(_sync_schedule_changed, sender=PeriodicTask, dispatch_uid="okta_deleted")
