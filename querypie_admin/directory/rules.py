"""Who may write which row: the ownership rules and the Owner rules, in one place.

- An integration (SCIM, the Okta sync, SAML sign-in) reaches only rows Okta owns; the
  console and the command line change only local rows (and hand rows over or take them back).
- Only an Owner (or the server's command line) may create, change, deactivate, demote,
  delete or hand over an Owner, or grant the Owner role.
- At least one active local Owner always remains.
- No integration changes the login ID of an Owner or a System Admin: SAML sign-in finds an
  account by its login ID, so a rename would hand the account to whoever Okta knows by the
  new one. The ask is kept for an Owner to accept (`hold_admin_logins`).
- Role mappings follow Okta group ids, so an integration's link never moves one: a group's
  Okta id that a mapping names is not changed, no group takes a mapped id another group
  carries, and no group's id becomes a mapped id after the fact (`check_group_id`).
"""

from typing import Any

from django.db import models

from ..models import (
    ADMIN_ROLES,
    AuthProvider,
    DirectoryLink,
    Group,
    LinkSource,
    PendingLoginId,
    Role,
    RoleMapping,
    User,
)
from .bulk_insert import many_ids
from .caller import Caller
from .errors import DirectoryInvalid, IdClaimRefused, Refused


def kind_of(obj: models.Model) -> str:
    return "group" if isinstance(obj, Group) else "account"


def label_of(obj: models.Model) -> str:
    return obj.name if isinstance(obj, Group) else obj.login_id


def check_reach(caller: Caller, action: str, obj: User | Group) -> None:
    """Integrations write Okta's rows only; people write local rows only."""
    if caller.is_integration and not obj.is_managed_externally:
        raise Refused(
            caller,
            action,
            obj,
            f"{label_of(obj)} is a local {kind_of(obj)}: an administrator must hand it over "
            "to Okta before Okta can manage it.",
        )
    if not caller.is_integration and obj.is_managed_externally:
        raise Refused(
            caller, action, obj, f"{label_of(obj)} is managed by Okta: change it in Okta."
        )


def check_reach_all(
    caller: Caller, action: str, model: type[User] | type[Group], pks: list[int]
) -> None:
    """The batch form of check_reach, one query per call (the sync writes thousands).

    It locks the rows (in one order, FOR NO KEY UPDATE: memberships may still point at
    them) until the batch commits, so an Owner's take-back cannot slip in between the
    check and the write. Call it inside the batch's transaction."""
    owner = AuthProvider.QUERYPIE if caller.is_integration else AuthProvider.OKTA
    ids = many_ids(pks)  # a batch names thousands
    rows = model.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
    stray = [pk for pk, provider in rows.values_list("pk", "auth_provider") if provider == owner]
    if stray:
        check_reach(caller, action, model.objects.get(pk=stray[0]))


def check_no_owner(caller: Caller, action: str, pks: list[int]) -> None:
    """Integrations never take access from an Owner, even one handed over to Okta: only an
    Owner may deactivate or delete an Owner (the sync reports such a change as a conflict)."""
    owner = User.objects.filter(pk__in=pks, role=Role.OWNER).first()
    if owner is not None:
        raise Refused(caller, action, owner, "Only an Owner can change an Owner or make an Owner.")


def spare_owners(pks: list[int]) -> list[int]:
    """`pks` without Owners: what an integration may deactivate when it lets go of rows."""
    owners = set(User.objects.filter(pk__in=pks, role=Role.OWNER).values_list("pk", flat=True))
    return [pk for pk in pks if pk not in owners]


def check_owner_rules(
    caller: Caller,
    action: str,
    user: User,
    *,
    role: str | None = None,
    losing_access: bool = False,
) -> None:
    """Owner rules for a change to `user`: a new `role`, or losing access (deactivate,
    delete, hand over). Call inside the write's transaction, after lock_local_owners."""
    touches_owner = user.role == Role.OWNER or role == Role.OWNER
    if touches_owner and not is_owner_now(caller):
        raise Refused(caller, action, user, "Only an Owner can change an Owner or make an Owner.")
    demoted = role is not None and role != Role.OWNER
    if user.is_local_owner and (losing_access or demoted) and not _another_local_owner(user):
        raise Refused(
            caller,
            action,
            user,
            f"{user.login_id} is the last active local Owner: make another local Owner first.",
        )


def check_role_field(caller: Caller, fields: dict[str, Any]) -> None:
    """Console roles are the console's: no integration sets one, per row or in a batch."""
    if caller.is_integration and "role" in fields:
        raise DirectoryInvalid("role", "An integration cannot set a console role")


