"""Exceptions raised by the Okta API client.

Every error carries the URL path and the page it stopped at, so an admin reading the sync
log knows how far the run got. None of them ever carries the API token: messages are built
from paths and Okta's error body only, never from request headers.
"""

from __future__ import annotations

import socket
from typing import Any

import requests


class InvalidOktaURL(ValueError):
    """The configured Okta address cannot be used; the message is shown in the settings form."""


class OktaError(Exception):
    """Base class: a call to Okta failed and the sync must stop.

    ``kind`` is a stable machine-readable reason (``invalid_token``, ``permission``,
    ``not_found``, ``unknown_host``, ``tls``, ``timeout``, ``connection_refused``,
    ``connection``, ``rate_limited``, ``server_error``, ``bad_response``) for the UI and metrics.
    """

    kind = "error"

    def __init__(
        self,
        message: str,
        *,
        path: str = "",
        page: int = 0,
        status: int | None = None,
        error_code: str | None = None,
        error_summary: str | None = None,
        kind: str | None = None,
    ) -> None:
        self.path = path
        self.page = page
        self.status = status
        self.error_code = error_code
        self.error_summary = error_summary
        if kind:
            self.kind = kind
        self.user_message = message
        super().__init__(self._full_message())

    def _full_message(self) -> str:
        where = f" (while reading {self.path}, page {self.page})" if self.path else ""
        return f"{self.user_message}{where}"


class OktaAuthenticationError(OktaError):
    """E0000011: Okta rejected the token; retrying cannot help, so the client fails fast."""

    kind = "invalid_token"


class OktaPermissionError(OktaError):
    """E0000006: the token is valid but its admin role cannot read this resource."""

    kind = "permission"


class OktaNotFoundError(OktaError):
    """E0000007: usually a wrong Application ID in the settings."""

    kind = "not_found"


class OktaNetworkError(OktaError):
    """Okta could not be reached: ``kind`` tells DNS, TLS, timeout, refused or other."""

    kind = "connection"


class OktaRateLimitError(OktaError):
    """Okta kept answering 429 after every allowed wait."""

    kind = "rate_limited"


class OktaServerError(OktaError):
    """Okta kept answering 5xx after every allowed retry."""

    kind = "server_error"


class OktaResponseError(OktaError):
    """Okta answered something this client cannot use (other 4xx, not JSON, foreign link)."""

    kind = "bad_response"


def error_from_response(
    response: requests.Response, path: str, page: int, retries: int
) -> OktaError:
    """The exception for an HTTP answer the client will not retry, with Okta's error code."""
    status = response.status_code
    code, summary = _okta_error_body(response)
    details: dict[str, Any] = {"path": path, "page": page, "status": status}
    details |= {"error_code": code, "error_summary": summary}
    if status == 401 or code == "E0000011":
        return OktaAuthenticationError(
            f"The API token is invalid ({code or 'HTTP 401'}): Okta rejected it. "
            "Create a new token in Okta under Security > API > Tokens.",
            **details,
        )
    if status == 403 or code == "E0000006":
        return OktaPermissionError(
            f"The API token lacks permission to read this ({code or 'HTTP 403'}). "
            "Its admin role must be able to view users, groups and the application.",
            **details,
        )
    if status == 404:
        return OktaNotFoundError(
            f"Okta has no such resource ({code or 'HTTP 404'}); check the Application ID.",
            **details,
        )
    if status >= 500:
        return OktaServerError(
            f"Okta kept failing with HTTP {status} after {retries} retries.", **details
        )
    return OktaResponseError(
        f"Okta answered HTTP {status} ({code or 'no error code'}: {summary or 'no details'}).",
        **details,
    )


def error_from_exception(
    exc: Exception, host: str, read_timeout: float, path: str, page: int
) -> OktaNetworkError:
    """Name the network failure so the admin knows whether to fix DNS, TLS or a firewall."""
    if isinstance(exc, requests.exceptions.SSLError):
        kind, text = "tls", f"The TLS connection to {host} failed (certificate or handshake)."
    elif isinstance(exc, requests.Timeout):
        kind, text = "timeout", f"{host} did not answer within {read_timeout:g} seconds."
    elif _caused_by(exc, socket.gaierror):
        kind, text = "unknown_host", f"The host {host} could not be found; check the domain."
    elif _caused_by(exc, ConnectionRefusedError):
        kind, text = "connection_refused", f"{host} refused the connection."
    else:
        kind, text = "connection", f"The connection to {host} failed."
    return OktaNetworkError(text, path=path, page=page, kind=kind)


def _caused_by(exc: BaseException, wanted: type[BaseException]) -> bool:
    """Look through requests' and urllib3's wrapping for the underlying socket error."""
    pending: list[Any] = [exc]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        if isinstance(current, wanted):
            return True
        seen.add(id(current))
        pending += [current.__cause__, current.__context__, getattr(current, "reason", None)]
        pending += list(current.args)
    return False


def _okta_error_body(response: requests.Response) -> tuple[str | None, str | None]:
    try:
        body = response.json()
    except ValueError:
        return None, None
    if not isinstance(body, dict):
        return None, None
    return body.get("errorCode"), body.get("errorSummary")
