"""Who may call a console view, declared where the view is.

Every view carries an `AccessRule`: which role may read it (GET, HEAD) and which may write
(POST and the other methods), with an override per `op` field for pages whose form posts
several buttons. Four levels:

- `ANONYMOUS`: public on purpose; each such view has its own protection (a signature, a
  bearer token, a header secret) or needs none.
- `SIGNED_IN`: any signed-in user, whatever the role.
- `ADMIN`: Owner and System Admin (the Administrator pages).
- `OWNER`: only an active Owner. Whatever decides who is who (the IdP and its certificates,
  SCIM tokens, the Okta URL and tokens, role mappings, hook secrets, guard thresholds) is an
  Owner's to change: a System Admin who could change it could make themselves an Owner.

tests/security/test_access_rules.py walks the URL conf and fails on a view with no rule.
"""

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from . import audit
from .models import Role

View = Callable[..., HttpResponse]

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
OWNER_ONLY_MESSAGE = "Only an Owner can change this."


class OwnerRequired(PermissionDenied):
    """Raised by a service when this particular write needs an Owner (confirming held
    promotions): Django answers 403 with the message, like a view's declared rule."""


class Access(enum.StrEnum):
    ANONYMOUS = "anonymous"
    SIGNED_IN = "signed in"
    ADMIN = "System Admin"
    OWNER = "Owner"


@dataclass(frozen=True)
class AccessRule:
    read: Access
    write: Access
    ops: Mapping[str, Access] = field(default_factory=dict)

    def needed(self, request: HttpRequest) -> Access:
        """The level this request needs: by method, then by the posted `op` button."""
        if request.method in READ_METHODS:
            return self.read
        return self.ops.get(request.POST.get("op", ""), self.write)

    @property
    def levels(self) -> set[Access]:
        return {self.read, self.write, *self.ops.values()}


def may(user, level: Access) -> bool:
    """Whether `user` (maybe anonymous) has `level`; the user is read anew each request, so
    an Owner demoted a moment ago in another session is not one here."""
    if level == Access.ANONYMOUS:
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if level == Access.SIGNED_IN:
        return True
    if level == Access.ADMIN:
        return user.is_console_admin
    return user.role == Role.OWNER


def _refuse(request: HttpRequest, level: Access) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if level == Access.OWNER and request.user.is_console_admin:
        # A System Admin reaching for trust settings is worth an auditor's look.
        audit.record(
            "console.owner_only_refused",
            actor=request.user,
            target_label=request.path[:255],
            outcome="failure",
            detail={"reason": OWNER_ONLY_MESSAGE, "op": request.POST.get("op", "")[:64]},
            request=request,
        )
        raise PermissionDenied(OWNER_ONLY_MESSAGE)
    raise PermissionDenied("Administrator pages are for Owner and System Admin.")


def console_view(
    read: Access, write: Access | None = None, ops: Mapping[str, Access] | None = None
) -> Callable[[View], View]:
    """Declare and enforce who may read and write a view (write defaults to read)."""
    rule = AccessRule(read, write or read, dict(ops or {}))

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            level = rule.needed(request)
            if not may(request.user, level):
                return _refuse(request, level)
            return view(request, *args, **kwargs)

        wrapper.access_rule = rule
        return wrapper

    return decorate


def public(view: View) -> View:
    """Declares a view open to anonymous callers: it must protect itself, or need nothing."""
    view.access_rule = AccessRule(Access.ANONYMOUS, Access.ANONYMOUS)
    return view


signed_in_required = console_view(Access.SIGNED_IN)
admin_required = console_view(Access.ADMIN)
owner_required = console_view(Access.OWNER)
# A panel that decides whom the console trusts: System Admins read it, Owners change it.
trust_settings = console_view(Access.ADMIN, Access.OWNER)


def can_change_trust(request: HttpRequest) -> bool:
    """For templates: show a trust panel's forms, or "Only an Owner can change this"."""
    return may(request.user, Access.OWNER)
