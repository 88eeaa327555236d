"""Hand-over and take-back: an Owner moves a local user or group to Okta, or back.

A handed-over row is linked by the next SCIM push or Okta API sync that names it (by login
ID or group name) and stops signing in with a password; a row taken back loses its links
and is managed in the console again. System Admins get 403.
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from .. import directory
from ..directory import Caller
from ..models import Group, User
from ..roles import owner_required
from . import initial_password
from .outcome import refusal_as_message


def _move(
    request: HttpRequest, obj: User | Group, write: Callable[[], object], done: str
) -> HttpResponse:
    with refusal_as_message(request):
        write()
        messages.success(request, done)
    name = "group_detail" if isinstance(obj, Group) else "user_detail"
    return redirect(name, pk=obj.pk)


@owner_required
@require_POST
def user_hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    done = (
        f"{user.login_id} was handed over to Okta: the next SCIM push or sync that names it "
        "links it, and it no longer signs in with a password."
    )
    return _move(request, user, lambda: directory.hand_over(Caller.console(request), user), done)


@owner_required
@require_POST
def user_take_back(request: HttpRequest, pk: int) -> HttpResponse:
    """Back in the console; an account Okta left without a password gets an initial one."""
    user = get_object_or_404(User, pk=pk)
    password = None if user.has_usable_password() else initial_password.generate()

    def write() -> None:
        directory.take_back(Caller.console(request), user, password=password)
        if password:
            initial_password.keep_once(request, user, password)

    done = (
        f"{user.login_id} was taken back: it is managed in the console and signs in with "
        "a password."
    )
    return _move(request, user, write, done)


@owner_required
@require_POST
def group_hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(Group, pk=pk)
    done = (
        f"Group {group.name} was handed over to Okta: the next SCIM push or sync that names "
        "it links it."
    )
    return _move(request, group, lambda: directory.hand_over(Caller.console(request), group), done)


@owner_required
@require_POST
def group_take_back(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(Group, pk=pk)
    done = f"Group {group.name} was taken back: it is managed in the console again."
    return _move(request, group, lambda: directory.take_back(Caller.console(request), group), done)
