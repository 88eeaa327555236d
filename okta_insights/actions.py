"""What the Okta visibility page's buttons and `okta_collect` do; each takes who asks."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from querypie_admin.directory import Caller
from querypie_admin.models import User

from .collect.runs import start_run
from .collect.schedule import apply_schedules
from .collect.system_log import STARTED_OVER, start_over
from .forms import SETTING_FIELDS
from .models import CollectionRun, CollectionSettings, RunKind


def save_settings(caller: Caller, data: Mapping[str, Any]) -> CollectionSettings:
    """Save validated settings and reschedule in one transaction, and audit it."""
    with transaction.atomic():
        CollectionSettings.load()
        instance = CollectionSettings.objects.select_for_update().get(pk=1)
        changed = [name for name in SETTING_FIELDS if data[name] != getattr(instance, name)]
        for name in changed:
            setattr(instance, name, data[name])
        instance.save()
        apply_schedules(instance)
        caller.record(
            "okta_insights.settings_updated", target_label="Okta collection", changed=changed
        )
    return instance


def start_system_log_over(caller: Caller, days: int) -> None:
    """Start over from `days` back at the next collection, audited."""
    with transaction.atomic():
        start_over(days)
        caller.record(STARTED_OVER, target_label="Okta System Log", days=days)


def begin_collection(user: User) -> CollectionRun:
    """Collect now: every dataset, by a Celery worker once the queued run is committed."""
    from .tasks import run_collection

    run = start_run(RunKind.MANUAL, started_by=user)
    transaction.on_commit(lambda: run_collection.delay(run.pk))
    return run
