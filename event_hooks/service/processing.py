"""Processing of received events, in a Celery task: one processor at a time, in order.

Each event is a hint. The events of a batch are grouped by the user or group they name
(groups first, so a user's new group exists before they join it), and each target is
re-read from Okta once and brought to Okta's current state: an old, repeated or
out-of-order event cannot undo a newer state, since it is Okta's state, read now, that is
applied. The writes go through the directory with the sync's link source and guards.

One processor at a time (a lease row), so two re-reads of one user never cross: a task
that finds the lease taken leaves the `queued_at` mark, and the processor looks at it
once more after letting the lease go. The lease lasts OKTA_RUN_DEAD_AFTER_SECONDS and the
processor's heartbeat (okta.runs) renews it every few seconds, even during a long re-read
(a rate-limit wait): a killed processor frees it within a minute, a live one never loses it.
"""

import logging
from collections import Counter
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from okta.errors import OktaError
from okta.runs import Heartbeat, dead_after
from querypie_admin.directory import Caller, DirectoryConflict, DirectoryInvalid, Refused

from ..catalog import BY_NAME, GROUP
from ..models import FINAL, EventStatus, HookCounters, HookEvent, HookSettings
from . import held
from .groups import apply_group
from .guard import Guard
from .okta import NotAnId, NotReady, Reader, open_reader
from .outcome import Outcome
from .users import apply_user

logger = logging.getLogger(__name__)

HOOK_ACTOR = "Okta Event Hook"
CHUNK = 200
RETENTION = timedelta(days=30)
# Failures that every further call would meet too: the rest of the batch fails at once.
ORG_WIDE = {"invalid_token", "permission", "unknown_host", "tls", "connection_refused",
            "connection", "timeout", "rate_limited"}  # fmt: skip
SUPERSEDED = "Superseded: a later event re-read Okta and applied its state."
Target = tuple[str, str]  # (USER or GROUP, Okta id)


def hook_caller() -> Caller:
    """A hook acts for the Okta API sync: same source, same link, its own name in the log."""
    return Caller.okta_sync(HOOK_ACTOR)


def process_pending() -> dict[str, int]:
    """Process every received event; returns how many ended in each status."""
    HookCounters.load()
    done: Counter = Counter()
    while _acquire_lease():
        held = HookCounters.objects.filter(pk=1, lease_until__isnull=False)
        try:
            with Heartbeat(held, lambda now: {"lease_until": now + dead_after()}):
                done += _drain()
        finally:
            HookCounters.objects.filter(pk=1).update(lease_until=None)
        if not HookCounters.objects.filter(pk=1, queued_at__isnull=False).exists():
            break
    HookEvent.objects.filter(status__in=FINAL, received_at__lt=timezone.now() - RETENTION).delete()
    return dict(done)


def _acquire_lease() -> bool:
    now = timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    return bool(HookCounters.objects.filter(free, pk=1).update(lease_until=now + dead_after()))


def _renew_lease() -> None:
    HookCounters.objects.filter(pk=1).update(lease_until=timezone.now() + dead_after())


def _drain() -> Counter:
    done: Counter = Counter()
    while True:
        HookCounters.objects.filter(pk=1).update(
            queued_at=None, lease_until=timezone.now() + dead_after()
        )
        events = list(HookEvent.objects.filter(status=EventStatus.RECEIVED).order_by("id")[:CHUNK])
        if not events:
            HookCounters.objects.filter(pk=1).update(last_processed_at=timezone.now())
            return done
        done += _process_batch(events)


def _process_batch(events: list[HookEvent]) -> Counter:
    """One re-read per user or group the events name, with one Okta client."""
    targets, done = _targets(events)
    if not targets:
        return done
    try:
        reader = open_reader()
    except NotReady as exc:
        outcome = Outcome(exc.status, str(exc))
        for found in targets.values():
            done[_settle(found, outcome)] += len(found)
        return done
    try:
        done += _process_targets(reader, targets)
    finally:
        reader.close()
    return done


