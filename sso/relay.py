"""RelayState only ever redirects to a path on this console.

python3-saml's redirect_to() accepts any http(s) URL; RelayState is attacker-controlled in
IdP-initiated logins, so it is reduced to a local path or replaced by the home page.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .models import SamlRequest

# A longer path could not be kept with the AuthnRequest; such a RelayState leads home.
MAX_RELAY_STATE = SamlRequest._meta.get_field("relay_state").max_length


def safe_relay_state(value: str | None) -> str:
    """A local path from RelayState, or the home page when it is anything else."""
    home = reverse("home")
    if not value:
        return home
    value = value.strip()
    if len(value) > MAX_RELAY_STATE:
        return home
    if value.startswith(settings.CONSOLE_BASE_URL + "/"):
        value = value[len(settings.CONSOLE_BASE_URL) :]
    if not value.startswith("/") or value.startswith(("//", "/\\")):
        return home
    if not url_has_allowed_host_and_scheme(value, allowed_hosts=set()):
        return home
    if value.startswith("/saml/"):
        return home
    return value
