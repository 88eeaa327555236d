"""What the guard held: an administrator confirms it (it is applied, after Okta is read
again) or discards it (a missed change is then repaired by the next sync, which has its own
guard). Either acts only on the events the page showed: those up to the newest one listed,
and only while they are exactly as many as the page listed.
"""

from django.db import transaction
from django.utils import timezone

from querypie_admin.audit import actor_label
from querypie_admin.directory import Caller
from querypie_admin.models import Role, User
from querypie_admin.roles import OwnerRequired

from ..models import Effect, EventStatus, HookEvent
from .intake import claim_queue, queue_processing


class HeldChanged(Exception):
    """The held events are no longer those the page showed: nothing was confirmed."""


def _shown(up_to: int, shown: int):
    """The held events the page listed, locked; HeldChanged if others were held since
    (an event committed late with a lower id) or some were confirmed elsewhere."""
    held = HookEvent.objects.select_for_update().filter(status=EventStatus.HELD, pk__lte=up_to)
    if len(held) != shown:
        raise HeldChanged("The held events changed since the page was shown: review them again.")
    return HookEvent.objects.filter(pk__in=[event.pk for event in held])


def confirm(caller: Caller, up_to: int, shown: int) -> int:
    """The held events listed go back to processing, past the guard; returns how many."""
    label = actor_label(caller.actor)
    _check_may_promote(caller, up_to)
    with transaction.atomic():
        held = _shown(up_to, shown)
        count = held.update(status=EventStatus.RECEIVED, confirmed_by_label=label, effect="")
        if count:
            caller.record(
                "event_hook.held_confirmed", target_label="Okta Event Hooks", events=count
            )
            if claim_queue(timezone.now()):
                transaction.on_commit(queue_processing)
    return count


def _check_may_promote(caller: Caller, up_to: int) -> None:
    """A System Admin who could confirm promotions could confirm their own: Owners only.
    (An event held after this check changes the count that _shown binds, so it cannot
    slip in.)"""
    held = HookEvent.objects.filter(status=EventStatus.HELD, pk__lte=up_to)
    if not caller.acts_as_owner and held.filter(effect=Effect.PROMOTE).exists():
        message = "Only an Owner can confirm held events that promote anyone."
        caller.record(
            "event_hook.held_confirmed",
            target_label="Okta Event Hooks",
            outcome="failure",
            reason=message,
        )
        raise OwnerRequired(message)


def confirmed_by_an_owner(events: list[HookEvent]) -> bool:
    """Whether an active Owner confirmed one of these events: only that waives the directory's
    promotion guard when they are applied. A System Admin may confirm held deactivations, and
    Okta may since have changed the user so that applying them promotes: that stays guarded."""
    labels = {event.confirmed_by_label for event in events if event.confirmed_by_label}
    owners = User.objects.filter(login_id__in=labels, role=Role.OWNER, is_active=True)
    return bool(labels) and owners.exists()


def discard(caller: Caller, up_to: int, shown: int) -> int:
    """The held events listed are not applied; returns how many."""
    with transaction.atomic():
        held = _shown(up_to, shown)
        count = held.update(
            status=EventStatus.IGNORED,
            detail=f"Discarded by {actor_label(caller.actor)}: the next sync decides again.",
            effect="",
            processed_at=timezone.now(),
        )
        if count:
            caller.record(
                "event_hook.held_discarded", target_label="Okta Event Hooks", events=count
            )
    return count
