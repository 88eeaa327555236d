"""Per-user writes: create, update, (de)activate, delete, and release a source's link."""

from typing import Any

from django.db import IntegrityError, transaction

from ..models import AuthProvider, DirectoryLink, LinkSource, PendingLoginId, Role, User
from . import one_statement
from .caller import Caller
from .errors import AlreadyLinked, DirectoryConflict, DirectoryInvalid, Refused
from .fields import changed, check_user_fields
from .links import Sent, drop_link, link_new_row, lock, provisioned_elsewhere, save_link
from .roles import check_hand_edit
from .rules import (
    check_not_self,
    check_owner_rules,
    check_reach,
    check_role_field,
    clear_pending_login,
    hold_admin_logins,
    is_owner_now,
    lock_local_owners,
)


def save_unique(obj: Any, conflict: str, update_fields: list[str] | None = None) -> None:
    """Save, turning a unique-constraint violation into DirectoryConflict(conflict).

    The database constraint is the check, so a new row costs no look-up first and two
    parallel creates of the same name cannot both succeed.
    """
    try:
        with transaction.atomic():
            obj.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise DirectoryConflict(conflict) from exc


def apply_changes(obj: Any, changes: dict[str, Any], conflict: str) -> None:
    """Write the changed fields; on a clash the object keeps its stored values."""
    before = {name: getattr(obj, name) for name in changes}
    for name, value in changes.items():
        setattr(obj, name, value)
    try:
        save_unique(obj, conflict, update_fields=[*changes, "updated_at"])
    except DirectoryConflict:
        for name, value in before.items():
            setattr(obj, name, value)
        raise


def _taken(login_id: Any) -> str:
    return f"Login ID {login_id!r} is already in use"


def create_user(
    caller: Caller,
    fields: dict[str, Any],
    *,
    password: str | None = None,
    sent: Sent | None = None,
    known_by: tuple[LinkSource, ...] = (),
) -> User:
    """Create a user. The console and commands create local accounts; an integration
    creates an Okta account linked to itself, with no usable password.

    `known_by`: when one of these sources links an Okta user by the external id `sent`
    carries (Okta's id), nothing is created and AlreadyLinked names that user (SCIM adopts
    the user the sync or SAML sign-in knows; asked here, it costs no statement of its own)."""
    check_user_fields(fields)
    check_role_field(caller, fields)
    provider = AuthProvider.OKTA if caller.is_integration else AuthProvider.QUERYPIE
    user = User(**fields, auth_provider=provider)
    check_owner_rules(caller, "user.created", User(role=Role.USER), role=user.role)
    user.set_password(password) if password else user.set_unusable_password()
    created = {"fields": sorted(fields), "role": user.role}
    external_id = sent.external_id if sent is not None and known_by else ""
    if one_statement.available(caller):  # Okta's push creates thousands: one statement each
        made, known = one_statement.create_user(caller, user, sent, created, known_by)
        if known is not None:
            raise AlreadyLinked(User.objects.get(pk=known))
        if made is None:
            raise DirectoryConflict(_taken(user.login_id))
        return user
    known = linked_by(known_by, external_id) if external_id else None
    if known is not None:
        raise AlreadyLinked(known)
    with transaction.atomic():
        save_unique(user, _taken(user.login_id))
        audited = [("user.created", user, created)]
        if caller.is_integration:
            audited.append(link_new_row(caller, user, sent))
        caller.record_together(audited)
    return user