def _targets(events: list[HookEvent]) -> tuple[dict[Target, list[HookEvent]], Counter]:
    """The events grouped by the user or group they name; the others settled as ignored."""
    subscribed = set(HookSettings.load().event_types)
    targets: dict[Target, list[HookEvent]] = {}
    done: Counter = Counter()
    for event in events:
        known = BY_NAME.get(event.event_type)
        target_id = getattr(event, _field(known.kind)) if known else ""
        if known is None:
            reason = f"The console does not act on {event.event_type} events."
        elif event.event_type not in subscribed and not event.confirmed_by_label:
            reason = "Not one of the event types this console subscribes to."
        elif not target_id:
            reason = f"The event names no {'group' if known.kind == GROUP else 'user'}."
        else:
            targets.setdefault((known.kind, target_id), []).append(event)
            continue
        done[_settle([event], Outcome.ignored(reason))] += 1
    groups_first = sorted(targets.items(), key=lambda item: (item[0][0] != GROUP, item[1][0].pk))
    return dict(groups_first), done


def _field(kind: str) -> str:
    """The event's column that names a target of this kind."""
    return "okta_group_id" if kind == GROUP else "okta_user_id"


def _process_targets(reader: Reader, targets: dict[Target, list[HookEvent]]) -> Counter:
    guard, caller, done = Guard(), hook_caller(), Counter()
    subscribed = set(HookSettings.load().event_types)
    stop: Outcome | None = None
    for target, found in targets.items():
        events = found if stop else _sweep(target, found, subscribed)
        outcome = stop or _one(reader, caller, guard, target, events)
        if outcome.stops:
            stop = outcome  # the token, the network or the rate limit: every call would fail
        done[_settle(events, outcome, target)] += len(events)
        _renew_lease()
    return done


def _sweep(target: Target, events: list[HookEvent], subscribed: set[str]) -> list[HookEvent]:
    """The target's events, with those received since the batch began (a burst names the
    same users again and again): all stored before the re-read, so it answers them all."""
    kind, okta_id = target
    types = [name for name, known in BY_NAME.items() if known.kind == kind and name in subscribed]
    later = HookEvent.objects.filter(status=EventStatus.RECEIVED, event_type__in=types)
    later = later.filter(**{_field(kind): okta_id}).exclude(pk__in=[event.pk for event in events])
    return events + list(later.order_by("id"))


def _one(reader: Reader, caller: Caller, guard: Guard, target: Target, events: list) -> Outcome:
    kind, okta_id = target
    newest = events[-1]
    cause = {"hook_event": newest.uuid, "event_type": newest.event_type}
    try:
        if kind == GROUP:
            return apply_group(reader, caller, okta_id, cause)
        waived = any(event.confirmed_by_label for event in events)
        by_owner = held.confirmed_by_an_owner(events)
        return apply_user(
            reader, caller, okta_id, guard, waived=waived, owner_confirmed=by_owner, cause=cause
        )
    except NotAnId as exc:
        return Outcome.ignored(str(exc))
    except Refused as refusal:
        refusal.record()
        return Outcome.failed(f"Refused: {refusal}")
    except (DirectoryConflict, DirectoryInvalid) as exc:
        return Outcome.failed(str(exc))
    except OktaError as exc:
        return Outcome.failed(f"Okta: {exc.user_message}", stops=exc.kind in ORG_WIDE)
    except Exception:  # noqa: BLE001 - one bad target must not stop the others
        logger.exception("Processing the Okta event hook events for %s %s failed", kind, okta_id)
        return Outcome.failed("Unexpected error; the server log has the details.")


def _settle(events: list[HookEvent], outcome: Outcome, target: Target | None = None) -> str:
    """Write the outcome on the target's events; the change the guard counts goes on the
    newest. A target applied now makes its older held events moot."""
    ids = [event.pk for event in events]
    now = timezone.now()
    HookEvent.objects.filter(pk__in=ids).update(
        status=outcome.status, detail=outcome.detail[:2000], processed_at=now, effect=""
    )
    if outcome.effect:
        HookEvent.objects.filter(pk=ids[-1]).update(effect=outcome.effect)
    if target and outcome.status == EventStatus.APPLIED:
        held = HookEvent.objects.filter(status=EventStatus.HELD, **{_field(target[0]): target[1]})
        held.exclude(pk__in=ids).update(status=EventStatus.APPLIED, detail=SUPERSEDED, effect="")
    return outcome.status
