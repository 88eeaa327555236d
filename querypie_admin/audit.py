"""The audit log: one call records who did what to which object.

An actor is a console user, or a label for a machine actor such as "SCIM (token 3f2a…)"
or "Okta sync". Details must never carry secrets; callers pass only what an auditor needs.
"""

import ipaddress
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from .models import AuditEvent, User

Actor = User | str | None


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, for the audit log, the sign-in lock-out and the refusal throttle
    alike. Behind a reverse proxy every request comes from the proxy, which would make every
    attacker and the Owner one address; a proxy named in TRUSTED_PROXIES names the client in
    X-Real-IP (docs/PRODUCTION.md). From any other address the header is ignored, so nobody
    picks their own address by sending it."""
    if request is None:
        return None
    peer = request.META.get("REMOTE_ADDR") or None
    if peer not in settings.TRUSTED_PROXIES:
        return peer
    try:
        return str(ipaddress.ip_address(request.META.get("HTTP_X_REAL_IP", "").strip()))
    except ValueError:
        return peer


def actor_label(actor: Actor) -> str:
    if isinstance(actor, User):
        return actor.login_id
    return actor or "system"


def event(
    action: str,
    *,
    actor: Actor = None,
    target: models.Model | None = None,
    target_label: str = "",
    outcome: str = "success",
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
    action_id: str = "",
) -> AuditEvent:
    """One unsaved audit event; the target's label is copied so it survives the target.
    `action_id` ties the events of one action together (directory.Caller gives one)."""
    return AuditEvent(
        actor=actor if isinstance(actor, User) and actor.pk else None,
        actor_label=actor_label(actor),
        action=action,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None and target.pk else "",
        target_label=target_label or (str(target) if target is not None else ""),
        outcome=outcome,
        detail=detail or {},
        ip_address=ip,
        action_id=action_id,
    )


def record(
    action: str,
    *,
    actor: Actor = None,
    target: models.Model | None = None,
    target_label: str = "",
    outcome: str = "success",
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    ip: str | None = None,
    action_id: str = "",
) -> AuditEvent:
    """Write one audit event."""
    found = event(
        action,
        actor=actor,
        target=target,
        target_label=target_label,
        outcome=outcome,
        detail=detail,
        ip=ip or client_ip(request),
        action_id=action_id,
    )
    found.save()
    return found
