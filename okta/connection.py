"""The one way to get a client of the Okta org, and what every feature asks of the connection.

`client()` reads the saved org; a Dry Run or a run that keeps its own snapshot of the
configuration passes the address and encrypted token it was given. Either way the client
refuses what a client refuses (an unusable address or token), as OktaSetupError."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings

from .client import OktaClient
from .models import OktaOrg
from .token_crypto import decrypt_token, encrypt_token

APP_LABEL = "QueryPie"
# Stored as they are on OktaOrg (the token is encrypted on its own).
ORG_FIELDS = (
    "enabled",
    "api_url",
    "app_id",
    "scope",
    "frequency",
    "every_minutes",
    "daily_at",
    "cron",
    "deactivation_threshold",
)


class OktaSetupError(Exception):
    """The configuration cannot work (bad token format, QueryPie app not found...)."""

    kind = "setup"


def client(
    api_url: str | None = None, encrypted_token: str | None = None, **options: Any
) -> OktaClient:
    """A client of the saved org (or of the given address and token), with the operator's
    tuning (settings.OKTA_SYNC_CLIENT) under `options`. Raises OktaSetupError, and
    TokenUnreadable when the token was encrypted under another SECRET_KEY."""
    if api_url is None or encrypted_token is None:
        org = OktaOrg.load()
        api_url, encrypted_token = org.api_url, org.api_token_encrypted
    tuning = {**getattr(settings, "OKTA_SYNC_CLIENT", {}), **options}
    try:
        return OktaClient(api_url, decrypt_token(encrypted_token), **tuning)
    except ValueError as exc:  # an unusable URL or token: the client says which, safely
        raise OktaSetupError(str(exc)) from None


def write_client(**options: Any) -> OktaClient:
    """A client of the saved org with its write-scoped token (remediation's removals).
    Raises OktaSetupError when no write token is saved: the caller falls back to manual tasks."""
    org = OktaOrg.load()
    if not (org.api_url and org.write_token_encrypted):
        raise OktaSetupError("No write-scoped API token is saved for the Okta connection.")
    return client(org.api_url, org.write_token_encrypted, **options)


def store_write_token(org: OktaOrg, token: str) -> None:
    """Encrypt ``token`` onto the row as the write-scoped token (an empty one clears it);
    the caller saves the row and audits, without the token."""
    org.write_token_encrypted = encrypt_token(token) if token else ""
    org.write_token_last4 = token[-4:] if token else ""


def resolve_app_id(okta: OktaClient, app_id: str) -> str:
    """The QueryPie app's id: as configured, else the only app labelled QueryPie."""
    if app_id:
        return okta.get_app(app_id)["id"]
    apps = okta.find_apps(APP_LABEL)
    if len(apps) == 1:
        return apps[0]["id"]
    found = "no app" if not apps else f"{len(apps)} apps"
    raise OktaSetupError(
        f"Okta has {found} labelled {APP_LABEL!r}: enter the Application ID "
        "(Okta Admin > Applications > the QueryPie app; the id is in its URL)."
    )


def store(org: OktaOrg, data: Mapping[str, Any]) -> list[str]:
    """Copy the given values onto the (locked) row; an empty optional number or time keeps
    the saved one, an empty `api_token` keeps the saved token. Returns the names that
    changed, never a token; the caller saves the row and audits."""
    changed = []
    for name in ORG_FIELDS:
        value = data.get(name)
        if value is None or value == getattr(org, name):
            continue
        setattr(org, name, value)
        changed.append(name)
    token = data.get("api_token", "")
    if token:
        org.api_token_encrypted = encrypt_token(token)
        org.api_token_last4 = token[-4:]
    return changed
