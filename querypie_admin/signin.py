"""Password sign-in with an audited reason for every refusal."""

from django.contrib.auth import authenticate
from django.http import HttpRequest

from . import audit
from .models import User

REFUSAL = "The login ID or password is incorrect, or the account is inactive."


def failure_reason(login_id: str, password: str) -> str:
    """Why a sign-in failed, for the audit log only: the page shows one generic message."""
    user = User.objects.filter(login_id__ci_exact=login_id).first()
    if user is None:
        return "unknown login ID"
    if not user.is_active:
        return "inactive account"
    if not user.has_usable_password():
        return "account has no password (IdP sign-in only)"
    return "wrong password"


def sign_in(request: HttpRequest, login_id: str, password: str) -> User | None:
    user = authenticate(request, username=login_id, password=password)
    if user is None:
        reason = failure_reason(login_id, password)
        audit.record(
            "auth.signin",
            actor=login_id[:255],
            target_label=login_id[:255],
            outcome="failure",
            detail={"method": "password", "reason": reason},
            request=request,
        )
        return None
    audit.record(
        "auth.signin", actor=user, target=user, detail={"method": "password"}, request=request
    )
    return user
