"""Single Logout, both ways.

SP-initiated: "Sign out" ends the console session first, whatever follows, then sends the IdP a
signed LogoutRequest naming the assertion's NameID and SessionIndex; the IdP's LogoutResponse
must answer a request this SP sent. IdP-initiated: a signed LogoutRequest ends the sessions it
names through the registry (not the cookie) and gets a signed LogoutResponse; a refused one ends
nothing and gets a non-Success answer. Every step is audited as `sso.single_logout`.
"""

import datetime
import logging
from urllib.parse import urlsplit

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML as X

from querypie_admin import audit, audit_throttle

from . import sessions, slo_messages
from .models import ConsumedLogoutRequest, LogoutRequestSent, SamlSession, SamlSettings
from .refusals import SamlRefused
from .slo_verify import (
    Incoming,
    check_issuer_and_destination,
    check_signature,
    expires_at,
    read,
)

ACTION = "sso.single_logout"
REQUEST_LIFETIME = datetime.timedelta(minutes=10)
MESSAGE_ID_MAX = ConsumedLogoutRequest._meta.get_field("request_id").max_length
logger = logging.getLogger(__name__)


def _record(request: HttpRequest, step: str, outcome: str = "success", **detail) -> None:
    """One `sso.single_logout` event; a refusal of no signed-in user is anonymous, audited
    at most once a minute per client address, with a count (querypie_admin.audit_throttle)."""
    user = detail.pop("user", None)
    label = user.login_id if user is not None else (detail.get("name_id") or "unknown (SAML)")
    if outcome == "failure" and user is None:
        audit_throttle.record_refusal(
            "saml_single_logout",
            ACTION,
            request=request,
            actor=label[:255],
            target_label=label[:255],
            detail={"step": step, **detail},
        )
        return
    audit.record(
        ACTION,
        actor=user or label[:255],
        target=user,
        target_label=label[:255],
        outcome=outcome,
        detail={"step": step, **detail},
        request=request,
    )


# SP-initiated ---------------------------------------------------------------------------


def session_of(request: HttpRequest) -> SamlSession | None:
    """The SAML session of the signed-in user, read before the console session ends."""
    return sessions.take(request)


def logout_at_idp(request: HttpRequest, session: SamlSession | None) -> HttpResponse | None:
    """After the local sign-out: send the IdP a LogoutRequest for the session, or None when
    there is nothing to send (a password session, no Single Logout URL, a broken key)."""
    config = SamlSettings.load()
    if session is None or not config.slo_enabled:
        return None
    try:
        request_id, xml = slo_messages.logout_request(config, session)
        answer = slo_messages.send(config, slo_messages.SAML_REQUEST, xml)
    except Exception as exc:  # python3-saml and the key store raise many types; never a 500
        logger.warning("Single Logout could not start: %s", exc)
        _record(request, "request_not_sent", "failure", user=session.user, reason=str(exc)[:500])
        return None
    now = timezone.now()
    LogoutRequestSent.objects.filter(expires_at__lt=now).delete()
    LogoutRequestSent.objects.create(
        request_id=request_id, name_id=session.name_id, expires_at=now + REQUEST_LIFETIME
    )
    _record(
        request,
        "request_sent",
        user=session.user,
        name_id=session.name_id,
        session_index=session.session_index,
        binding=config.idp_slo_binding,
    )
    return answer


def _check_response(incoming: Incoming, request: HttpRequest, config: SamlSettings) -> str:
    """The NameID of the request it answers; SamlRefused when mismatched or unsolicited."""
    check_signature(incoming, config)
    check_issuer_and_destination(incoming, config)
    expires_at(incoming, config)
    irt = incoming.root.get("InResponseTo") or ""
    sent = LogoutRequestSent.objects.filter(request_id=irt, expires_at__gt=timezone.now()).first()
    if sent is None or not LogoutRequestSent.objects.filter(pk=sent.pk).delete()[0]:
        raise SamlRefused(f"InResponseTo {irt[:80]!r} is not a LogoutRequest this SP sent")
    status = X.query(incoming.root, "samlp:Status/samlp:StatusCode/@Value")
    if not status or status[0] != slo_messages.SUCCESS:
        raise SamlRefused(f"the IdP did not sign the user out ({(status or ['no status'])[0]})")
    return sent.name_id


