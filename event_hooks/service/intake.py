"""A delivery from Okta, authenticated: check its shape, store its events once each (by
Okta's event uuid), count it and queue the processing. No call to Okta here: Okta waits
3 seconds at most for the answer, and the console answers in milliseconds.
"""

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ..models import HookCounters, HookEvent

logger = logging.getLogger(__name__)

MAX_BODY = 4 * 1024 * 1024  # Okta's deliveries are far smaller; a 2,000-event burst is ~3 MB
MAX_EVENTS = 5000
# A queued task that has not started this long after was lost (its broker restarted):
# the next delivery queues another.
QUEUE_STALE = timedelta(seconds=60)
TARGET_FIELDS = {"User": "okta_user_id", "UserGroup": "okta_group_id", "AppInstance": "okta_app_id"}


class BadDelivery(Exception):
    """The body is not an event hook delivery; the message says what is wrong with it."""


def read_body(request: Any) -> bytes:
    """The body, refused above MAX_BODY before more than that is read."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not (declared.isascii() and declared.isdigit()):  # "²" is a digit, but no number
        raise BadDelivery("Content-Length is not a number.")
    if int(declared) > MAX_BODY:
        raise BadDelivery(f"The body is larger than {MAX_BODY // (1024 * 1024)} MiB.")
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        raise BadDelivery(f"The body is larger than {MAX_BODY // (1024 * 1024)} MiB.")
    return body


def parse(body: bytes) -> list[HookEvent]:
    """The delivery's events as unsaved rows, one per uuid (a repeat inside it dropped)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadDelivery("The body is not JSON.") from None
    payload = data.get("data") if isinstance(data, dict) else None
    events = payload.get("events") if isinstance(payload, dict) else None
    if not isinstance(events, list):
        raise BadDelivery('The body has no "data.events" list: it is not an Okta event hook.')
    if len(events) > MAX_EVENTS:
        raise BadDelivery(f"A delivery may carry {MAX_EVENTS} events at most.")
    delivery_id = _text(data.get("eventId"), 64)
    rows: dict[str, HookEvent] = {}
    for position, event in enumerate(events, start=1):
        row = _row(position, event, delivery_id)
        rows.setdefault(row.uuid, row)
    return list(rows.values())


def _row(position: int, event: Any, delivery_id: str) -> HookEvent:
    if not isinstance(event, dict):
        raise BadDelivery(f"Event {position} is not an object.")
    uuid, event_type = event.get("uuid"), event.get("eventType")
    for name, value, limit in (("uuid", uuid, 64), ("eventType", event_type, 128)):
        # Printable: no NUL, and no lone surrogate, which JSON allows and PostgreSQL refuses.
        if not isinstance(value, str) or not 0 < len(value) <= limit or not value.isprintable():
            raise BadDelivery(f"Event {position} has no usable {name}.")
    row = HookEvent(uuid=uuid, event_type=event_type, delivery_id=delivery_id)
    row.published = _moment(event.get("published"))
    targets = event.get("target") if isinstance(event.get("target"), list) else []
    for target in targets:
        kind = target.get("type") if isinstance(target, dict) else None
        field = TARGET_FIELDS.get(kind) if isinstance(kind, str) else None
        if field and not getattr(row, field):
            setattr(row, field, _text(target.get("id"), 64))
            if field != "okta_app_id" and not row.target_label:
                label = target.get("alternateId") or target.get("displayName")
                row.target_label = _text(label, 255)
    return row


def _text(value: Any, limit: int) -> str:
    """Text PostgreSQL takes: no NUL, and a lone surrogate (valid JSON) replaced by "?"."""
    if not isinstance(value, str):
        return ""
    return value.replace("\x00", "").encode("utf-8", "replace").decode()[:limit]


def _moment(value: Any) -> datetime | None:
    """Okta's `published`, in UTC; None when it is not a moment both Python and PostgreSQL
    can hold (`9999-12-31T23:00-14:00` is year 10000 in UTC: stored, but never read back)."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment.astimezone(UTC) if moment.tzinfo else None
    except (AttributeError, ValueError, OverflowError):
        return None


def store(rows: list[HookEvent]) -> None:
    """Insert the events not seen before, count the delivery, queue processing if needed."""
    now = timezone.now()
    with transaction.atomic():
        uuids = [row.uuid for row in rows]
        seen = set(HookEvent.objects.filter(uuid__in=uuids).values_list("uuid", flat=True))
        new = [row for row in rows if row.uuid not in seen]
        for row in new:
            row.received_at = now
        HookEvent.objects.bulk_create(new, ignore_conflicts=True)  # a parallel repeat: no error
        _count(len(rows), len(new), now)
        if new and claim_queue(now):
            transaction.on_commit(queue_processing)


def _count(events: int, new: int, now: datetime) -> None:
    counters = HookCounters.objects.filter(pk=1)
    updated = counters.update(
        deliveries=F("deliveries") + 1,
        events_received=F("events_received") + new,
        duplicates=F("duplicates") + (events - new),
        last_delivery_at=now,
    )
    if not updated:
        HookCounters.load()
        _count(events, new, now)


def claim_queue(now: datetime) -> bool:
    """Mark a processing task as queued, unless one already is (and is not stale)."""
    idle = Q(queued_at__isnull=True) | Q(queued_at__lt=now - QUEUE_STALE)
    return bool(HookCounters.objects.filter(idle, pk=1).update(queued_at=now))


def queue_processing() -> None:
    """After commit, so the worker sees the rows. A broker that cannot take the task only
    delays processing (the next delivery queues again): the delivery itself succeeded."""
    from ..tasks import process_events

    try:
        process_events.delay()
    except Exception:  # noqa: BLE001 - any broker failure; logged, retried by the next delivery
        logger.exception("Could not queue the processing of Okta event hook deliveries")
        HookCounters.objects.filter(pk=1).update(queued_at=None)
