"""The fake Okta's browser pages and SAML endpoints, served beside its Management API.

GET  /                                          the end-user dashboard (QueryPie tile, Sign out)
GET  /app/{exk}/sso/saml/metadata               the Metadata URL
GET  /app/querypie/{exk}/sso/saml               SSO: a sign-in form listing the app's users
POST /app/querypie/{exk}/sso/saml               signs the chosen user in, auto-POSTs to the ACS
GET|POST /app/querypie/{exk}/slo/saml           Single Logout (the console's request or answer)
POST /login/signout                             signs out of Okta, then of QueryPie in an iframe
GET  /api/v1/apps/{id}/credentials/keys         the app's key credentials (SSWS token)
POST /api/v1/apps/{id}/credentials/keys/generate        Okta's "generate new certificate"
POST /api/v1/apps/{id}/credentials/keys/{kid}/activate  the Okta admin's "Activate" (fake only)
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import html
import json
import re
import secrets
import zlib
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from fake_okta import shapes
from fake_okta.model import User
from fake_okta.routes import Request, Response, RouteTable
from fake_okta.saml_idp import IdpSession, OktaSamlApp
from fake_okta.system_log import DOCUMENTATION_IP, sign_in_event, sso_event

COOKIE = "fake_okta_sid"
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
</head><body><h1>{title}</h1>{body}</body></html>"""
AUTO_POST = """<form method="post" action="{action}" id="saml-post">{fields}
<noscript><button type="submit">Continue</button></noscript></form>
<script>document.getElementById("saml-post").submit();</script>"""
_KEYS = re.compile(r"^/api/v1/apps/([^/]+)/credentials/keys(?:/(generate)|/([^/]+)/(activate))?$")
ROUTES = RouteTable()


class _Reply(Exception):
    def __init__(self, status: int, body: str, content_type: str = "text/html; charset=utf-8"):
        super().__init__(status)
        self.status, self.body, self.content_type = status, body, content_type
        self.headers: dict[str, str] = {}


def _page(title: str, body: str, status: int = 200) -> _Reply:
    return _Reply(status, PAGE.format(title=html.escape(title), body=body))


def _auto_post(action: str, **fields: str) -> str:
    inputs = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
        for name, value in fields.items()
        if value
    )
    return AUTO_POST.format(action=html.escape(action), fields=inputs)


def _parse_saml(value: str) -> etree._Element:
    """A SAML message from either binding: deflated (HTTP-Redirect) or plain (HTTP-POST)."""
    try:
        data = base64.b64decode(value)
        with contextlib.suppress(zlib.error):  # HTTP-POST messages are not deflated
            data = zlib.decompress(data, -15)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        return etree.fromstring(data, parser=parser)
    except (binascii.Error, ValueError, etree.XMLSyntaxError) as exc:
        raise _page("Bad SAML message", "<p>The SAML message cannot be read.</p>", 400) from exc