def _logout_response(
    request: HttpRequest, incoming: Incoming, config: SamlSettings
) -> HttpResponse:
    """The IdP's answer to our LogoutRequest; the user is signed out locally either way."""
    try:
        name_id = _check_response(incoming, request, config)
    except SamlRefused as refusal:
        _record(request, "response_refused", "failure", reason=refusal.reason)
        messages.warning(
            request, "You are signed out of QueryPie. Okta's answer could not be accepted."
        )
        return redirect("login")
    _record(request, "response_accepted", name_id=name_id)
    messages.success(request, "You are signed out of QueryPie and Okta.")
    return redirect("login")


# IdP-initiated --------------------------------------------------------------------------


def _consume(incoming: Incoming, keep_until: int) -> None:
    request_id = incoming.message_id
    if not request_id or len(request_id) > MESSAGE_ID_MAX:
        raise SamlRefused("the LogoutRequest has no usable ID")
    until = datetime.datetime.fromtimestamp(keep_until, tz=datetime.UTC)
    ConsumedLogoutRequest.objects.filter(keep_until__lt=timezone.now()).delete()
    try:
        with transaction.atomic():
            ConsumedLogoutRequest.objects.create(request_id=request_id, keep_until=until)
    except IntegrityError as exc:
        raise SamlRefused(f"LogoutRequest {request_id[:80]} was already used (replay)") from exc


def _named_sessions(incoming: Incoming) -> tuple[str, str, list[str]]:
    name_ids = X.query(incoming.root, "saml:NameID")
    if len(name_ids) != 1 or not (name_ids[0].text or "").strip():
        raise SamlRefused("the LogoutRequest names no NameID")
    indexes = [(n.text or "").strip() for n in X.query(incoming.root, "samlp:SessionIndex")]
    return name_ids[0].text, name_ids[0].get("Format", ""), [i for i in indexes if i]


def _logout_request(request: HttpRequest, incoming: Incoming, config: SamlSettings) -> HttpResponse:
    try:
        check_signature(incoming, config)
        check_issuer_and_destination(incoming, config)
        keep_until = expires_at(incoming, config)
        name_id, name_id_format, indexes = _named_sessions(incoming)
        _consume(incoming, keep_until)
    except SamlRefused as refusal:
        _record(request, "request_refused", "failure", reason=refusal.reason)
        return _answer(request, config, incoming, slo_messages.REQUESTER)
    ended = sessions.end(name_id, name_id_format, indexes)
    users = {s.user for s in ended}
    _record(
        request,
        "request_accepted",
        user=next(iter(users)) if len(users) == 1 else None,
        name_id=name_id,
        session_indexes=indexes,
        sessions_ended=len(ended),
    )
    return _answer(request, config, incoming, slo_messages.SUCCESS)


def _answer(
    request: HttpRequest, config: SamlSettings, incoming: Incoming, status: str
) -> HttpResponse:
    """A signed LogoutResponse on the binding the request came by; without a Single Logout
    URL to answer to, a plain page."""
    ok = status == slo_messages.SUCCESS
    if config.idp_slo_url and incoming.message_id:
        xml = slo_messages.logout_response(config, incoming.message_id, status)
        try:
            return slo_messages.send(
                config, slo_messages.SAML_RESPONSE, xml, incoming.relay_state, incoming.binding
            )
        except Exception as exc:  # unusable saved settings: answer with a page, never a 500
            logger.warning("The LogoutResponse could not be sent: %s", exc)
    message = "You are signed out of QueryPie." if ok else "The sign-out request was refused."
    context = {"message": message}
    return render(request, "sso/signed_out.html", context, status=200 if ok else 400)


def idp_origin() -> str:
    """scheme://host[:port] of the IdP's Single Logout URL: the page whose iframe calls us."""
    parts = urlsplit(SamlSettings.load().idp_slo_url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def handle(request: HttpRequest) -> HttpResponse:
    """The Single Logout URL: a LogoutRequest from the IdP or its LogoutResponse to ours."""
    config = SamlSettings.load()
    try:
        if not config.sso_enabled:
            raise SamlRefused("SAML sign-in is not configured")
        incoming = read(request)
    except SamlRefused as refusal:
        _record(request, "message_refused", "failure", reason=refusal.reason)
        context = {"message": "The Single Logout message could not be accepted."}
        return render(request, "sso/signed_out.html", context, status=400)
    if incoming.saml_type == slo_messages.SAML_RESPONSE:
        return _logout_response(request, incoming, config)
    return _logout_request(request, incoming, config)