def linked_by(sources: tuple[LinkSource, ...], external_id: str) -> User | None:
    """The Okta user that one of these sources links by this external id (the first link)."""
    link = (
        DirectoryLink.objects.filter(
            source__in=sources, external_id=external_id, user__auth_provider=AuthProvider.OKTA
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return link.user if link is not None else None


def _action(changes: dict[str, Any]) -> str:
    if set(changes) == {"is_active"}:
        return "user.activated" if changes["is_active"] else "user.deactivated"
    if set(changes) == {"role"}:
        return "user.role_changed"
    return "user.updated"


def update_user(
    caller: Caller, user: User, fields: dict[str, Any], *, sent: Sent | None = None
) -> list[str]:
    """Apply only the fields that differ; an integration also refreshes its link."""
    check_user_fields(fields)
    check_role_field(caller, fields)
    with transaction.atomic():
        lock_local_owners(caller)
        lock(user)
        changes = changed(user, fields)
        if "login_id" in changes and hold_admin_logins(caller, {user.pk: changes["login_id"]}):
            del changes["login_id"]
        elif "login_id" in fields:
            clear_pending_login(caller, user)
        action = _action(changes)
        check_hand_edit(caller, user, changes.get("role"))
        if action != "user.role_changed" or caller.is_integration:
            check_reach(caller, action, user)  # a console role is the console's on any row
        deactivating = changes.get("is_active") is False
        people_change_an_owner = changes and user.role == Role.OWNER and not caller.is_integration
        if "role" in changes or deactivating or people_change_an_owner:
            check_owner_rules(
                caller, action, user, role=changes.get("role"), losing_access=deactivating
            )
        if deactivating or "role" in changes:
            check_not_self(caller, action, user)
        if changes:
            apply_changes(user, changes, _taken(changes.get("login_id")))
            caller.record(action, target=user, fields=sorted(changes))
        if caller.is_integration:
            save_link(caller, user, sent)
    return sorted(changes)


def set_user_active(caller: Caller, user: User, active: bool) -> bool:
    return bool(update_user(caller, user, {"is_active": active}))


def delete_user(caller: Caller, user: User) -> bool:
    """Delete; an integration that shares the user with another source only lets go of it.

    Returns whether the user was deleted.
    """
    with transaction.atomic():
        lock_local_owners(caller)
        lock(user)
        check_reach(caller, "user.deleted", user)
        if caller.is_integration and provisioned_elsewhere(caller, user):
            drop_link(caller, user)
            return False
        check_owner_rules(caller, "user.deleted", user, losing_access=True)
        check_not_self(caller, "user.deleted", user)
        caller.record("user.deleted", target=user)
        user.delete()
    return True


def release_user(caller: Caller, user: User) -> bool:
    """The caller no longer names this user: its link goes, and the user is deactivated
    only when no provisioning source (SCIM, the sync) manages it any more.

    Returns whether the user was deactivated.
    """
    with transaction.atomic():
        lock(user)
        check_reach(caller, "user.link_released", user)
        drop_link(caller, user)
        if provisioned_elsewhere(caller, user) or not user.is_active or user.role == Role.OWNER:
            return False  # an Owner is deactivated only by an Owner
        apply_changes(user, {"is_active": False}, "")
        caller.record("user.deactivated", target=user, reason="no Okta source manages it any more")
    return True


def accept_login_id(caller: Caller, user: User, pending_pk: int) -> str:
    """An Owner accepts the login ID an integration asked for an administrator
    (rules.hold_admin_logins): the account is renamed, that ask is settled. Returns the
    new login ID."""
    action = "user.updated"
    with transaction.atomic():
        lock(user)
        if caller.is_integration or not is_owner_now(caller):
            raise Refused(caller, action, user, "Only an Owner can accept a new login ID.")
        pending = (
            PendingLoginId.objects.select_for_update().filter(pk=pending_pk, user=user).first()
        )
        if pending is None:
            raise DirectoryInvalid("login_id", "Okta no longer asks to change this login ID.")
        before, wanted = user.login_id, pending.login_id
        check_user_fields({"login_id": wanted})
        apply_changes(user, {"login_id": wanted}, _taken(wanted))
        pending.delete()
        caller.record(
            action,
            target=user,
            fields=["login_id"],
            before=before,
            after=wanted,
            accepted_from=pending.source,
        )
    return wanted