class _Request:
    """What a page needs of the request: method, path, parameters and the fake IdP session."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.fake = request.org
        self.app: OktaSamlApp = self.fake.saml
        self.path, self.method = request.path, request.method
        self.params = {k: v for k, v in request.params.items() if v}
        if self.method == "POST":
            body = request.body.decode("utf-8", "replace")
            self.params |= {k: v[-1] for k, v in parse_qs(body).items()}
        cookie = SimpleCookie(request.headers.get("Cookie", ""))
        self.sid = cookie[COOKIE].value if COOKIE in cookie else ""
        self.client_ip = request.client_ip or DOCUMENTATION_IP

    @property
    def session(self) -> IdpSession | None:
        return self.app.sessions.get(self.sid)

    def user(self, user_id: str) -> User | None:
        return self.fake.directory.users.get(user_id)


# Pages ----------------------------------------------------------------------------------------


def _dashboard(req: _Request) -> _Reply:
    session = req.session
    admin = '<p><a href="/admin">Admin Console</a>: change the org as an Okta admin.</p>'
    if session is None:
        link = f'<p><a href="{html.escape(req.app.sso_url)}">Sign in</a></p>'
        return _page("Okta (fake)", link + admin)
    login = html.escape(req.user(session.user_id).profile["login"])
    body = (
        f"<p>Signed in as {login}.</p>"
        f'<p><a class="app-tile" href="{html.escape(req.app.sso_url)}">QueryPie</a></p>'
        '<form method="post" action="/login/signout"><button type="submit">Sign out</button></form>'
        + admin
    )
    return _page("My Apps", body)


def _sign_in_form(req: _Request, error: str = "") -> _Reply:
    directory = req.fake.directory
    assigned = directory.app_users.get(directory.app_id, {})
    users = [
        u for uid, u in sorted(directory.users.items()) if uid in assigned and u.status == "ACTIVE"
    ]
    options = "".join(
        f'<option value="{u.id}">{html.escape(u.profile["login"])}</option>' for u in users[:200]
    )
    fields = "".join(
        f'<input type="hidden" name="{n}" value="{html.escape(req.params.get(n, ""))}">'
        for n in ("SAMLRequest", "RelayState")
    )
    body = (
        (f'<p role="alert">{html.escape(error)}</p>' if error else "")
        + f'<form method="post" action="{html.escape(req.app.sso_url)}">{fields}'
        f'<label>User <select name="user_id">{options}</select></label> '
        '<button type="submit">Sign in</button></form>'
        f"<p>{len(users)} users are assigned to QueryPie in this fake org.</p>"
    )
    return _page("Sign in to the fake Okta", body)


def _to_acs(req: _Request, session: IdpSession) -> _Reply:
    """The signed Response, auto-posted to the console; the sign-in to the app is logged."""
    directory = req.fake.directory
    directory.system_log.append(
        sso_event(directory, session.user_id, directory.app_id, ip_address=req.client_ip)
    )
    request_id = None
    if req.params.get("SAMLRequest"):
        request_id = _parse_saml(req.params["SAMLRequest"]).get("ID")
    saml_response = req.app.response(req.user(session.user_id), session, request_id)
    body = _auto_post(
        req.app.acs_url, SAMLResponse=saml_response, RelayState=req.params.get("RelayState", "")
    )
    return _page("Signing in to QueryPie…", body)


def _sso(req: _Request) -> _Reply:
    if req.method == "GET":
        session = req.session
        return _to_acs(req, session) if session else _sign_in_form(req)
    user = req.user(req.params.get("user_id", ""))
    if user is None or user.status != "ACTIVE":
        return _sign_in_form(req, "Choose a user assigned to QueryPie.")
    sid = secrets.token_urlsafe(16)
    req.app.sessions[sid] = IdpSession(user.id)
    req.fake.directory.record_sign_in(user.id)  # Okta's lastLogin
    req.fake.directory.system_log.append(
        sign_in_event(req.fake.directory, user.id, ip_address=req.client_ip)
    )
    reply = _to_acs(req, req.app.sessions[sid])
    reply.headers["Set-Cookie"] = f"{COOKIE}={sid}; Path=/; HttpOnly; SameSite=Lax"
    return reply


def _slo(req: _Request) -> _Reply:
    if req.params.get("SAMLResponse"):  # the console's answer to our LogoutRequest
        _parse_saml(req.params["SAMLResponse"])
        return _page("Signed out of QueryPie", "<p>QueryPie answered the sign-out.</p>")
    if not req.params.get("SAMLRequest"):
        raise _page("Bad SAML message", "<p>No SAMLRequest.</p>", 400)
    request = _parse_saml(req.params["SAMLRequest"])
    req.app.logout_requests.append(request)
    req.app.sessions.pop(req.sid, None)
    saml_response = req.app.logout_response(request.get("ID") or "")
    body = _auto_post(
        req.app.console_slo_url,
        SAMLResponse=saml_response,
        RelayState=req.params.get("RelayState", ""),
    )
    return _page("Signing out…", body)


def _sign_out(req: _Request) -> _Reply:
    """Okta's sign-out: end the Okta session, then Single Logout in a hidden iframe."""
    session = req.app.sessions.pop(req.sid, None)
    frame = ""
    if session is not None:
        _, saml_request = req.app.logout_request(req.user(session.user_id), session)
        inner = _auto_post(req.app.console_slo_url, SAMLRequest=saml_request)
        frame = f'<iframe hidden title="Single Logout" srcdoc="{html.escape(inner)}"></iframe>'
    body = f'<p>You are signed out of Okta.</p>{frame}<p><a href="/">Sign in again</a></p>'
    return _page("Signed out", body)


def _keys(req: _Request, match: re.Match) -> _Reply:
    """The key credentials API: SSWS token required, like the rest of the Management API."""
    if req.request.headers.get("Authorization", "") != f"SSWS {req.fake.token}":
        raise _Reply(401, json.dumps(shapes.error_body("E0000011")), "application/json")
    app_id, generate, kid, activate = match.groups()
    if app_id != req.fake.directory.app_id:
        raise _Reply(
            404,
            json.dumps(shapes.error_body("E0000007", f"{app_id} (AppInstance)")),
            "application/json",
        )
    if generate and req.method == "POST":
        body, status = req.app.generate_next_key().jwk(), 201
    elif activate and req.method == "POST":
        body, status = req.app.activate(kid).jwk(), 200
    else:
        body, status = [key.jwk() for key in req.app.keys], 200
    return _Reply(status, json.dumps(body), "application/json")


def _dispatch(req: _Request) -> _Reply | None:
    app = req.app
    if req.path == "/" and req.method == "GET":
        return _dashboard(req)
    if req.path == urlsplit(app.metadata_url).path and req.method == "GET":
        return _Reply(200, app.metadata_xml(), "application/samlmetadata+xml")
    if req.path == urlsplit(app.sso_url).path:
        return _sso(req)
    if req.path == urlsplit(app.slo_url).path:
        return _slo(req)
    if req.path == "/login/signout" and req.method == "POST":
        return _sign_out(req)
    match = _KEYS.match(req.path)
    return _keys(req, match) if match else None


@ROUTES.add(("GET", "POST"), r"^/$", "saml")
@ROUTES.add(("GET", "POST"), r"^/(?:app|login)/", "saml")
@ROUTES.add(("GET", "POST"), _KEYS.pattern, "saml")
def pages(request: Request) -> Response:
    """Every page under ``/``, ``/app/`` and ``/login/``, and the key credentials API."""
    req = _Request(request)
    try:
        reply = _dispatch(req)
    except _Reply as error:
        reply = error
    if reply is None:
        reply = _page("Not found", "<p>Not found.</p>", 404)
    return Response(reply.status, reply.body.encode(), reply.content_type, [*reply.headers.items()])
