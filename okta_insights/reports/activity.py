"""The activity search: System Log events by actor, target, event type, outcome and time,
newest first, 50 a page.

Pages are keyset pages ("older than this event"), never OFFSET: page 2,000 costs what page 1
costs, at millions of events. On PostgreSQL the actor and target contains-search uses
trigram indexes and the rest btree indexes on (column, published) (migration 0002).
"""

import base64
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from ..models import OktaEvent

PAGE_SIZE = 50


def search(**filters) -> QuerySet[OktaEvent]:
    """Events matching the filters (okta_insights.forms.ActivityForm), newest first."""
    events = OktaEvent.objects.all()
    if filters.get("actor"):
        events = events.filter(actor_text__contains=filters["actor"].strip().lower())
    if filters.get("target"):
        events = events.filter(target_text__contains=filters["target"].strip().lower())
    event_type = (filters.get("event_type") or "").strip()
    if event_type.endswith("*"):
        events = events.filter(event_type__startswith=event_type[:-1])
    elif event_type:
        events = events.filter(event_type=event_type)
    if filters.get("outcome"):
        events = events.filter(outcome=filters["outcome"])
    if filters.get("since"):
        events = events.filter(published__gte=filters["since"])
    if filters.get("until"):
        events = events.filter(published__lte=filters["until"])
    return events.order_by("-published", "-id")


@dataclass
class KeysetPage:
    events: list[OktaEvent]
    older: str  # the token for the next (older) page, "" on the last one
    newer: str  # the token for the previous (newer) page, "" on the first one


def page(events: QuerySet[OktaEvent], *, before: str = "", after: str = "") -> KeysetPage:
    """50 events older than `before`, or newer than `after` (tokens from a previous page)."""
    if after and (key := _key(after)):
        newer_first = events.filter(_newer_than(key)).order_by("published", "id")
        rows = list(newer_first[: PAGE_SIZE + 1])
        more_newer, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE][::-1]
        return KeysetPage(
            rows, _token(rows[-1]) if rows else "", _token(rows[0]) if more_newer and rows else ""
        )
    key = _key(before) if before else None
    older_first = events.filter(_older_than(key)) if key else events
    rows = list(older_first[: PAGE_SIZE + 1])
    more_older, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
    newer = _token(rows[0]) if key and rows else ""
    return KeysetPage(rows, _token(rows[-1]) if more_older else "", newer)


def _token(event: OktaEvent) -> str:
    raw = f"{event.published.isoformat()}|{event.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _key(token: str) -> tuple[datetime, int] | None:
    """The (published, id) a token names; None for a token that is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        published, pk = raw.rsplit("|", 1)
        moment = datetime.fromisoformat(published)
        return (moment, int(pk)) if moment.tzinfo else None
    except ValueError:
        return None


def _older_than(key: tuple[datetime, int]) -> Q:
    published, pk = key
    return Q(published__lt=published) | Q(published=published, id__lt=pk)


def _newer_than(key: tuple[datetime, int]) -> Q:
    published, pk = key
    return Q(published__gt=published) | Q(published=published, id__gt=pk)
