"""Who may write which row: the ownership rules and the Owner rules, in one place.

- An integration (SCIM, the Okta sync, SAML sign-in) reaches only rows Okta owns; the
  console and the command line change only local rows (and hand rows over or take them back).
- Only an Owner (or the server's command line) may create, change, deactivate, demote,
  delete or hand over an Owner, or grant the Owner role.
- At least one active local Owner always remains.
"""

from typing import Any

from django.db import models

from ..models import AuthProvider, Group, Role, User
from .bulk_insert import many_ids
from .caller import Caller
from .errors import DirectoryInvalid, Refused


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
