"""A tiny HTTP IdP on 127.0.0.1 for browser tests: metadata, a sign-in form, an auto-POST.

    with IdpServer(acs_url=..., audience=..., users={"jane@corp.example": "pw"}) as server:
        server.metadata_url      # GET: the IdP metadata (its SSO URL points at this server)
        server.idp               # the TestIdentityProvider, to configure the console with

GET {server.sso_url}?SAMLRequest=…&RelayState=… (HTTP-Redirect, SP-initiated) or with no
SAMLRequest (IdP-initiated) shows a form with "Username", "Password" and a "Sign in" button;
its POST answers with an HTML form holding SAMLResponse and RelayState that a tiny inline
script submits to the SP's ACS (a "Continue" button does the same without script). Sign-ins
get SessionIndex s1, s2, … in order.

With single_logout=True the metadata lists {base}/slo: a LogoutRequest the SP sends there (either
binding) is kept in `server.logout_requests` and answered with a signed LogoutResponse,
auto-POSTed back. GET {base}/okta-signout?session_index=sN is Okta's sign-out page: a hidden
iframe POSTs a signed LogoutRequest to the SP; its answer lands in `server.logout_responses`.
"""

import base64
import html
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from .idp import ResponseSpec, TestIdentityProvider
from .logout import LogoutSpec, logout_request_xml, logout_response_xml, post_value

SIGN_IN_PAGE = """<!doctype html><html><head><title>Test IdP sign-in</title></head><body>
<h1>Test IdP</h1>{error}
<form method="post" action="{action}">
<input type="hidden" name="SAMLRequest" value="{saml_request}">
<input type="hidden" name="RelayState" value="{relay_state}">
<label>Username <input name="username" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button>
</form></body></html>"""

AUTO_POST_PAGE = """<!doctype html><html><head><title>Signing in…</title></head><body>
<form method="post" action="{acs}" id="saml-post">
<input type="hidden" name="{name}" value="{saml_response}">
<input type="hidden" name="RelayState" value="{relay_state}">
<button type="submit">Continue</button>
</form>
<script>document.getElementById("saml-post").submit();</script>
</body></html>"""


