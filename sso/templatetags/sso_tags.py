"""The sign-in page's "Login with Okta" button, shown once SAML is configured."""

from django import template

register = template.Library()


@register.simple_tag
def sso_login_button() -> str:
    return ""
