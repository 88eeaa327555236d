"""The sign-in page's "Login with Okta" button, and the SAML alerts banner for admins."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from sso.alerts import current_alerts
from sso.services import login_button_label

register = template.Library()


@register.simple_tag
def sso_login_button() -> str:
    """ "Login with Okta" (or "Login with SAML") linking to the SP-initiated login; else nothing."""
    label = login_button_label()
    if not label:
        return ""
    return format_html(
        '<a class="button primary wide sso-button" href="{}">{}</a>',
        reverse("saml_sp_login"),
        label,
    )


@register.inclusion_tag("sso/_alerts.html")
def sso_alerts() -> dict:
    """The SAML alerts banner (expiring certificates, failed refresh, held change)."""
    return {"alerts": current_alerts()}
