"""Privilege changes over a period: admin roles granted or removed, from the System Log."""

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from querypie_admin.forms import DateRangeForm

from ..models import CollectionSettings, Dataset, OktaEvent
from .base import Outcome, Report, Row, register

GRANTS = ("user.account.privilege.grant", "group.privilege.grant")
REVOKES = ("user.account.privilege.revoke", "group.privilege.revoke")


class PeriodForm(DateRangeForm):
    since = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))


def day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@register
class PrivilegeChanges(Report):
    slug = "privilege-changes"
    title = "Privilege changes"
    description = "Admin roles granted to or removed from people and groups in a period."
    datasets = (Dataset.SYSTEM_LOG,)
    columns = [
        ("published", "When"),
        ("change", "Change"),
        ("role", "Role"),
        ("target", "To"),
        ("actor", "By"),
    ]
    form_class = PeriodForm

    def initial(self) -> dict[str, Any]:
        today = timezone.localdate()
        return {"since": today - timedelta(days=30), "until": today}

    def query(self, params: dict[str, Any], settings: CollectionSettings) -> Outcome:
        events = OktaEvent.objects.filter(
            event_type__in=GRANTS + REVOKES,
            published__gte=day_start(params["since"]),
            published__lt=day_start(params["until"] + timedelta(days=1)),
        )
        return Outcome(rows=events.order_by("-published", "-id"))

    def row(self, item: OktaEvent) -> Row:
        granted = item.event_type in GRANTS
        debug = (item.raw.get("debugContext") or {}).get("debugData") or {}
        target = item.targets[0] if item.targets else {}
        return {
            "published": item.published,
            "change": "Granted" if granted else "Removed",
            "role": debug.get("privilegeGranted" if granted else "privilegeRevoked") or "",
            "target": target.get("alternateId")
            if target.get("type") == "User"
            else target.get("displayName") or "",
            "actor": item.actor_alternate_id or item.actor_name,
        }
