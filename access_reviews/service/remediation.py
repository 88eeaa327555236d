"""Remediation of revocations: every revoked item gets a `Remediation` row (planned at once
or when the campaign closes), shown as a dry run listing each call, then confirmed.

A plan that would remove more than `campaign.guard_percent` of one application's people is
HELD: its rows wait for a second confirmation naming their count. Demoting a console Owner or
System Admin needs an Owner. Without a write-scoped Okta token the Okta rows are manual tasks
(service.execution keeps the CSV and "mark done"). The calls themselves run in a Celery task
(tasks.execute_remediations -> service.execution); the next Okta collection verifies them
(service.verification)."""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from okta.models import OktaOrg
from okta_insights.models import AppGroupAssignment, OktaApp
from querypie_admin import audit
from querypie_admin.models import ADMIN_ROLES, Role, RoleMapping, User
from querypie_admin.roles import OwnerRequired

from ..models import (
    AccessKind,
    Campaign,
    Decision,
    RemediationTiming,
    ReviewItem,
)
from ..models import Remediation as Row
from ..models import RemediationAction as Action
from ..models import RemediationStatus as Status

OKTA_ACTIONS = (Action.REMOVE_APP_ASSIGNMENT, Action.REMOVE_FROM_GROUP, Action.UNASSIGN_ADMIN_ROLE)
WAITING = (Status.PLANNED, Status.HELD)


class RemediationError(ValueError):
    """A remediation step the rules refuse; the message is shown as it is."""


def on_revoked(item: ReviewItem) -> None:
    """Called inside the decision's transaction for a revoked item; plans the removal at
    once when the campaign removes access at once."""
    on_revoked_many(item.campaign, [item])


def on_revoked_many(campaign: Campaign, items: list[ReviewItem]) -> None:
    """The same for the items of one bulk decision: one check, one insert, one audit entry
    (a per-item call would read the campaign 10,000 times for a bulk of 10,000)."""
    if campaign.remediation_timing == RemediationTiming.AT_ONCE:
        _plan(items, campaign, audit_actor=None)


def plan_campaign(campaign: Campaign) -> None:
    """Called inside the closing transaction: every revoked item without a plan gets one."""
    items = ReviewItem.objects.filter(
        campaign=campaign, decision=Decision.REVOKE, remediation__isnull=True
    ).select_related("person")
    _plan(list(items), campaign, audit_actor=None)


def action_for(item: ReviewItem) -> str:
    """What removes this access: a direct assignment or role is removed itself; access
    through a group is removed by taking the person out of that group."""
    if item.access_kind == AccessKind.CONSOLE_ROLE:
        return Action.DEMOTE_CONSOLE_ROLE
    if item.access_kind == AccessKind.GROUP or item.via_group_okta_id:
        return Action.REMOVE_FROM_GROUP
    if item.access_kind == AccessKind.ADMIN_ROLE:
        return Action.UNASSIGN_ADMIN_ROLE
    return Action.REMOVE_APP_ASSIGNMENT


def has_write_token() -> bool:
    org = OktaOrg.load()
    return bool(org.api_url and org.write_token_encrypted)


def _plan(items: list[ReviewItem], campaign: Campaign, *, audit_actor: User | None) -> None:
    manual = not has_write_token()
    rows = []
    for item in items:
        action = action_for(item)
        status = Status.MANUAL if manual and action in OKTA_ACTIONS else Status.PLANNED
        rows.append(Row(item=item, action=action, status=status))
    if not rows:
        return
    Row.objects.bulk_create(rows, ignore_conflicts=True)
    audit.record(
        "access_review.remediation_planned",
        actor=audit_actor or "Access review",
        target=campaign,
        detail={
            "rows": len(rows),
            "manual": manual,
            "actions": dict(Counter(r.action for r in rows)),
        },
    )


# The dry run -------------------------------------------------------------------------------


@dataclass
class PlannedCall:
    """One line of the dry run: the call (or console change) and what else it takes away."""

    row: Row
    call: str
    also_removes: list[str] = field(default_factory=list)
    guarded: bool = False


@dataclass
class DryRun:
    calls: list[PlannedCall]
    guarded_apps: dict[str, tuple[int, int]]  # app label -> (removed, people)
    needs_owner: bool

    @property
    def guarded_count(self) -> int:
        return sum(1 for call in self.calls if call.guarded)


def call_of(row: Row) -> str:
    """The request (or console change) a row makes, as the dry run and the CSV show it."""
    item = row.item
    user, group = item.person_okta_id, item.via_group_okta_id or item.access_id
    if row.action == Action.REMOVE_APP_ASSIGNMENT:
        return f"DELETE /api/v1/apps/{item.access_id}/users/{user}"
    if row.action == Action.REMOVE_FROM_GROUP:
        return f"DELETE /api/v1/groups/{group}/users/{user}"
    if row.action == Action.UNASSIGN_ADMIN_ROLE:
        return f"DELETE /api/v1/users/{user}/roles/{item.assignment_id}"
    return f"Console: demote {item.person_login} to User"


