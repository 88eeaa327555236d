"""Reports on access to applications: who can reach app X, assignments nobody uses."""

from datetime import timedelta
from typing import Any

from django import forms
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ..models import (
    AppAssignment,
    CollectionSettings,
    Dataset,
    OktaApp,
    OktaEvent,
    OktaUser,
)
from .base import Outcome, Report, Row, register


def with_people(assignments: QuerySet) -> QuerySet:
    """Assignments with the person's name (per page: the subqueries run only for the rows
    shown)."""
    name = OktaUser.objects.filter(okta_id=OuterRef("user_okta_id"))
    return assignments.select_related("app").annotate(
        first_name=Subquery(name.values("first_name")[:1]),
        last_name=Subquery(name.values("last_name")[:1]),
    )


def assignment_row(item: AppAssignment) -> Row:
    return {
        "app": item.app.label,
        "login": item.login,
        "name": f"{item.first_name or ''} {item.last_name or ''}".strip(),
        "how": "Directly" if item.is_direct else f"Through group {item.group_name or '?'}",
        "assigned_at": item.assigned_at,
        "last_sign_in": item.last_sign_in,
    }


class AppForm(forms.Form):
    app = forms.ModelChoiceField(
        label="Application", queryset=OktaApp.objects.order_by("label"), empty_label=None
    )


@register
class AppAccess(Report):
    slug = "app-access"
    title = "Who can reach an application"
    description = "Everyone who can reach the application, directly or through which group."
    datasets = (Dataset.APPLICATIONS,)
    columns = [
        ("app", "Application"),
        ("login", "Login"),
        ("name", "Name"),
        ("how", "How"),
        ("assigned_at", "Assigned"),
        ("last_sign_in", "Last sign-in to it"),
    ]
    form_class = AppForm

    def initial(self) -> dict[str, Any]:
        first = OktaApp.objects.order_by("label").values_list("pk", flat=True).first()
        return {"app": first} if first else {}

    def query(self, params: dict[str, Any], settings: CollectionSettings) -> Outcome:
        assignments = AppAssignment.objects.filter(app=params["app"]).order_by("login", "id")
        return Outcome(rows=with_people(assignments))

    def row(self, item: AppAssignment) -> Row:
        return assignment_row(item)


class UnusedForm(forms.Form):
    days = forms.IntegerField(label="Days", min_value=1, max_value=3650)
    app = forms.ModelChoiceField(
        label="Application",
        queryset=OktaApp.objects.order_by("label"),
        required=False,
        empty_label="Every application",
    )


@register
class UnusedAssignments(Report):
    slug = "unused-assignments"
    title = "Unused assignments"
    description = (
        "People assigned to an application for more than N days who have not signed in to it "
        "through Okta in that time (user.authentication.sso events)."
    )
    datasets = (Dataset.APPLICATIONS, Dataset.SYSTEM_LOG)
    columns = AppAccess.columns
    form_class = UnusedForm

    def initial(self) -> dict[str, Any]:
        return {"days": CollectionSettings.load().unused_after_days}

    def query(self, params: dict[str, Any], settings: CollectionSettings) -> Outcome:
        cutoff = timezone.now() - timedelta(days=params["days"])
        unused = AppAssignment.objects.filter(
            Q(assigned_at__lt=cutoff) | Q(assigned_at__isnull=True),
            Q(last_sign_in__lt=cutoff) | Q(last_sign_in__isnull=True),
        )
        if params.get("app"):
            unused = unused.filter(app=params["app"])
        rows = with_people(unused.order_by("app__label", "login", "id"))
        return Outcome(rows=rows, notes=_coverage_note(cutoff))

    def row(self, item: AppAssignment) -> Row:
        return assignment_row(item)


def _coverage_note(cutoff) -> list[str]:
    """Sign-ins older than the oldest stored event are unknown: say so."""
    oldest = OktaEvent.objects.order_by("published").values_list("published", flat=True).first()
    if oldest is None or oldest <= cutoff:
        return []
    since = timezone.localtime(oldest).strftime("%Y-%m-%d %H:%M")
    return [f"The System Log here starts on {since}: sign-ins before that are not known."]
