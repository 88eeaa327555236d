"""Password sign-in with an audited reason for every refusal."""

from django.contrib.auth import authenticate
from django.http import HttpRequest

from . import audit, lockout
from .models import User

REFUSAL = "The login ID or password is incorrect, or the account is inactive."


def failure_reason(login_id: str, password: str) -> str:
    """Why a sign-in failed, for the audit log only: the page shows one generic message."""
    user = User.objects.filter(login_id__ci_exact=login_id).first()
    if user is None:
        return "unknown login ID"
    if not user.is_active:
        return "inactive account"
    if user.is_managed_externally:
        return "account is managed by Okta (signs in with Okta)"
    if not user.has_usable_password():
        return "account has no password (IdP sign-in only)"
    return "wrong password"


class SignInLocked(Exception):
    """Too many recent failures for this login ID or address; the message says what to do."""


def _audit_refusal(request: HttpRequest, login_id: str, reason: str) -> None:
    audit.record(
        "auth.signin",
        actor=login_id[:255],
        target_label=login_id[:255],
        outcome="failure",
        detail={"method": "password", "reason": reason},
        ip=audit.client_ip(request),
    )


def _begin(request: HttpRequest, login_id: str) -> lockout.Attempt:
    """Take the attempt's lock-out slots before any password check, or refuse it."""
    try:
        return lockout.begin(login_id, audit.client_ip(request))
    except lockout.Locked as locked:
        _audit_refusal(request, login_id, f"locked out (too many failures, {locked.reason})")
        raise SignInLocked(lockout.message()) from None


def sign_in(request: HttpRequest, login_id: str, password: str) -> User | None:
    """The user, or None on a wrong login; SignInLocked after too many recent failures."""
    attempt = _begin(request, login_id)
    user = authenticate(request, username=login_id, password=password)
    if user is None:  # the attempt keeps its slots: one failure counted
        _audit_refusal(request, login_id, failure_reason(login_id, password))
        return None
    lockout.succeeded(attempt)
    audit.record(
        "auth.signin",
        actor=user,
        target=user,
        detail={"method": "password"},
        ip=audit.client_ip(request),
    )
    return user