def dry_run(campaign: Campaign) -> DryRun:
    """Every waiting row with its call, what else a group removal takes away, and the guard."""
    # Once a write token is saved, open manual tasks become calls too.
    waiting = (*WAITING, Status.MANUAL) if has_write_token() else WAITING
    rows = list(
        Row.objects.filter(item__campaign=campaign, status__in=waiting)
        .select_related("item", "item__person")
        .order_by("id")
    )
    guarded = _guarded_apps(campaign, rows)
    also = _group_grants(
        {
            r.item.via_group_okta_id or r.item.access_id
            for r in rows
            if r.action == Action.REMOVE_FROM_GROUP
        }
    )
    calls = [
        PlannedCall(
            row,
            call_of(row),
            also.get(row.item.via_group_okta_id or row.item.access_id, [])
            if row.action == Action.REMOVE_FROM_GROUP
            else [],
            row.item.access_kind == AccessKind.APP and row.item.access_label in guarded,
        )
        for row in rows
    ]
    mapped = set(RoleMapping.objects.values_list("okta_group_id", flat=True))
    return DryRun(calls, guarded, any(_demotes_admin(r, mapped) for r in rows))


def _guarded_apps(campaign: Campaign, rows: list[Row]) -> dict[str, tuple[int, int]]:
    """Applications this plan would take more than the guard's share of people from. An
    application's people: as collected (OktaApp.users_count), else the campaign's items."""
    removed = Counter(r.item.access_id for r in rows if r.item.access_kind == AccessKind.APP)
    if not removed:
        return {}
    collected = dict(
        OktaApp.objects.filter(okta_id__in=removed).values_list("okta_id", "users_count")
    )
    in_campaign = Counter(
        ReviewItem.objects.filter(
            campaign=campaign, access_kind=AccessKind.APP, access_id__in=removed
        ).values_list("access_id", flat=True)
    )
    labels = {r.item.access_id: r.item.access_label for r in rows}
    guarded = {}
    for app_id, count in removed.items():
        people = collected.get(app_id) or in_campaign[app_id]
        if people and count * 100 > campaign.guard_percent * people:
            guarded[labels[app_id]] = (count, people)
    return guarded


def _group_grants(group_ids: set[str]) -> dict[str, list[str]]:
    """What else each group grants: the applications it is assigned to, the console role it
    maps to."""
    grants: dict[str, list[str]] = {}
    assigned = AppGroupAssignment.objects.filter(group_okta_id__in=group_ids).select_related("app")
    for assignment in assigned.order_by("app__label"):
        grants.setdefault(assignment.group_okta_id, []).append(f"App: {assignment.app.label}")
    for mapping in RoleMapping.objects.filter(okta_group_id__in=group_ids):
        grants.setdefault(mapping.okta_group_id, []).append(
            f"Console role: {mapping.get_role_display()}"
        )
    return grants


def _demotes_admin(row: Row, mapped_groups: set[str]) -> bool:
    """Whether the row takes a console Owner's or System Admin's role: demoting it here, or
    removing them in Okta from a group a role mapping names (the next sync or hook would
    demote them), so a System Admin's campaign cannot take an Owner's role either way."""
    person = row.item.person
    if person is None or person.role not in ADMIN_ROLES:
        return False
    if row.action == Action.DEMOTE_CONSOLE_ROLE:
        return True
    group = row.item.via_group_okta_id or row.item.access_id
    return row.action == Action.REMOVE_FROM_GROUP and group in mapped_groups


# Confirmation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Confirmed:
    queued: list[int]
    held: int


def confirm(campaign: Campaign, actor: User, typed_count: str = "") -> Confirmed:
    """Confirm the dry run: rows outside a guarded application are queued at once; rows of a
    guarded one are HELD until a second confirmation types their count. The caller enqueues
    tasks.execute_remediations with the queued ids after the commit."""
    with transaction.atomic():
        Campaign.objects.select_for_update().get(pk=campaign.pk)
        plan = dry_run(campaign)
        if plan.needs_owner and actor.role != Role.OWNER:
            raise OwnerRequired(
                "Demoting a console Owner or System Admin, or removing one from a group a role"
                " mapping names, needs an Owner."
            )
        second = typed_count.strip() == str(plan.guarded_count) and plan.guarded_count > 0
        queued, held = [], []
        for call in plan.calls:
            (held if call.guarded and not second else queued).append(call.row.pk)
        Row.objects.filter(pk__in=held).update(status=Status.HELD)
        Row.objects.filter(pk__in=queued).update(status=Status.PLANNED, confirmed_by=actor)
        if typed_count.strip() and not second:
            raise RemediationError(
                f"Type {plan.guarded_count}, the number of held removals, to confirm them."
            )
    return Confirmed(queued, len(held))
