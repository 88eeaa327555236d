"""Confirming a promotion the guard held (promotion_guard): an Owner's act on the user's
page, bound to what the page showed: the role it was decided from and the groups that grant
it must still hold, else nothing is written and the next decision holds it again."""

from django.db import transaction

from ..models import AuthProvider, HeldPromotion, RoleSource, User
from . import roles
from .caller import Caller
from .errors import DirectoryInvalid, Refused
from .rules import is_owner_now


def confirm(caller: Caller, user: User) -> str:
    """An Owner confirms the promotion held for `user`: written as held, if the user still
    has the role it was decided from and each group still maps to that role. Returns the
    role granted."""
    action = "user.role_changed"
    if caller.is_integration or not is_owner_now(caller):
        raise Refused(caller, action, user, "Only an Owner can confirm a held promotion.")
    with transaction.atomic():
        roles.lock_for_recompute([user.pk])
        held = HeldPromotion.objects.select_for_update().filter(user=user).first()
        if held is None:
            raise DirectoryInvalid("role", "No promotion is held for this user any more.")
        user.refresh_from_db(fields=["role", "auth_provider", "login_id"])
        mappings = roles.active_mappings()
        groups = held.okta_groups
        still = bool(groups) and all(mappings.get(group) == held.role for group in groups)
        current = user.role == held.before and user.auth_provider == AuthProvider.OKTA
        held.delete()  # confirmed, or no longer what the page showed: settled either way
        if current and still:
            change = roles.RoleChange(
                user.pk, user.login_id, held.before, held.role, RoleSource.MAPPING, tuple(groups)
            )
            done = roles.apply(caller, [change], confirmed_held=held.source)
    if not (current and still):
        raise DirectoryInvalid(
            "role",
            "The user's role or the mappings changed since this promotion was held: nothing "
            "was written; the next push, sign-in or sync decides again.",
        )
    if done.refused:
        raise DirectoryInvalid("role", done.refused[0][1])
    return held.role
