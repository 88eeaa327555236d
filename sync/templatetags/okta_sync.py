"""The Okta synchronization panel of the Authentication page."""

from django import template
from django.template.loader import render_to_string

from ..panel import panel_context

register = template.Library()


@register.simple_tag(takes_context=True)
def okta_sync_panel(context: template.Context) -> str:
    """Render the whole sync section as its own form posting to sync's settings URL."""
    request = context.get("request")
    return render_to_string("sync/_panel.html", panel_context(request), request=request)
