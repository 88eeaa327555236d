"""The audit log: one call records who did what to which object.

An actor is a console user, or a label for a machine actor such as "SCIM (token 3f2a…)"
or "Okta sync". Details must never carry secrets; callers pass only what an auditor needs.
"""

from typing import Any

from django.db import models
from django.http import HttpRequest

from .models import AuditEvent, User

Actor = User | str | None


def client_ip(request: HttpRequest | None) -> str | None:
    """The client address as the console sees it; behind a proxy, REMOTE_ADDR is the proxy."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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
) -> AuditEvent:
    """One unsaved audit event; the target's label is copied so it survives the target."""
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
    )
    found.save()
    return found
