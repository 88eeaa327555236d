"""Confirming a run the guard held: once, within an hour, the newest only, bound to its plan.

The confirmation does not write the held plan (Okta may have changed since): it starts a new
run that re-reads Okta and writes only if its destructive changes are within the held ones
(see runs._hold_message). The console's "Confirm and synchronize" and
`okta_sync run --confirm-deactivations RUN_ID` both come here.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from querypie_admin import audit
from querypie_admin.directory import Caller
from querypie_admin.models import User
from querypie_admin.roles import OwnerRequired

from ..models import CONFIRM_WITHIN, RunKind, RunMode, RunStatus, SyncRun
from .runs import start_saved_run


class ConfirmationRefused(Exception):
    """This run cannot be confirmed; the message says why, in the product's words."""


def confirm_held_run(caller: Caller, held_id: int) -> SyncRun:
    """Mark the held run confirmed and queue the run that confirms it; both or neither.

    Raises ConfirmationRefused (audited), and SyncAlreadyRunning / SyncNotConfigured.
    """
    try:
        return _confirm(caller, held_id)
    except ConfirmationRefused as exc:
        caller.record(
            "okta_sync.run_confirmed",
            target_label=f"Okta synchronization #{held_id}",
            outcome="failure",
            held_run=held_id,
            reason=str(exc),
        )
        raise


def _confirm(caller: Caller, held_id: int) -> SyncRun:
    held = SyncRun.objects.filter(pk=held_id).first()
    if held is None:
        raise ConfirmationRefused(f"There is no synchronization #{held_id}.")
    now = timezone.now()
    refusal = held.confirmation_refusal(now)
    if refusal:
        raise ConfirmationRefused(refusal)
    _check_may_promote(caller, held)
    user = caller.actor if isinstance(caller.actor, User) else None
    label = audit.actor_label(caller.actor)
    with transaction.atomic():
        if not _claim(held, user, label, now):
            held.refresh_from_db()
            raise ConfirmationRefused(
                held.confirmation_refusal(now) or "This plan can no longer be confirmed."
            )
        run = start_saved_run(
            RunKind.MANUAL,
            started_by=user,
            label=label,
            full=held.mode == RunMode.FULL,
            confirms=held,
        )
        caller.record(
            "okta_sync.run_confirmed",
            target=held,
            target_label=f"Okta synchronization #{held.pk}",
            held_run=held.pk,
            confirming_run=run.pk,
            held_counts=held.held_counts,
        )
    return run


def _check_may_promote(caller: Caller, held: SyncRun) -> None:
    """A System Admin who could confirm promotions could confirm their own: Owners only."""
    if held.held_counts.get("roles_promote") and not caller.acts_as_owner:
        message = "Only an Owner can confirm a synchronization that promotes anyone."
        caller.record(
            "okta_sync.run_confirmed",
            target=held,
            target_label=f"Okta synchronization #{held.pk}",
            outcome="failure",
            held_run=held.pk,
            reason=message,
        )
        raise OwnerRequired(message)


def _claim(held: SyncRun, user: User | None, label: str, now: datetime) -> bool:
    """One conditional UPDATE, so two confirmations at once cannot both pass."""
    newer = SyncRun.objects.filter(pk__gt=OuterRef("pk")).exclude(kind=RunKind.DRY_RUN)
    claimed = (
        SyncRun.objects.filter(
            pk=held.pk,
            status=RunStatus.NEEDS_CONFIRMATION,
            confirmed_at__isnull=True,
            finished_at__gte=now - CONFIRM_WITHIN,
        )
        .exclude(kind=RunKind.DRY_RUN)
        .filter(~Exists(newer))
        .update(confirmed_at=now, confirmed_by=user, confirmed_by_label=label)
    )
    return claimed == 1
