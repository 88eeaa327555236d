"""Links: which Okta sources manage a row, the IdP's id for it and what it last sent.

A source links a row when it first writes it (or adopts it by login ID); it releases its
link when it stops naming the row. Hand-over and take-back move a row between the console
and Okta; they are the only way a local row becomes reachable by an integration.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from ..models import AuthProvider, DirectoryLink, Group, RoleSource, User
from .caller import PROVISIONING, Caller
from .errors import DirectoryInvalid, Refused
from .rules import (
    check_group_id,
    check_not_self,
    check_owner_rules,
    label_of,
    lock_local_owners,
)


@dataclass(frozen=True)
class Sent:
    """What a source sent for a row: the IdP's id and its raw attributes (no secrets)."""

    external_id: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """An id the link column cannot hold is bad input from the IdP, refused up front."""
        limit = DirectoryLink._meta.get_field("external_id").max_length
        if not isinstance(self.external_id, str) or "\x00" in self.external_id:
            raise DirectoryInvalid("external_id", "The external ID must be text")
        if len(self.external_id) > limit:
            raise DirectoryInvalid("external_id", f"The external ID is longer than {limit}")


def _target(obj: User | Group) -> dict[str, Any]:
    return {"group": obj} if isinstance(obj, Group) else {"user": obj}


def _prefix(obj: User | Group) -> str:
    return "group" if isinstance(obj, Group) else "user"


def lock(obj: User | Group) -> None:
    """Lock the row and re-read what the rules decide on (who owns it; a user's role and
    status), so a hand-over, a demotion and a write cannot cross."""
    user_fields = ["auth_provider", "role", "role_source", "is_active"]
    fields = user_fields if isinstance(obj, User) else ["auth_provider"]
    current = type(obj).objects.select_for_update().filter(pk=obj.pk).values(*fields).get()
    for name, value in current.items():
        setattr(obj, name, value)


def save_link(caller: Caller, obj: User | Group, sent: Sent | None) -> DirectoryLink:
    """Create or refresh the caller's link on `obj`; audited when the link is new or its
    external id changes (with both values). A group's Okta id may not move a role mapping
    (rules.check_group_id)."""
    source = caller.link_source
    link = DirectoryLink.objects.filter(source=source, **_target(obj)).first()
    sent = sent or Sent()
    if isinstance(obj, Group):
        check_group_id(caller, obj, link.external_id if link else None, sent.external_id)
    if link is not None and link.external_id != sent.external_id:
        caller.record(
            f"{_prefix(obj)}.external_id_changed",
            target=obj,
            before=link.external_id,
            after=sent.external_id,
        )
    if link is None:
        link = DirectoryLink.objects.create(
            source=source, external_id=sent.external_id, attributes=sent.attributes, **_target(obj)
        )
        caller.record(f"{_prefix(obj)}.linked", target=obj, external_id=sent.external_id)
    elif (link.external_id, link.attributes) != (sent.external_id, sent.attributes):
        link.external_id, link.attributes = sent.external_id, sent.attributes
        link.save(update_fields=["external_id", "attributes", "updated_at"])
    return link


def link_new_row(
    caller: Caller, obj: User | Group, sent: Sent | None
) -> tuple[str, User | Group, dict[str, Any]]:
    """The caller's link on a row it has just created in this transaction (no link to look
    for yet). Returns the `*.linked` audit entry, for the caller to write together with the
    row's own (Caller.record_together)."""
    sent = sent or Sent()
    if isinstance(obj, Group):
        check_group_id(caller, obj, None, sent.external_id)
    DirectoryLink.objects.create(
        source=caller.link_source,
        external_id=sent.external_id,
        attributes=sent.attributes,
        **_target(obj),
    )
    return f"{_prefix(obj)}.linked", obj, {"external_id": sent.external_id}


def provisioned_elsewhere(caller: Caller, obj: User | Group) -> bool:
    """Does another provisioning source (SCIM or the sync) still manage `obj`?"""
    others = [s for s in PROVISIONING if s != caller.link_source]
    return DirectoryLink.objects.filter(source__in=others, **_target(obj)).exists()


def drop_link(caller: Caller, obj: User | Group) -> bool:
    deleted, _ = DirectoryLink.objects.filter(source=caller.link_source, **_target(obj)).delete()
    if deleted:
        caller.record(f"{_prefix(obj)}.link_released", target=obj)
    return bool(deleted)


def hand_over(caller: Caller, obj: User | Group) -> None:
    """An Owner hands a local row to Okta: the next SCIM push or sync naming it links it."""
    action = f"{_prefix(obj)}.handed_over"
    with transaction.atomic():
        lock_local_owners(caller)
        lock(obj)
        _check_owner_only(caller, action, obj)
        if obj.is_managed_externally:
            raise Refused(caller, action, obj, f"{label_of(obj)} is already managed by Okta.")
        if isinstance(obj, User):
            check_not_self(caller, action, obj)  # it would end their password sign-in
            check_owner_rules(caller, action, obj, losing_access=True)
        _set_owner(obj, AuthProvider.OKTA)
        caller.record(action, target=obj)


def take_back(caller: Caller, obj: User | Group, *, password: str | None = None) -> int:
    """An Owner takes a row back from Okta: its links go, the console manages it again.

    `password` gives a user that Okta left without a usable password an initial one in the
    same transaction, so password sign-in works again (and nothing is set if refused).
    """
    action = f"{_prefix(obj)}.taken_back"
    with transaction.atomic():
        lock(obj)
        _check_owner_only(caller, action, obj)
        if not obj.is_managed_externally:
            raise Refused(caller, action, obj, f"{label_of(obj)} is already local.")
        released = list(
            DirectoryLink.objects.filter(**_target(obj)).values_list("source", flat=True)
        )
        DirectoryLink.objects.filter(**_target(obj)).delete()
        _set_owner(obj, AuthProvider.QUERYPIE)
        initial = password if isinstance(obj, User) else None
        if isinstance(obj, User):  # a role a mapping granted is now the console's to keep
            obj.role_source, obj.role_groups = RoleSource.MANUAL, []
            obj.save(update_fields=["role_source", "role_groups"])
        if initial:
            obj.set_password(initial)
            obj.save(update_fields=["password"])
        detail = {"initial_password": True} if initial else {}
        caller.record(action, target=obj, released=sorted(released), **detail)
    return len(released)


def _check_owner_only(caller: Caller, action: str, obj: User | Group) -> None:
    if caller.is_integration or not caller.acts_as_owner:
        raise Refused(caller, action, obj, "Only an Owner can hand rows over or take them back.")


def _set_owner(obj: User | Group, provider: str) -> None:
    obj.auth_provider = provider
    obj.save(update_fields=["auth_provider", "updated_at"])


def sources_of(obj: User | Group) -> list[str]:
    return sorted(DirectoryLink.objects.filter(**_target(obj)).values_list("source", flat=True))