def authn_request_id(saml_request: str) -> str | None:
    """The ID of a deflated, base64 AuthnRequest (HTTP-Redirect binding)."""
    if not saml_request:
        return None
    xml = zlib.decompress(base64.b64decode(saml_request), -15)
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(xml, parser=parser).get("ID")


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, format: str, *args) -> None:  # keep test output quiet
        pass

    def _send(self, body: str, content_type: str = "text/html; charset=utf-8", status=200):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/metadata":
            self._send(self.server.idp.metadata_xml(), "application/samlmetadata+xml")
        elif url.path == "/sso":
            self._send(self._sign_in_page(query))
        elif url.path == "/slo" and "SAMLRequest" in query:
            self._send(self.server.logout_answer(query, deflated=True))
        elif url.path == "/okta-signout":  # Okta's sign-out page: SLO in a hidden iframe
            src = html.escape(f"/slo-start?{url.query}")
            self._send(
                f'<!doctype html><p>Signed out of Okta.</p><iframe hidden src="{src}"></iframe>'
            )
        elif url.path == "/slo-start":
            self._send(self.server.logout_request_page(query.get("session_index", "")))
        else:
            self._send("Not found", "text/plain", 404)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if urlsplit(self.path).path == "/slo" and "SAMLRequest" in form:  # HTTP-POST binding
            self._send(self.server.logout_answer(form, deflated=False))
            return
        if urlsplit(self.path).path == "/slo":  # the SP's answer to an IdP-initiated logout
            answer = base64.b64decode(form.get("SAMLResponse", ""))
            self.server.logout_responses.append(
                etree.fromstring(answer, etree.XMLParser(resolve_entities=False))
            )
            self._send("<!doctype html><title>Signed out</title><p>Signed out.</p>")
            return
        if urlsplit(self.path).path != "/sso":
            self._send("Not found", "text/plain", 404)
            return
        username = form.get("username", "")
        if self.server.users.get(username) != form.get("password") or not username:
            self._send(self._sign_in_page(form, "The username or password is incorrect."))
            return
        self._send(self.server.auto_post_page(username, form))

    def _sign_in_page(self, values: dict, error: str = "") -> str:
        return SIGN_IN_PAGE.format(
            error=f'<p role="alert">{html.escape(error)}</p>' if error else "",
            action=html.escape(self.server.idp.sso_url),
            saml_request=html.escape(values.get("SAMLRequest", "")),
            relay_state=html.escape(values.get("RelayState", "")),
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, idp, users, acs_url, audience, attributes):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.idp, self.users = idp, users
        self.acs_url, self.audience, self.attributes = acs_url, audience, attributes
        self.sign_ins = 0
        self.logout_requests: list[etree._Element] = []
        self.logout_responses: list[etree._Element] = []
        self.last_user = ""
        self._lock = threading.Lock()

    def auto_post_page(self, username: str, form: dict) -> str:
        attributes = self.attributes.get(username, {"loginId": username, "email": username})
        with self._lock:
            self.sign_ins += 1
            session_index = f"s{self.sign_ins}"
            self.last_user = username
        spec = ResponseSpec(
            name_id=username,
            audience=self.audience,
            destination=self.acs_url,
            attributes=attributes,
            in_response_to=authn_request_id(form.get("SAMLRequest", "")),
            session_index=session_index,
        )
        return AUTO_POST_PAGE.format(
            name="SAMLResponse",
            acs=html.escape(self.acs_url),
            saml_response=html.escape(self.idp.response(spec)),
            relay_state=html.escape(form.get("RelayState", "")),
        )

    def logout_answer(self, query: dict, *, deflated: bool) -> str:
        """Keep the SP's LogoutRequest and POST back a signed Success LogoutResponse."""
        xml = base64.b64decode(query["SAMLRequest"])
        xml = zlib.decompress(xml, -15) if deflated else xml
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        request = etree.fromstring(xml, parser=parser)
        self.logout_requests.append(request)
        response = logout_response_xml(
            in_response_to=request.get("ID"),
            destination=self.sp_slo_url,
            issuer=self.idp.entity_id,
            keys=self.idp.keys,
        )
        return AUTO_POST_PAGE.format(
            name="SAMLResponse",
            acs=html.escape(self.sp_slo_url),
            saml_response=html.escape(post_value(response)),
            relay_state=html.escape(query.get("RelayState", "")),
        )

    @property
    def sp_slo_url(self) -> str:
        return self.acs_url.rsplit("/", 1)[0] + "/slo"

    def logout_request_page(self, session_index: str) -> str:
        """Okta's iframe: a signed LogoutRequest for the last user, auto-POSTed to the SP."""
        spec = LogoutSpec(
            name_id=self.last_user,
            destination=self.sp_slo_url,
            issuer=self.idp.entity_id,
            session_indexes=[session_index] if session_index else [],
        )
        xml = logout_request_xml(spec, self.idp.keys)
        return AUTO_POST_PAGE.format(
            name="SAMLRequest",
            acs=html.escape(self.sp_slo_url),
            saml_response=post_value(xml),
            relay_state="",
        )


class IdpServer:
    """Run the test IdP over HTTP on an ephemeral 127.0.0.1 port, as a context manager."""

    def __init__(
        self,
        *,
        acs_url: str,
        audience: str,
        users: dict[str, str],
        attributes: dict[str, dict] | None = None,
        idp: TestIdentityProvider | None = None,
        single_logout: bool = False,
    ) -> None:
        self.idp = idp or TestIdentityProvider()
        self._server = _Server(self.idp, users, acs_url, audience, attributes or {})
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.idp.sso_url = self.base_url + "/sso"
        if single_logout:
            self.idp.slo_url, self.idp.slo_bindings = self.base_url + "/slo", ("redirect",)
        self.logout_requests = self._server.logout_requests
        self.logout_responses = self._server.logout_responses
        self.metadata_url = self.base_url + "/metadata"
        self.sso_url = self.idp.sso_url
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "IdpServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