def check_not_self(caller: Caller, action: str, user: User) -> None:
    if isinstance(caller.actor, User) and caller.actor.pk == user.pk:
        raise Refused(caller, action, user, "You cannot do this to your own account.")


def lock_local_owners(caller: Caller) -> list[int]:
    """Lock every active local Owner, in one order, so two parallel removals of Owners
    queue instead of both passing (or deadlocking). People's writes take this lock before
    the row they change; integrations never reach a local Owner, so they skip it."""
    if caller.is_integration:
        return []
    owners = User.objects.select_for_update().filter(
        role=Role.OWNER, is_active=True, auth_provider=AuthProvider.QUERYPIE
    )
    return list(owners.order_by("pk").values_list("pk", flat=True))


def is_owner_now(caller: Caller) -> bool:
    """acts_as_owner, with the actor re-read: an Owner demoted a moment ago is not one."""
    if isinstance(caller.actor, User) and caller.actor.pk:
        caller.actor.refresh_from_db(fields=["role", "is_active"])
    return caller.acts_as_owner


def _another_local_owner(user: User) -> bool:
    owners = User.objects.filter(
        role=Role.OWNER, is_active=True, auth_provider=AuthProvider.QUERYPIE
    )
    return owners.exclude(pk=user.pk).exists()


ADMIN_LOGIN_HELD = (
    "The login ID of an Owner or a System Admin is not changed by an integration: an Owner "
    "accepts the change on the user's page."
)


def hold_admin_logins(caller: Caller, asked: dict[int, str]) -> set[int]:
    """Of the users an integration asks to rename (pk -> asked login ID), those who are an
    Owner or a System Admin: their rename is not applied but kept (PendingLoginId, on the
    user's page for an Owner to accept) and audited as a failed `user.updated` with the
    asked value. Returns their pks, for the caller to leave `login_id` out of their write.
    Call inside the write's transaction, with the users locked."""
    if not caller.is_integration or not asked:
        return set()
    admins = User.objects.filter(pk__in=list(asked), role__in=ADMIN_ROLES)
    held = set()
    for user in admins.order_by("pk"):
        held.add(user.pk)
        wanted, source = asked[user.pk], caller.link_source
        pending = PendingLoginId.objects.filter(user=user, source=source).first()
        if pending is not None and pending.login_id == wanted:
            continue  # Okta pushes the same ask again: held and audited already
        PendingLoginId.objects.update_or_create(
            user=user, source=source, defaults={"login_id": wanted}
        )
        caller.record(
            "user.updated",
            target=user,
            outcome="failure",
            reason=ADMIN_LOGIN_HELD,
            asked_login_id=wanted,
        )
    return held


def clear_pending_login(caller: Caller, user: User) -> None:
    """The source sends the current login ID again: what it asked before is moot."""
    if caller.is_integration:
        PendingLoginId.objects.filter(user=user, source=caller.link_source).delete()


def check_group_id(caller: Caller, group: Group, before: str | None, after: str) -> None:
    """A group link's Okta id, new (`before` None) or changed, must not move a role mapping:
    one Okta id belongs to one group, the first that claimed it. The sync reads ids from
    Okta's API and matches groups by them, so only the other sources are checked here."""
    if caller.link_source == LinkSource.OKTA_SYNC or before == after:
        return
    action = "group.updated"
    mapped = set(
        RoleMapping.objects.filter(okta_group_id__in=[before, after]).values_list(
            "okta_group_id", flat=True
        )
    )
    if before and before in mapped:
        raise IdClaimRefused(caller, action, group, (
            f"The Okta id {before} of {group.name} grants a console role (role mapping): it "
            "cannot be changed; an Owner changes the mapping instead."
        ), "mutability")  # fmt: skip
    if after and after in mapped and before is not None:
        raise IdClaimRefused(caller, action, group, (
            f"The Okta id {after} grants a console role (role mapping): an existing group "
            "cannot take it; the group Okta pushes with that id from the start carries it."
        ), "mutability")  # fmt: skip
    others = DirectoryLink.objects.filter(external_id=after, group__isnull=False).exclude(
        group=group
    )
    if after and after in mapped and others.exists():
        raise IdClaimRefused(caller, action, group, (
            f"The Okta id {after} already belongs to another group here, and it grants a "
            "console role (role mapping)."
        ), "uniqueness")  # fmt: skip
