"""The Applications page: apps with assignment counts, and who can reach one."""

from django.db.models import Q, QuerySet

from ..models import AppAssignment, OktaApp, OktaGroup
from .access import with_people


def applications(q: str = "", status: str = "") -> QuerySet[OktaApp]:
    apps = OktaApp.objects.all()
    if q:
        apps = apps.filter(Q(label__icontains=q) | Q(name__icontains=q))
    if status:
        apps = apps.filter(status=status)
    return apps.order_by("label", "id")


def reach(app: OktaApp, q: str = "") -> QuerySet[AppAssignment]:
    """Who can reach the app, with how and their last sign-in to it."""
    people = app.assignments.order_by("login", "id")
    if q:
        people = people.filter(login__icontains=q)
    return with_people(people)


def assigned_groups(app: OktaApp) -> list[dict]:
    """The groups assigned to the app, by name (the group id if groups were not read)."""
    rows = list(app.group_assignments.all())
    names = dict(
        OktaGroup.objects.filter(okta_id__in=[r.group_okta_id for r in rows]).values_list(
            "okta_id", "name"
        )
    )
    return [
        {
            "okta_id": r.group_okta_id,
            "name": names.get(r.group_okta_id, r.group_okta_id),
            "priority": r.priority,
            "assigned_at": r.assigned_at,
        }
        for r in rows
    ]
