"""The System Log, polled as Okta documents it.

The first request asks `sortOrder=ASCENDING` from a window back (default 7 days) with no
`until`; every later request is the `next` link Okta sent, stored in the database in the same
transaction as the events it delivered. Okta always sends `next`, even on an empty page, so a
round stops at the first empty page. A worker killed at any point leaves either a whole page
and its link or neither: the next round asks for that page again, and events already stored
(unique by `uuid`) are not stored twice. Late events arrive out of `published` order and are
stored where they belong in time; search and reports order by `published`.

The stored link belongs to the Okta API URL it was read from. After the API URL changes,
the link names the old org, which the client refuses to call; the next round starts over
from `first_read_days` back on the new one and its run says so. An administrator can also
start over from N days back (the Okta visibility page): events already stored stay, and are
not stored twice.
"""

from datetime import datetime, timedelta

import psycopg
from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from querypie_admin import audit

from ..models import AppAssignment, AppSignIn, LogCursor, OktaEvent
from . import partitions
from .base import Reader, okta_time, text

SSO = "user.authentication.sso"
STARTED_OVER = "okta_insights.system_log_started_over"
# One round reads at most this many pages (a million events); the next round goes on.
MAX_PAGES_PER_ROUND = 1000


class CursorMoved(Exception):
    """Another worker stored this page first; this round stops and the next one goes on."""


def collect_system_log(reader: Reader) -> int:
    """Poll until an empty page; the number of new events stored."""
    url = _start_url(reader)
    stored = 0
    for page in range(1, MAX_PAGES_PER_ROUND + 1):
        reader.progress.phase(f"Collecting System Log (page {page})")
        events, next_url = reader.client.fetch_system_log_page(url, page)
        try:
            stored += store_page(url, events, next_url, reader.settings.retention_days)
        except CursorMoved:
            break
        reader.progress.count(len(events))
        if not events:
            break
        url = next_url
    return stored


def _start_url(reader: Reader) -> str:
    """The stored `next` link; the first time (or after a start over), the first request,
    stored before it is sent, so a worker killed during the first page asks the very same
    thing again."""
    api_url = reader.client.base_url
    with transaction.atomic():
        LogCursor.load()
        cursor = LogCursor.objects.select_for_update().get(pk=1)
        if cursor.next_url and cursor.api_url.lower() != api_url.lower():
            _start_over_on_a_new_org(reader, cursor, api_url)
        if not cursor.next_url:
            days = reader.settings.first_read_days
            since = cursor.start_from or timezone.now() - timedelta(days=days)
            cursor.next_url = reader.client.system_log_start(since)
            cursor.api_url, cursor.start_from, cursor.started_at = api_url, None, timezone.now()
            cursor.save(update_fields=["next_url", "api_url", "start_from", "started_at"])
        return cursor.next_url


def _start_over_on_a_new_org(reader: Reader, cursor: LogCursor, api_url: str) -> None:
    """The link names the org of the API URL saved before: forget it, say so in the run."""
    days = reader.settings.first_read_days
    reader.notes.append(
        f"The Okta API URL changed from {cursor.api_url or 'an unrecorded one'} to {api_url}: "
        f"the System Log started over from {days} days back."
    )
    audit.record(
        STARTED_OVER,
        actor=f"Okta collection #{reader.run_id}",
        target_label="Okta System Log",
        detail={"reason": "API URL changed", "from": cursor.api_url, "to": api_url, "days": days},
    )
    cursor.next_url, cursor.start_from = "", None


def start_over(days: int) -> None:
    """The next round reads the System Log again from `days` back; a round polling now
    stops at its next page (its link is no longer the stored one)."""
    with transaction.atomic():
        LogCursor.load()
        LogCursor.objects.filter(pk=1).update(
            next_url="", start_from=timezone.now() - timedelta(days=days)
        )


def store_page(url: str, events: list[dict], next_url: str, retention_days: int) -> int:
    """Store one page and the link after it, atomically; the number of new events.

    `url` must still be the stored link (compare-and-set), so two workers polling at once
    never both advance the cursor.
    """
    cutoff = timezone.now() - timedelta(days=retention_days)
    rows = _new_rows(events, cutoff)
    partitions.ensure_months({partitions.month_of(row.published) for row in rows})
    with transaction.atomic():
        cursor = LogCursor.objects.select_for_update().get(pk=1)
        if cursor.next_url != url:
            raise CursorMoved
        rows = _not_stored_yet(rows)
        _insert(rows)
        _remember_sign_ins(rows)
        cursor.next_url, cursor.polled_at = next_url, timezone.now()
        cursor.save(update_fields=["next_url", "polled_at"])
    return len(rows)


