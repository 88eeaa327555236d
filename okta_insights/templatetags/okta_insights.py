"""Template helpers of the Okta visibility pages, and the section of a user's page."""

import json
from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone

from ..collect.permissions import dataset_states
from ..reports import labels
from ..reports.people import user_section
from ..reports.states import needs_collection

register = template.Library()


@register.filter
def sign_on_mode(code: str) -> str:
    return labels.sign_on_mode(code)


register.filter("needs_collection", needs_collection)


@register.filter
def subtract(value: int, other: int) -> int:
    return (value or 0) - (other or 0)


@register.filter
def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


@register.filter
def cell(row: dict, key: str) -> str:
    """One report cell: times in the console's time zone, nothing shown as a dash."""
    value = row.get(key)
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return "—" if value in (None, "") else str(value)


@register.simple_tag
def okta_user_section(user) -> dict:
    """Applications, admin roles, MFA factors, Okta status and recent activity of a person."""
    return user_section(user)


@register.inclusion_tag("okta_insights/_panel_permissions.html")
def okta_permission_check() -> dict:
    """The permission check, as the synchronization panel shows it beside the API token."""
    return {"states": dataset_states()}
