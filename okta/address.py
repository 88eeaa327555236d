"""What an admin types for the Okta API: the org address and the API token.

Checked before any request, so the token is only ever sent to an origin the admin clearly
meant, and a mis-pasted token is refused without being echoed. An address written as
numbers is decoded the way the resolver would (`2852039166` is 169.254.169.254) before it
is judged; every connection is checked again by querypie_admin.outbound after DNS.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from okta.errors import InvalidOktaURL
from querypie_admin import outbound

_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):(//)?")
_HOST_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TOKEN_RE = re.compile(r"^[\x21-\x7e]+$")


def normalize_okta_base_url(raw: str) -> str:
    """Return ``https://host[:port]`` for what an admin typed as the Okta address.

    Accepts a bare domain or an origin with a trailing slash. Refuses anything else (other
    schemes, paths, queries, credentials) so the API token is only ever sent to an origin
    the admin clearly meant; loopback (plain http allowed) only with the demo switch
    OKTA_API_ALLOW_LOOPBACK, for the fake Okta; never a private or link-local address.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidOktaURL("Enter your Okta domain, for example acme.okta.com.")
    match = _SCHEME_RE.match(text)
    if match and not match.group(2) and not text[match.end() :].split("/")[0].isdigit():
        raise InvalidOktaURL(f"Use an https:// address; {match.group(1)}: is not allowed.")
    if not match or not match.group(2):
        text = f"https://{text}"
    try:
        parts = urlsplit(text)
    except ValueError as exc:  # e.g. an unbalanced "[" ("Invalid IPv6 URL")
        raise InvalidOktaURL("This is not a web address, for example acme.okta.com.") from exc
    host = _checked_host(parts)
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise InvalidOktaURL(f"Use an https:// address; {scheme}: is not allowed.")
    _check_address(host, scheme)
    netloc = f"[{host}]" if ":" in host else host
    port = _checked_port(parts)
    return f"{scheme}://{netloc}{f':{port}' if port else ''}"


def _checked_host(parts: Any) -> str:
    if parts.username is not None or parts.password is not None:
        raise InvalidOktaURL("The Okta address must not contain a user name or password.")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise InvalidOktaURL("Enter only the Okta domain (acme.okta.com), without a path.")
    host = parts.hostname or ""
    if "-admin." in host:
        raise InvalidOktaURL(
            "Use your org address (acme.okta.com), not the Admin Console (acme-admin.okta.com)."
        )
    if not (_is_ip(host) or _is_hostname(host)):
        raise InvalidOktaURL("The Okta domain is not a valid host name.")
    return host


def loopback_allowed() -> bool:
    """The demo switch: the fake Okta listens on 127.0.0.1 (tests and demos turn it on)."""
    from django.conf import settings

    return settings.configured and bool(getattr(settings, "OKTA_API_ALLOW_LOOPBACK", False))


def _check_address(host: str, scheme: str) -> None:
    """Okta is never on an internal address: refusing them keeps the sync (and the token)
    off the cloud metadata service, the intranet and this machine's own services."""
    loopback = _is_loopback(host)
    if loopback and not loopback_allowed():
        raise InvalidOktaURL("The Okta address must not be a loopback address.")
    if scheme == "http" and not loopback:
        raise InvalidOktaURL("Okta must be reached over https://, not http://.")
    address = outbound.literal_address(host)
    if address is not None and outbound.refusal(address, allow_loopback=loopback_allowed()):
        raise InvalidOktaURL("The Okta address must not be a private or link-local IP address.")


def _checked_port(parts: Any) -> int | None:
    try:
        return parts.port
    except ValueError:
        raise InvalidOktaURL("The port in the Okta address is not valid.") from None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_hostname(host: str) -> bool:
    labels = host.rstrip(".").split(".")
    return 0 < len(host) <= 253 and all(_HOST_LABEL_RE.match(label) for label in labels)


def _is_loopback(host: str) -> bool:
    return host == "localhost" or (_is_ip(host) and ipaddress.ip_address(host).is_loopback)


def is_well_formed_token(token: str) -> bool:
    """Okta API tokens are printable ASCII without spaces; anything else was mis-pasted."""
    return bool(_TOKEN_RE.match(token))
