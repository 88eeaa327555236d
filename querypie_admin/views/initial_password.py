"""An initial password travels from the POST that set it to the next page once.

It is never stored in clear: the session (a database row) holds it encrypted until the
user's page pops it, and that page is served with `Cache-Control: no-store`.
"""

import secrets

from django.http import HttpRequest, HttpResponse

from .. import encryption
from ..models import User

SESSION_KEY = "console_initial_password"
PURPOSE = b"console-initial-password-in-session"


def generate() -> str:
    return secrets.token_urlsafe(15)


def keep_once(request: HttpRequest, user: User, password: str) -> None:
    request.session[SESSION_KEY] = {
        "user": user.pk,
        "password": encryption.encrypt(password, PURPOSE),
    }


def pop(request: HttpRequest, user: User) -> str | None:
    """The password kept for `user`, once; any other user's is dropped unseen."""
    kept = request.session.pop(SESSION_KEY, None)
    if not kept or kept.get("user") != user.pk:
        return None
    try:
        return encryption.decrypt(kept["password"], PURPOSE)
    except encryption.SecretUnreadable:  # SECRET_KEY rotated between the POST and this page
        return None


def no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response
