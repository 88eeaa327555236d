"""Who asks the directory for a write: the source (console, command line or an integration)
and the actor that the audit log names. Every directory function takes one."""

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.http import HttpRequest

from .. import audit
from ..audit import Actor
from ..models import AuditEvent, LinkSource, Role, User


class Source(models.TextChoices):
    CONSOLE = "console", "Console"
    COMMAND = "command", "Command line"
    SCIM = LinkSource.SCIM.value, LinkSource.SCIM.label
    OKTA_SYNC = LinkSource.OKTA_SYNC.value, LinkSource.OKTA_SYNC.label
    SAML = LinkSource.SAML.value, LinkSource.SAML.label


# Sources whose link keeps an account provisioned; a SAML link only records who signed in.
PROVISIONING = (LinkSource.SCIM, LinkSource.OKTA_SYNC)
LINK_SOURCES = frozenset(LinkSource.values)  # the sources that own a link on rows


def _new_action_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Caller:
    """Who asks, for one action: every event it records shares its `action_id`, so the
    audit log shows a role mapping change with the roles it changed, or a sync run's writes,
    as one row. Make one Caller per action (a request, a run, a command)."""

    source: Source
    actor: Actor
    ip: str | None = None
    action_id: str = field(default_factory=_new_action_id, compare=False)

    @classmethod
    def console(cls, request: HttpRequest) -> "Caller":
        return cls(Source.CONSOLE, request.user, audit.client_ip(request))

    @classmethod
    def command(cls, label: str = "manage.py") -> "Caller":
        return cls(Source.COMMAND, label)

    @classmethod
    def scim(cls, label: str = "SCIM") -> "Caller":
        return cls(Source.SCIM, label)

    @classmethod
    def okta_sync(cls, label: str = "Okta sync") -> "Caller":
        return cls(Source.OKTA_SYNC, label)

    @classmethod
    def saml(cls, label: str = "SAML sign-in") -> "Caller":
        return cls(Source.SAML, label)

    @property
    def link_source(self) -> LinkSource | None:
        """The link this caller owns on the rows it manages; None for console and commands."""
        return LinkSource(self.source) if self.source in LINK_SOURCES else None

    @property
    def is_integration(self) -> bool:
        return self.link_source is not None

    @property
    def acts_as_owner(self) -> bool:
        """An active Owner in the console; the command line is the server's own operator."""
        if self.source == Source.COMMAND:
            return True
        actor = self.actor
        return isinstance(actor, User) and actor.is_active and actor.role == Role.OWNER

    def record_each(self, action: str, targets: list[tuple[models.Model, dict[str, Any]]]) -> None:
        """One audit event per target, written in one statement: for batches whose every
        row must be audited on its own (role changes), not summarised."""
        self.record_together([(action, target, detail) for target, detail in targets])

    def record_together(self, entries: list[tuple[str, models.Model, dict[str, Any]]]) -> None:
        """Several audit events (action, target, detail) of one write in one statement: a
        row created and linked is two events and one INSERT."""
        events = [self.event(action, target, **detail) for action, target, detail in entries]
        AuditEvent.objects.bulk_create(events)

    def detail(self, **detail: Any) -> dict[str, Any]:
        """An event's detail in the directory's vocabulary: the source is always in it."""
        return {"source": self.source.value, **detail}

    def event(self, action: str, target: models.Model, **detail: Any) -> AuditEvent:
        """One unsaved audit event in the directory's vocabulary."""
        return audit.event(
            action,
            actor=self.actor,
            target=target,
            detail=self.detail(**detail),
            ip=self.ip,
            action_id=self.action_id,
        )

    def record(
        self,
        action: str,
        *,
        target: models.Model | None = None,
        target_label: str = "",
        outcome: str = "success",
        **detail: Any,
    ) -> None:
        """One audit event in the directory's vocabulary: the source is always in the detail."""
        audit.record(
            action,
            actor=self.actor,
            target=target,
            target_label=target_label,
            outcome=outcome,
            detail=self.detail(**detail),
            ip=self.ip,
            action_id=self.action_id,
        )
