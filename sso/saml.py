"""python3-saml set-up: settings, request data and AuthnRequests, all from CONSOLE_BASE_URL.

Every URL python3-saml sees is built from CONSOLE_BASE_URL, never from the Host header, so the
console works behind a TLS-terminating proxy and a forged Host cannot move the ACS.
"""

import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from lxml import etree
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from .certificates import trusted
from .keys import ensure_sp_key_pair
from .models import SamlRequest, SamlSettings

ACS_PATH = "/saml/sp/acs"
METADATA_PATH = "/saml/sp/metadata"
LOGIN_PATH = "/saml/sp/login"
SLO_PATH = "/saml/sp/slo"
MD_NS = "urn:oasis:names:tc:SAML:2.0:metadata"
NAMEID_UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
REQUEST_LIFETIME = datetime.timedelta(minutes=10)


def acs_url() -> str:
    return settings.CONSOLE_BASE_URL + ACS_PATH


def sp_entity_id() -> str:
    return settings.CONSOLE_BASE_URL + METADATA_PATH


def slo_url() -> str:
    """The Single Logout URL: Okta's LogoutRequests and LogoutResponses, either binding."""
    return settings.CONSOLE_BASE_URL + SLO_PATH


def _sp_settings(config: SamlSettings) -> dict[str, Any]:
    """The SP always has its key pair: it signs every LogoutRequest and LogoutResponse."""
    sp: dict[str, Any] = {
        "entityId": sp_entity_id(),
        "assertionConsumerService": {"url": acs_url(), "binding": C.BINDING_HTTP_POST},
        "singleLogoutService": {"url": slo_url(), "binding": C.BINDING_HTTP_REDIRECT},
        "NameIDFormat": NAMEID_UNSPECIFIED,
    }
    sp["x509cert"], sp["privateKey"] = ensure_sp_key_pair(config)
    if config.sp_next_certificate_pem:
        sp["x509certNew"] = config.sp_next_certificate_pem
    return sp


def _idp_settings(config: SamlSettings) -> dict[str, Any]:
    idp: dict[str, Any] = {
        "entityId": config.idp_entity_id,
        "singleSignOnService": {"url": config.idp_sso_url, "binding": C.BINDING_HTTP_REDIRECT},
    }
    if config.idp_slo_url:
        idp["singleLogoutService"] = {"url": config.idp_slo_url, "binding": config.idp_slo_binding}
    certs = [cert.der_b64 for cert in trusted()]
    if len(certs) == 1:
        idp["x509cert"] = certs[0]
    elif certs:
        idp["x509certMulti"] = {"signing": certs}
    return idp


def _security_settings(config: SamlSettings) -> dict[str, Any]:
    """Every check set explicitly: python3-saml 1.16's defaults are not ours."""
    return {
        "authnRequestsSigned": config.sign_authn_requests,
        "wantAssertionsSigned": True,
        "wantMessagesSigned": False,  # the logout messages are checked in sso.slo_verify
        "logoutRequestSigned": True,
        "logoutResponseSigned": True,
        "wantAssertionsEncrypted": False,
        "wantNameIdEncrypted": False,
        "wantNameId": True,
        "wantAttributeStatement": False,
        "rejectDeprecatedAlgorithm": not config.allow_sha1,
        "requestedAuthnContext": False,
        "signMetadata": False,
        "allowSingleLabelDomains": True,  # intranet hosts such as https://querypie
        "signatureAlgorithm": C.RSA_SHA256,
        "digestAlgorithm": C.SHA256,
    }


def saml_settings(config: SamlSettings, sp_only: bool = False) -> OneLogin_Saml2_Settings:
    data = {
        "strict": True,
        "debug": False,
        "sp": _sp_settings(config),
        "idp": {} if sp_only else _idp_settings(config),
        "security": _security_settings(config),
    }
    return OneLogin_Saml2_Settings(data, sp_validation_only=sp_only)


def request_data(path: str, get: dict | None = None, post: dict | None = None) -> dict:
    """python3-saml's view of the request, as the public URL says it is."""
    base = urlsplit(settings.CONSOLE_BASE_URL)
    host = base.hostname + (f":{base.port}" if base.port else "")
    return {
        "https": "on" if base.scheme == "https" else "off",
        "http_host": host,
        "script_name": base.path.rstrip("/") + path,
        "get_data": dict(get or {}),
        "post_data": dict(post or {}),
    }


def _with_post_slo(metadata: str) -> str:
    """python3-saml lists one SingleLogoutService; the console takes both bindings."""
    root = etree.fromstring(metadata.encode())
    redirect = root.find(f".//{{{MD_NS}}}SingleLogoutService")
    post = etree.Element(
        f"{{{MD_NS}}}SingleLogoutService", Binding=C.BINDING_HTTP_POST, Location=slo_url()
    )
    redirect.addnext(post)
    return etree.tostring(root, encoding="unicode")


def sp_metadata_xml(config: SamlSettings) -> str:
    """SP metadata: entity ID, ACS (HTTP-POST), Single Logout (Redirect and POST), NameID
    format, and the signing certificate (with the next one while a rollover is under way)."""
    sp_settings = saml_settings(config, sp_only=True)
    metadata = sp_settings.get_sp_metadata()
    return _with_post_slo(metadata.decode() if isinstance(metadata, bytes) else metadata)


def start_login(config: SamlSettings, relay_state: str) -> str:
    """The IdP URL carrying a new AuthnRequest (HTTP-Redirect); its ID is kept for the ACS."""
    auth = OneLogin_Saml2_Auth(request_data(LOGIN_PATH), old_settings=saml_settings(config))
    url = auth.login(return_to=relay_state)
    now = timezone.now()
    SamlRequest.objects.filter(expires_at__lt=now).delete()
    SamlRequest.objects.create(
        request_id=auth.get_last_request_id(),
        relay_state=relay_state,
        expires_at=now + REQUEST_LIFETIME,
    )
    return url
