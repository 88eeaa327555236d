"""The Provisioning service: the switch, SCIM tokens and the bearer check.

The page, the management command and the SCIM endpoints all go through here, so the
rules (at most two tokens, one year validity, disabling deletes every token) and the
audit trail are the same whoever asks. Token values are never stored or audited.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from querypie_admin import audit
from querypie_admin.audit import Actor
from querypie_admin.tokens import hash_secret, issue_token, secret_matches, split_token

from .models import MAX_TOKENS, ProvisioningSettings, ScimToken

TOKEN_PREFIX = "scim"
SCIM_PATH = "/api/scim/v2"
LAST_USED_PRECISION = timedelta(minutes=1)
_DUMMY_HASH = hash_secret("no such token")


class ProvisioningError(Exception):
    """An action the rules forbid; the message is shown to the administrator."""


def endpoint_url() -> str:
    """The SCIM base URL an IdP is given, built from the public console URL."""
    return f"{settings.CONSOLE_BASE_URL}{SCIM_PATH}"


def is_enabled() -> bool:
    return ProvisioningSettings.load().enabled


def _locked_settings() -> ProvisioningSettings:
    ProvisioningSettings.load()
    return ProvisioningSettings.objects.select_for_update().get(pk=1)


def enable(actor: Actor, request: HttpRequest | None = None) -> bool:
    """Turn provisioning on; returns False when it already was."""
    with transaction.atomic():
        row = _locked_settings()
        if row.enabled:
            return False
        row.enabled = True
        row.save()
        audit.record("provisioning.enabled", actor=actor, target_label="SCIM", request=request)
    return True


def disable(actor: Actor, request: HttpRequest | None = None) -> int:
    """Turn provisioning off and delete every token; returns how many were deleted."""
    with transaction.atomic():
        row = _locked_settings()
        deleted, _ = ScimToken.objects.all().delete()
        if row.enabled:
            row.enabled = False
            row.save()
            detail = {"tokens_deleted": deleted}
            audit.record(
                "provisioning.disabled",
                actor=actor,
                target_label="SCIM",
                detail=detail,
                request=request,
            )
    return deleted


def token_limit_reason(tokens: int | None = None) -> str:
    """Why no token can be generated now, or "" when one can."""
    if not is_enabled():
        return "Enable provisioning first."
    count = ScimToken.objects.count() if tokens is None else tokens
    if count >= MAX_TOKENS:
        return f"At most {MAX_TOKENS} tokens can exist at a time: delete one to generate another."
    return ""


def create_token(actor: Actor, request: HttpRequest | None = None) -> tuple[ScimToken, str]:
    """Issue a token; the value is returned once and only its hash is kept."""
    with transaction.atomic():
        _locked_settings()
        reason = token_limit_reason()
        if reason:
            raise ProvisioningError(reason)
        issued = issue_token(TOKEN_PREFIX)
        token = ScimToken.objects.create(
            key_id=issued.key_id,
            secret_hash=issued.secret_hash,
            created_by=audit.actor_label(actor),
        )
        detail = {"key_id": token.key_id, "expires": token.expires_at.date().isoformat()}
        audit.record("scim_token.issued", actor=actor, target=token, detail=detail, request=request)
    return token, issued.value


def delete_token(actor: Actor, token_id: int, request: HttpRequest | None = None) -> None:
    token = ScimToken.objects.filter(pk=token_id).first()
    if token is None:
        raise ProvisioningError("This token no longer exists.")
    audit.record(
        "scim_token.deleted",
        actor=actor,
        target=token,
        detail={"key_id": token.key_id},
        request=request,
    )
    token.delete()


def authenticate(authorization: str) -> ScimToken | None:
    """The token an `Authorization: Bearer …` header carries, if it may call SCIM now.

    Unknown key ids still pay for one constant-time comparison, so timing says nothing.
    """
    scheme, _, value = authorization.strip().partition(" ")
    parts = split_token(value, TOKEN_PREFIX) if scheme.lower() == "bearer" else None
    token = ScimToken.objects.filter(key_id=parts[0]).first() if parts else None
    matches = secret_matches(parts[1] if parts else "", token.secret_hash if token else _DUMMY_HASH)
    # Disabling deletes every token under the settings lock, so a token implies "enabled".
    if token is None or not matches or token.is_expired:
        return None
    _touch(token)
    return token


def _touch(token: ScimToken) -> None:
    """Record use, at most once a minute, so a busy IdP does not write on every call."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
