"""The Okta synchronization panel of the Authentication page."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def okta_sync_panel(context) -> str:
    return ""
