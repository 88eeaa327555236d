"""The sync's guard, for events that arrive one at a time: a burst that would deactivate
more than the sync's threshold share of the synced users, or promote more users to an
administrator role than the role mappings allow at once, is held for confirmation.

Okta sends a mass deactivation as one event per user, over seconds, so the guard counts
within a sliding window (WINDOW): the deactivations (and promotions) hooks applied or held
in it, plus the one at hand. Those under the limit are applied as they come; from the one
that would pass it, every further deactivation or promotion is held until an administrator
confirms or discards what is held, listed on the settings panel with "Confirm and apply"
(which re-reads Okta first). The share is of the active users the
sync links, counted with the ones deactivated in the window, so it does not shrink as the
burst goes on.
"""

from datetime import timedelta

from django.utils import timezone

from okta.models import OktaOrg
from querypie_admin.models import DirectoryLink, LinkSource, RoleMappingSettings

from ..models import Effect, EventStatus, HookEvent

WINDOW = timedelta(minutes=10)
WINDOW_TEXT = "10 minutes"


class Guard:
    """Counts for one processing batch; `check` then `count` each planned change."""

    def __init__(self) -> None:
        recent = HookEvent.objects.filter(
            processed_at__gte=timezone.now() - WINDOW,
            status__in=(EventStatus.APPLIED, EventStatus.HELD),
        )
        deactivated = recent.filter(effect=Effect.DEACTIVATE)
        self.deactivations = deactivated.count()
        active = DirectoryLink.objects.filter(
            source=LinkSource.OKTA_SYNC, user__isnull=False, user__is_active=True
        ).count()
        self.population = active + deactivated.filter(status=EventStatus.APPLIED).count()
        self.promotions = recent.filter(effect=Effect.PROMOTE).count()
        # Once something is held, every later deactivation or promotion waits with it,
        # as a held sync run holds the runs after it: a burst cannot trickle past the
        # guard at the threshold's rate, window after window.
        self.holding = HookEvent.objects.filter(status=EventStatus.HELD).exists()
        self.threshold = OktaOrg.load().deactivation_threshold
        self.promotion_limit = RoleMappingSettings.load().promotion_threshold

    def hold_reason(self, deactivates: bool, promotes: bool) -> str:
        """Why this change must wait for confirmation, or "" when it may be applied."""
        if self.holding and (deactivates or promotes):
            return (
                "Held: earlier changes from event hooks wait for confirmation, and this one "
                "waits with them. Confirm to apply."
            )
        reason = self._over_limit(deactivates, promotes)
        self.holding = bool(reason)
        return reason

    def _over_limit(self, deactivates: bool, promotes: bool) -> str:
        if deactivates:
            count = self.deactivations + 1
            if count * 100 > self.threshold * max(self.population, 1):
                return (
                    f"Held: with it, event hooks would deactivate {count} of the "
                    f"{self.population} synced users within {WINDOW_TEXT}, more than the "
                    f"{self.threshold}% threshold. Confirm to apply."
                )
        if promotes and self.promotions + 1 > self.promotion_limit:
            return (
                f"Held: with it, event hooks would promote {self.promotions + 1} users to an "
                f"administrator role within {WINDOW_TEXT}, more than the "
                f"{self.promotion_limit} allowed at once. Confirm to apply."
            )
        return ""

    def count(self, deactivates: bool, promotes: bool) -> None:
        self.deactivations += deactivates
        self.promotions += promotes


def effect_of(deactivates: bool, promotes: bool) -> str:
    """The one effect a change is counted as; a deactivation outweighs a promotion."""
    if deactivates:
        return Effect.DEACTIVATE
    return Effect.PROMOTE if promotes else Effect.NONE
