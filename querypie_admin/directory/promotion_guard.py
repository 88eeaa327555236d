"""The promotion guard for roles granted outside a sync run's plan (docs/ROLE_MAPPING.md).

A sync run shows its promotions in its plan and waits for confirmation past the threshold;
a mapping change does the same on the Authentication page. Every other way an integration
learns memberships (a SCIM group push or PATCH, a SAML sign-in's `groups`, an Event Hook, a
recompute after a run's writes) would otherwise promote at once, one request at a time.
Here, in one place, such a promotion:

- to Owner is always held: an Owner confirms it on the user's page;
- to System Admin is written while the promotions from outside a plan within WINDOW (those
  written and those held) stay within RoleMappingSettings.promotion_threshold; past it, it
  is held too.

A held promotion is kept as a HeldPromotion (the latest decision per user) and audited as
a failed `user.role_changed`; a later decision that no longer promotes the user drops it.
"""

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from ..models import AuditEvent, HeldPromotion, Role, RoleMappingSettings, User
from .caller import Caller

if TYPE_CHECKING:  # roles applies its changes through this module
    from .roles import RoleChange

WINDOW = timedelta(minutes=10)
WINDOW_TEXT = "10 minutes"
OUTSIDE_PLAN = "outside_plan"  # the audit detail key marking a promotion this guard let by
TO_OWNER = "A promotion to Owner from an integration waits for an Owner to confirm it."


def over_threshold(threshold: int) -> str:
    return (
        f"More than {threshold} promotions to an administrator role from outside a sync "
        f"run's plan within {WINDOW_TEXT}: this one waits for an Owner to confirm it."
    )


def split(
    caller: Caller, changes: list["RoleChange"], user_ids: Iterable[int]
) -> tuple[list["RoleChange"], list[tuple["RoleChange", str]]]:
    """The changes to write now and the (change, reason) to hold, for changes decided for
    `user_ids`; their earlier held promotions are settled by this newer decision."""
    ids = set(user_ids) | {change.user_id for change in changes}
    promotions = [c for c in changes if c.is_promotion]
    earlier = {held.user_id: held for held in HeldPromotion.objects.filter(user_id__in=ids)}
    if not promotions:
        HeldPromotion.objects.filter(pk__in=[held.pk for held in earlier.values()]).delete()
        return changes, []
    threshold = RoleMappingSettings.load().promotion_threshold
    counted = _recent(exclude=set(earlier))
    held = []
    for change in promotions:
        if change.after == Role.OWNER:
            held.append((change, TO_OWNER))
        elif counted >= threshold:
            held.append((change, over_threshold(threshold)))
        else:
            counted += 1
    holding = {change.user_id for change, _ in held}
    stale = [h.pk for pk, h in earlier.items() if pk not in holding]
    HeldPromotion.objects.filter(pk__in=stale).delete()
    for change, reason in held:
        _keep(caller, change, reason, earlier.get(change.user_id))
    return [c for c in changes if c.user_id not in holding], held


def _recent(exclude: set[int]) -> int:
    """Promotions from outside a plan within WINDOW: written (audited) and held."""
    since = timezone.now() - WINDOW
    written = AuditEvent.objects.filter(
        action="user.role_changed",
        outcome="success",
        created_at__gte=since,
        **{f"detail__{OUTSIDE_PLAN}": True},
    ).count()
    held = HeldPromotion.objects.filter(held_at__gte=since).exclude(user_id__in=exclude)
    return written + held.count()


def _keep(caller: Caller, change: "RoleChange", reason: str, earlier: HeldPromotion | None) -> None:
    wanted = (change.before, change.after, list(change.groups))
    if earlier is not None and (earlier.before, earlier.role, earlier.okta_groups) == wanted:
        return  # the same promotion asked again: held and audited already
    HeldPromotion.objects.update_or_create(
        user_id=change.user_id,
        defaults={
            "before": change.before,
            "role": change.after,
            "okta_groups": list(change.groups),
            "source": caller.source.value,
            "reason": reason[:255],
        },
    )
    caller.record(
        "user.role_changed",
        target=User(pk=change.user_id, login_id=change.login_id),
        outcome="failure",
        reason=reason,
        before=change.before,
        after=change.after,
        okta_groups=list(change.groups),
        held=True,
    )
