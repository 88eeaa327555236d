"""The audit log by action: the events that one action wrote (a role mapping change and the
50 roles it changed, a sync run's writes) are one row, with the first of them to expand.

Events share an `action_id` when one directory.Caller wrote them; an event without one is
its own row. Pages count actions, not events, so a 5,000-row sync run is one line on page 1."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Concat, RowNumber

from .audit_details import COUNTED, ROLE_CHANGED, counted, spelled
from .models import AuditEvent

SHOWN = 100  # events listed under an action; the rest are one link away (?action_id=…)


def action_key():
    """The row an event belongs to: its action id, or its own id when it has none."""
    own = Concat(Value("#"), Cast("id", CharField()))
    return Case(When(action_id="", then=own), default=F("action_id"), output_field=CharField())


def by_action(events: QuerySet[AuditEvent]) -> QuerySet:
    """One dict per action (key, last, size, failures), newest first: what the pager pages."""
    return (
        events.order_by()
        .annotate(key=action_key())
        .values("key")
        .annotate(
            last=Max("created_at"),
            last_id=Max("id"),
            size=Count("id"),
            failures=Count("id", filter=Q(outcome="failure")),
        )
        .order_by("-last", "-last_id")
    )


@dataclass
class ActionRow:
    key: str
    last: datetime
    size: int
    failures: int
    events: list[AuditEvent] = field(default_factory=list)  # oldest first, at most SHOWN
    heading: str = ""

    @property
    def lead(self) -> AuditEvent:
        return self.events[0]

    @property
    def action_id(self) -> str:
        return self.lead.action_id

    @property
    def outcome(self) -> str:
        return "failure" if self.failures else "success"

    @property
    def more(self) -> int:
        return self.size - len(self.events)


def rows(page: list[dict], events: QuerySet[AuditEvent]) -> list[ActionRow]:
    """The page's actions with their first events and a heading each, in three queries."""
    found = {r["key"]: ActionRow(r["key"], r["last"], r["size"], r["failures"]) for r in page}
    singles = [int(key[1:]) for key in found if key.startswith("#")]
    shared = [key for key in found if not key.startswith("#")]
    listed = (
        events.filter(Q(pk__in=singles) | Q(action_id__in=shared))
        .annotate(
            key=action_key(),
            rank=Window(
                RowNumber(), partition_by=[action_key()], order_by=[F("created_at"), F("id")]
            ),
        )
        .filter(rank__lte=SHOWN)
        .order_by("created_at", "id")
    )
    for event in listed:
        found[event.key].events.append(event)
    counts = _counts(events, [key for key in shared if found[key].size > 1])
    for row in found.values():
        row.heading = _heading(row, counts.get(row.key, []))
    return [row for row in found.values() if row.events]


def _items():
    """How many rows an event is about: a batch's summary event (`user.created` of "5 users",
    written by directory.batch) says so in its `count`; any other event is about one."""
    summary = Q(action__in=list(COUNTED), detail__has_key="count")
    count = Cast(KT("detail__count"), IntegerField())
    return Case(When(summary, then=count), default=Value(1), output_field=IntegerField())


def _counts(events: QuerySet[AuditEvent], keys: list[str]) -> dict[str, list[tuple]]:
    """Per action: (action, role before, role after, number of rows) of all its events."""
    numbers = (
        events.filter(action_id__in=keys)
        .order_by()
        .values("action_id", "action", before=KT("detail__before"), after=KT("detail__after"))
        .annotate(number=Sum(_items()))
        .order_by("action_id", "action", "before", "after")
    )
    found: dict[str, list[tuple]] = defaultdict(list)
    for n in numbers:
        found[n["action_id"]].append((n["action"], n["before"], n["after"], n["number"]))
    return found


def _heading(row: ActionRow, counts: list[tuple]) -> str:
    """ "Role mapping changed: 50 users demoted": what started the action (when it is not one
    of the counted kinds), then what it did; a lone event is its own action's name."""
    if row.size == 1:
        return spelled(row.lead.action)
    cause = row.lead.action
    if cause in COUNTED or cause == ROLE_CHANGED:
        return ", ".join(counted(counts))
    rest, cause_left = [], True
    for action, before, after, number in counts:
        if cause_left and action == cause:  # the cause itself is the heading, not a count
            number, cause_left = number - 1, False
        rest.append((action, before, after, number))
    done = counted(c for c in rest if c[3] > 0)
    return f"{spelled(cause)}: {', '.join(done)}" if done else spelled(cause)


def one_by_one(events: list[AuditEvent]) -> list[ActionRow]:
    """Each event its own row: the events of one action, listed in full (?action_id=…)."""
    return [
        ActionRow(f"#{e.pk}", e.created_at, 1, int(e.outcome == "failure"), [e], spelled(e.action))
        for e in events
    ]
