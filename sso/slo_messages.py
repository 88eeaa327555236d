"""Outgoing Single Logout messages: the SP's LogoutRequest and LogoutResponse, signed with
RSA-SHA256 and sent on the IdP's binding (HTTP-Redirect or HTTP-POST).

python3-saml builds and signs them, except for one detail: its LogoutRequest drops an
"unspecified" NameID Format, and the IdP must get back the NameID, Format and qualifiers of
the assertion exactly, so the NameID element is built here with python3-saml's own helper.
"""

from xml.sax.saxutils import escape

from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
from onelogin.saml2.utils import OneLogin_Saml2_Utils as U
from onelogin.saml2.xml_templates import OneLogin_Saml2_Templates as T

from .keys import ensure_sp_key_pair
from .models import SamlSession, SamlSettings
from .saml import SLO_PATH, request_data, saml_settings, sp_entity_id

SUCCESS = C.STATUS_SUCCESS
REQUESTER = C.STATUS_REQUESTER  # the IdP's request was refused
SAML_REQUEST, SAML_RESPONSE = "SAMLRequest", "SAMLResponse"


def _now() -> str:
    return U.parse_time_to_SAML(U.now())


def _attr(value: str) -> str:
    """A value for the python3-saml templates, which put it inside double quotes."""
    return escape(value, {'"': "&quot;"})


def logout_request(config: SamlSettings, session: SamlSession) -> tuple[str, str]:
    """(ID, XML) of a LogoutRequest naming the session's NameID, Format, qualifiers and
    SessionIndex exactly as the assertion gave them."""
    request_id = U.generate_unique_id()
    name_id = U.generate_name_id(
        session.name_id,
        session.sp_name_qualifier or None,
        session.name_id_format or None,
        None,
        False,
        session.name_qualifier or None,
    )
    index = session.session_index
    xml = T.LOGOUT_REQUEST % {
        "id": request_id,
        "issue_instant": _now(),
        "single_logout_url": _attr(config.idp_slo_url),
        "entity_id": escape(sp_entity_id()),
        "name_id": name_id,
        "session_index": f"<samlp:SessionIndex>{escape(index)}</samlp:SessionIndex>"
        if index
        else "",
    }
    return request_id, xml


def logout_response(config: SamlSettings, in_response_to: str, status: str) -> str:
    """A LogoutResponse to the IdP's request `in_response_to`."""
    return T.LOGOUT_RESPONSE % {
        "id": U.generate_unique_id(),
        "issue_instant": _now(),
        "destination": _attr(config.idp_slo_url),
        "in_response_to": _attr(in_response_to),
        "entity_id": escape(sp_entity_id()),
        "status": status,
    }


def _redirect(config: SamlSettings, saml_type: str, xml: str, relay_state: str) -> HttpResponse:
    """HTTP-Redirect: deflated, with the signature over the query string."""
    params = {saml_type: U.deflate_and_base64_encode(xml)}
    if relay_state:
        params["RelayState"] = relay_state
    auth = OneLogin_Saml2_Auth(request_data(SLO_PATH), old_settings=saml_settings(config))
    if saml_type == SAML_REQUEST:
        auth.add_request_signature(params, C.RSA_SHA256)
    else:
        auth.add_response_signature(params, C.RSA_SHA256)
    return HttpResponseRedirect(U.redirect(config.idp_slo_url, params, request_data(SLO_PATH)))


def _post(config: SamlSettings, saml_type: str, xml: str, relay_state: str) -> HttpResponse:
    """HTTP-POST: an enveloped signature, in a form the browser submits at once."""
    cert, key = ensure_sp_key_pair(config)
    signed = U.add_sign(xml, key, cert, sign_algorithm=C.RSA_SHA256, digest_algorithm=C.SHA256)
    context = {
        "action": config.idp_slo_url,
        "name": saml_type,
        "value": U.b64encode(signed),
        "relay_state": relay_state,
    }
    return HttpResponse(render_to_string("sso/post_binding.html", context))


def send(
    config: SamlSettings, saml_type: str, xml: str, relay_state: str = "", binding: str = ""
) -> HttpResponse:
    """Send a message to the IdP's Single Logout URL on `binding` (default: the IdP's)."""
    binding = binding or config.idp_slo_binding
    sender = _post if binding == C.BINDING_HTTP_POST else _redirect
    return sender(config, saml_type, xml, relay_state)
