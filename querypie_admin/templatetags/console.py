"""Template helpers of every console page: the status badge (one colour per kind of status,
whichever page shows it) and the audit log's labelled details."""

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ..audit_details import detail_fields

register = template.Library()
register.filter("detail_fields", detail_fields)

# What a status means to someone scanning a page; each tone has its own colour in
# static/css/console.css (.tone-*). A status not named here is shown neutral.
TONES = {
    "ok": (
        "succeeded",
        "active",
        "applied",
        "collected",
        "readable",
        "enabled",
        "success",
        "verified",
    ),
    "waiting": ("queued", "received", "scheduled", "pending"),
    "running": ("running",),
    "attention": ("needs_confirmation", "held", "partial", "expiring", "unverified"),
    "failed": ("failed", "failure", "inactive", "expired", "not_readable", "suspended"),
}
TONE_OF = {status: tone for tone, statuses in TONES.items() for status in statuses}


@register.filter
def status_tone(status: Any) -> str:
    """The CSS class of a status's tone: `Succeeded`, `succeeded` and `SUCCEEDED` alike."""
    key = str(status or "").strip().lower().replace(" ", "_")
    return f"tone-{TONE_OF.get(key, 'neutral')}"


@register.inclusion_tag("console/_status.html")
def status_badge(status: Any, label: str = "", live: bool = False) -> dict[str, Any]:
    """A status as a coloured badge; `live`: the run progress script updates its text."""
    return {
        "status": status,
        "tone": status_tone(status),
        "label": label or str(status).replace("_", " ").capitalize(),
        "live": live,
    }


@register.simple_tag
def docs_link(name: str) -> SafeString:
    """`{% docs_link "SYNC.md" %}`: a mention of docs/SYNC.md that opens it in the console."""
    return format_html('<a href="{}">docs/{}</a>', reverse("docs_page", args=[name]), name)
