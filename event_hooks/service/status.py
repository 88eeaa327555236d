"""What the settings panel shows of the hook's life: counters, events by status, the held
events waiting for confirmation, recent failures and recent events."""

from dataclasses import dataclass

from django.db.models import Count

from ..models import EventStatus, HookCounters, HookEvent

HELD_SHOWN = 200
RECENT = 20


@dataclass(frozen=True)
class HookStatus:
    counters: HookCounters
    by_status: dict[str, int]
    held: list[HookEvent]
    held_total: int
    failures: list[HookEvent]
    recent: list[HookEvent]

    @property
    def held_up_to(self) -> int:
        """The newest held event shown: what Confirm and Discard act on, not beyond."""
        return max((event.pk for event in self.held), default=0)

    def count(self, status: str) -> int:
        return self.by_status.get(status, 0)

    @property
    def figures(self) -> list[tuple[str, int]]:
        counters = self.counters
        return [
            ("Deliveries", counters.deliveries),
            ("Events received", counters.events_received),
            ("Duplicates", counters.duplicates),
            ("Applied", self.count(EventStatus.APPLIED)),
            ("Held", self.count(EventStatus.HELD)),
            ("Ignored", self.count(EventStatus.IGNORED)),
            ("Failed", self.count(EventStatus.FAILED)),
            ("Waiting", self.count(EventStatus.RECEIVED)),
        ]


def hook_status() -> HookStatus:
    by_status = dict(HookEvent.objects.values_list("status").annotate(n=Count("id")).order_by())
    held = HookEvent.objects.filter(status=EventStatus.HELD).order_by("id")
    return HookStatus(
        counters=HookCounters.load(),
        by_status=by_status,
        held=list(held[:HELD_SHOWN]),
        held_total=by_status.get(EventStatus.HELD, 0),
        failures=list(HookEvent.objects.filter(status=EventStatus.FAILED).order_by("-id")[:10]),
        recent=list(HookEvent.objects.order_by("-id")[:RECENT]),
    )
