"""The sign-in page's "Login with Okta" button, the SAML alerts banner for admins, and the
Authentication page's sub-navigation."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from sso.alerts import current_alerts
from sso.models import AuthenticationType, SamlSettings
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


# The Authentication page's sections, in the order of the sub-navigation: URL name, label,
# and the anchor of the old single page that led there (static/sso/sections.js follows it).
SECTIONS = (
    ("auth_identity_provider", "Identity provider", ""),
    ("auth_single_logout", "Single Logout and certificates", ""),
    ("auth_role_mapping", "Role mapping", "role-mapping"),
    ("okta_sync_settings", "Synchronization", "okta-sync"),
    ("event_hooks_settings", "Event Hooks", ""),
)


@register.inclusion_tag("sso/_sections.html")
def authentication_sections(current: str) -> dict:
    """The sub-navigation of the Authentication sections, `current` (a URL name) marked."""
    return {
        "sections": [
            {"url": reverse(name), "label": label, "anchor": anchor, "current": name == current}
            for name, label, anchor in SECTIONS
        ]
    }


@register.simple_tag
def okta_type_saved() -> bool:
    """Whether Authentication Type Okta is saved: the Synchronization section needs it."""
    return SamlSettings.load().authentication_type == AuthenticationType.OKTA
