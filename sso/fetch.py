"""The Metadata URL fetch: server side, https only, public addresses only, bounded.

python3-saml's parse_remote checks nothing, so an admin-supplied URL could otherwise reach the
cloud metadata service or the intranet. Loopback is allowed only when the setting says so
(the tests serve metadata on 127.0.0.1). Requiring TLS to a public name also defeats DNS
rebinding: an internal service would need a certificate for the attacker's host name.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings

from querypie_admin import outbound

from .metadata import MetadataError


def _addresses(host: str, port: int) -> set[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise MetadataError(f"The host {host} cannot be resolved.") from exc
    return {ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}


def _refusal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if address.is_loopback:
        return "" if settings.SSO_METADATA_FETCH_ALLOW_LOOPBACK else "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private or address.is_reserved or address.is_multicast:
        return "a private address"
    if address.is_unspecified or not address.is_global:
        return "a non-public address"
    return ""


def check_url(url: str) -> None:
    """Raise MetadataError unless the URL is https to public addresses (or allowed loopback)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise MetadataError("The Metadata URL must be an https:// URL.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:  # a port above 65535 passes URLField's pattern
        raise MetadataError("The Metadata URL has an invalid port.") from exc
    addresses = _addresses(parts.hostname, port)
    for address in addresses:
        reason = _refusal(address)
        if reason:
            raise MetadataError(f"The Metadata URL points to {reason} ({address}); refused.")
    if parts.scheme != "https" and not all(a.is_loopback for a in addresses):
        raise MetadataError("The Metadata URL must use https://.")


def fetch_metadata(url: str) -> bytes:
    """GET the metadata within an overall deadline and a size cap, redirects not followed;
    the address each connection reaches is checked again (querypie_admin.outbound)."""
    check_url(url)
    limit = settings.SSO_METADATA_MAX_BYTES
    session = outbound.OutboundSession(
        allow_loopback=settings.SSO_METADATA_FETCH_ALLOW_LOOPBACK,
        call_seconds=settings.SSO_METADATA_FETCH_TIMEOUT,
    )
    try:
        with session:
            response = outbound.read_body(session, url, limit)
    except outbound.TooLarge as exc:
        raise MetadataError(f"The metadata is larger than {limit // 1024} KB.") from exc
    except outbound.Refused as exc:
        reason = f"{exc.reason} ({exc.address})"
        raise MetadataError(f"The Metadata URL points to {reason}; refused.") from exc
    except requests.Timeout as exc:
        raise MetadataError("The Metadata URL did not answer in time.") from exc
    except requests.RequestException as exc:
        raise MetadataError(
            f"The Metadata URL could not be fetched ({type(exc).__name__})."
        ) from exc
    if response.status_code != 200:
        raise MetadataError(f"The Metadata URL answered HTTP {response.status_code}.")
    return response.content