def _new_rows(events: list[dict], cutoff: datetime) -> list[OktaEvent]:
    """One row per uuid (a page may repeat an event), skipping what retention would drop."""
    rows: dict[str, OktaEvent] = {}
    for event in events:
        row = event_row(event)
        if row is not None and row.published >= cutoff:
            rows.setdefault(row.uuid, row)
    return list(rows.values())


def _insert(rows: list[OktaEvent]) -> None:
    """Insert new events (a concurrent duplicate is skipped by the unique key).

    Django's bulk_create quotes every value in Python; on PostgreSQL the rows go to the server
    as bound parameters in one pipeline instead, twice as fast for events of a kilobyte.
    """
    if connection.vendor != "postgresql":
        OktaEvent.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        return
    fields = [f for f in OktaEvent._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = OktaEvent._meta.db_table  # names from the model, values bound below
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) "  # noqa: S608
    values = [
        [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields] for row in rows
    ]
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.executemany(sql + "ON CONFLICT DO NOTHING", values)


def _not_stored_yet(rows: list[OktaEvent]) -> list[OktaEvent]:
    if not rows:
        return rows
    moments = [row.published for row in rows]
    known = set(
        OktaEvent.objects.filter(
            uuid__in=[row.uuid for row in rows],
            published__gte=min(moments),
            published__lte=max(moments),
        ).values_list("uuid", flat=True)
    )
    return [row for row in rows if row.uuid not in known]


def event_row(event: dict) -> OktaEvent | None:
    """An event as stored and searched; the whole event is kept as Okta sent it."""
    published = okta_time(event.get("published"))
    if not isinstance(event.get("uuid"), str) or published is None:
        return None
    actor = event.get("actor") if isinstance(event.get("actor"), dict) else {}
    targets = [t for t in event.get("target") or [] if isinstance(t, dict)]
    outcome = event.get("outcome") if isinstance(event.get("outcome"), dict) else {}
    client = event.get("client") if isinstance(event.get("client"), dict) else {}
    return OktaEvent(
        uuid=event["uuid"][:64],
        published=published,
        event_type=text(event.get("eventType"), 128),
        outcome=text(outcome.get("result"), 32),
        outcome_reason=text(outcome.get("reason"), 255),
        severity=text(event.get("severity"), 16),
        display_message=text(event.get("displayMessage"), 255),
        actor_id=text(actor.get("id"), 64),
        actor_alternate_id=text(actor.get("alternateId"), 255),
        actor_name=text(actor.get("displayName"), 255),
        actor_text=_search_text([actor]),
        target_text=_search_text(targets),
        client_ip=text(client.get("ipAddress"), 64),
        raw=event,
    )


def _search_text(parties: list[dict]) -> str:
    """Lower-case ids, logins and names, `|`-separated, for the contains-search."""
    words = []
    for party in parties:
        words += [str(party.get(k) or "") for k in ("id", "alternateId", "displayName")]
    return " | ".join(w for w in words if w).lower()


def _remember_sign_ins(rows: list[OktaEvent]) -> None:
    """Keep each person's latest successful sign-in to each app (the latest, whatever the
    order events arrive in)."""
    latest: dict[tuple[str, str], datetime] = {}
    for row in rows:
        if row.event_type != SSO or row.outcome != "SUCCESS" or not row.actor_id:
            continue
        for target in row.targets:
            if target.get("type") == "AppInstance" and target.get("id"):
                key = (row.actor_id, str(target["id"])[:32])
                latest[key] = max(latest.get(key, row.published), row.published)
    if not latest:
        return
    known = AppSignIn.objects.filter(
        user_okta_id__in={user for user, _ in latest}, app_okta_id__in={app for _, app in latest}
    ).values_list("user_okta_id", "app_okta_id", "last_at")
    for user_id, app_id, last_at in known:
        if (user_id, app_id) in latest:
            latest[(user_id, app_id)] = max(latest[(user_id, app_id)], last_at)
    AppSignIn.objects.bulk_create(
        [AppSignIn(user_okta_id=u, app_okta_id=a, last_at=at) for (u, a), at in latest.items()],
        update_conflicts=True,
        unique_fields=["user_okta_id", "app_okta_id"],
        update_fields=["last_at"],
    )
    newest = AppSignIn.objects.filter(
        user_okta_id=OuterRef("user_okta_id"), app_okta_id=OuterRef("app_okta_id")
    ).values("last_at")[:1]
    AppAssignment.objects.filter(
        user_okta_id__in={user for user, _ in latest}, app_okta_id__in={app for _, app in latest}
    ).update(last_sign_in=Coalesce(Subquery(newest), F("last_sign_in")))
