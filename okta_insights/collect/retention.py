"""Retention of the System Log (default 400 days), enforced by a daily task.

On PostgreSQL whole months older than the cutoff are dropped as partitions; the rows of the
month the cutoff falls in are deleted one by one. Sign-in summaries older than the cutoff go
too, and so does the history of System Log polls older than a month (one every few minutes).
"""

from datetime import datetime, timedelta

from django.utils import timezone

from querypie_admin import audit

from ..models import AppSignIn, CollectionRun, CollectionSettings, OktaEvent, RunLane
from . import partitions

POLL_HISTORY_KEPT = timedelta(days=30)


def enforce_retention(now: datetime | None = None) -> dict:
    """Delete activity older than the retention period; what was removed."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=CollectionSettings.load().retention_days)
    dropped = partitions.drop_months_before(cutoff)
    deleted = sum(dropped.values()) + OktaEvent.objects.filter(published__lt=cutoff).delete()[0]
    sign_ins = AppSignIn.objects.filter(last_at__lt=cutoff).delete()[0]
    CollectionRun.objects.filter(
        lane=RunLane.SYSTEM_LOG, in_progress__isnull=True, created_at__lt=now - POLL_HISTORY_KEPT
    ).delete()
    result = {
        "cutoff": cutoff.isoformat(),
        "partitions_dropped": sorted(dropped),
        "events_deleted": deleted,
        "sign_ins_deleted": sign_ins,
    }
    if dropped or deleted or sign_ins:
        audit.record(
            "okta_insights.retention_enforced",
            actor="Okta retention",
            target_label="System Log",
            detail=result,
        )
    return result
