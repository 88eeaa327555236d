"""The SAML session registry: which console session each assertion opened.

Okta's LogoutRequest reaches the console in a hidden cross-site iframe, so the session cookie
may not come with it. The registry finds the sessions to end by NameID and SessionIndex, and
ends them in the session store itself. A record lives as long as its console session can:
Django moves a session's expiry SESSION_COOKIE_AGE past each save, so a session can outlive
SESSION_COOKIE_AGE from its sign-in, and its record must stay for Okta's logout to find it.
"""

import datetime
from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.models import Session
from django.http import HttpRequest
from django.utils import timezone

from .acs import SamlIdentity
from .models import SamlSession

DATABASE_ENGINES = {
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
}


def _store(session_key: str | None = None):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


def _alive(session_key: str) -> bool:
    """Does the console session still exist and not expired? Loading an ended one clears
    the store's key (every Django session engine does so)."""
    store = _store(session_key)
    store.load()
    return store.session_key is not None


def purge_ended() -> None:
    """Forget the records whose console session has ended: the IdP's SessionNotOnOrAfter
    passed, or (past SESSION_COOKIE_AGE, the earliest a session can expire by itself) the
    session is gone from the store. A session still alive keeps its record however old."""
    now = timezone.now()
    SamlSession.objects.filter(not_on_or_after__lte=now).delete()
    oldest = now - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    candidates = SamlSession.objects.filter(created_at__lt=oldest)
    if settings.SESSION_ENGINE in DATABASE_ENGINES:  # one statement, whatever the number
        alive = Session.objects.filter(expire_date__gt=now).values("session_key")
        candidates.exclude(session_key__in=alive).delete()
        return
    keys = set(candidates.values_list("session_key", flat=True))
    candidates.filter(session_key__in=[k for k in keys if not _alive(k)]).delete()


def register(request: HttpRequest, user: AbstractBaseUser, identity: SamlIdentity) -> SamlSession:
    """Keep the signed-in session with the assertion's NameID, qualifiers and SessionIndex;
    a SessionNotOnOrAfter earlier than the console's own limit ends the session sooner."""
    if request.session.session_key is None:
        request.session.save()
    purge_ended()
    now = timezone.now()
    until = None
    if identity.session_not_on_or_after:
        until = datetime.datetime.fromtimestamp(identity.session_not_on_or_after, tz=datetime.UTC)
        if until < now + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE):
            request.session.set_expiry(until)
    return SamlSession.objects.create(
        session_key=request.session.session_key,
        user=user,
        name_id=identity.name_id,
        name_id_format=identity.name_id_format,
        name_qualifier=identity.name_qualifier,
        sp_name_qualifier=identity.sp_name_qualifier,
        session_index=identity.session_index,
        not_on_or_after=until,
    )


def take(request: HttpRequest) -> SamlSession | None:
    """The SAML session of this request, removed from the registry (the user signs out)."""
    key = request.session.session_key
    if not key:
        return None
    found = SamlSession.objects.filter(session_key=key).order_by("-id").first()
    SamlSession.objects.filter(session_key=key).delete()
    return found


def end(name_id: str, name_id_format: str, session_indexes: list[str]) -> list[SamlSession]:
    """End the sessions Okta names: exactly those SessionIndexes, or every session of the
    NameID when it names none. A Format, when given, must match the one kept."""
    sessions = SamlSession.objects.filter(name_id=name_id).select_related("user")
    if name_id_format:
        sessions = sessions.filter(name_id_format__in=[name_id_format, ""])
    if session_indexes:
        sessions = sessions.filter(session_index__in=session_indexes)
    ended = list(sessions)
    for session in ended:
        _store(session.session_key).delete()
    SamlSession.objects.filter(pk__in=[s.pk for s in ended]).delete()
    return ended
