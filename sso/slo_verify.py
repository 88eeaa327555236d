"""Checks on an incoming LogoutRequest or LogoutResponse, on either binding.

python3-saml's process_slo reads only the query string (HTTP-Redirect), through the
framework's decoded parameters, and accepts unsigned messages unless told otherwise; Okta
sends its LogoutResponse, and its IdP-initiated LogoutRequest, by HTTP-POST. So both
bindings are read here, with the same checks: a signature by a trusted IdP certificate
(required), the IdP's Issuer, the exact Destination, and the message's age.
"""

import base64
import binascii
import zlib
from dataclasses import dataclass

from django.http import HttpRequest
from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
from onelogin.saml2.utils import OneLogin_Saml2_Utils as U
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML as X

from .certificates import signer, trusted
from .models import IdpCertificate, SamlSettings
from .redirect_query import MESSAGES, RedirectQuery, parse, refuse_repeated_fields
from .refusals import SamlRefused
from .saml import slo_url

MAX_AGE_SECONDS = 600  # an IssueInstant older than this (plus the clock skew) has expired
MAX_MESSAGE_BYTES = 256 * 1024
STRONG_SIGNATURES = {C.RSA_SHA256, C.RSA_SHA384, C.RSA_SHA512}
STRONG_DIGESTS = {C.SHA256, C.SHA384, C.SHA512}
TAGS = {"SAMLRequest": "LogoutRequest", "SAMLResponse": "LogoutResponse"}


@dataclass(frozen=True)
class Incoming:
    saml_type: str  # SAMLRequest or SAMLResponse
    binding: str  # C.BINDING_HTTP_REDIRECT or C.BINDING_HTTP_POST
    root: etree._Element
    relay_state: str
    query: RedirectQuery | None  # HTTP-Redirect: the SAML parameters exactly as sent

    @property
    def message_id(self) -> str:
        return self.root.get("ID") or ""


def _decoded(value: str, deflated: bool) -> bytes:
    try:
        data = base64.b64decode(value, validate=False)
        if deflated:
            inflater = zlib.decompressobj(-15)
            data = inflater.decompress(data, MAX_MESSAGE_BYTES)
            if inflater.unconsumed_tail:
                raise SamlRefused("the Single Logout message is too large")
    except (binascii.Error, ValueError, zlib.error) as exc:
        raise SamlRefused("the Single Logout message is not valid base64 (deflated)") from exc
    if len(data) > MAX_MESSAGE_BYTES:
        raise SamlRefused("the Single Logout message is too large")
    return data


def _parameters(request: HttpRequest) -> tuple[dict[str, str], RedirectQuery | None]:
    """The SAML parameters by name, one value each: from the raw query string for
    HTTP-Redirect (sso.redirect_query), from the form for HTTP-POST."""
    if request.method == "GET":
        query = parse(request.META.get("QUERY_STRING", ""))
        return {name: query.value(name) for name in query.parts}, query
    refuse_repeated_fields(request.POST)
    fields = (*MESSAGES, "RelayState")
    return {name: request.POST[name] for name in fields if name in request.POST}, None


def read(request: HttpRequest) -> Incoming:
    """The logout message of this request, parsed and schema-valid, or SamlRefused."""
    params, query = _parameters(request)
    saml_type = next((name for name in TAGS if params.get(name)), None)
    if saml_type is None:
        raise SamlRefused("no SAMLRequest or SAMLResponse")
    redirect = query is not None
    data = _decoded(params[saml_type], deflated=redirect)
    try:
        root = X.to_etree(data)  # python3-saml's parser: no DTD, no entities
    except Exception as exc:  # any parse failure is a refusal, never a 500
        raise SamlRefused(f"the Single Logout message is not XML ({type(exc).__name__})") from exc
    if not isinstance(X.validate_xml(root, "saml-schema-protocol-2.0.xsd"), etree._Element):
        raise SamlRefused("the Single Logout message does not match the SAML 2.0 schema")
    if root.tag != f"{{{C.NS_SAMLP}}}{TAGS[saml_type]}":
        raise SamlRefused(f"{saml_type} does not carry a {TAGS[saml_type]}")
    binding = C.BINDING_HTTP_REDIRECT if redirect else C.BINDING_HTTP_POST
    return Incoming(saml_type, binding, root, params.get("RelayState", ""), query)


def _redirect_signer(incoming: Incoming, allowed: set) -> IdpCertificate:
    """The query's signature over the very parts the message was read from."""
    query = incoming.query
    signature, algorithm = query.value("Signature"), query.value("SigAlg")
    if not signature or not algorithm:
        raise SamlRefused(f"the {incoming.root.tag.split('}')[1]} is not signed")
    if algorithm not in allowed:
        raise SamlRefused(f"the signature algorithm {algorithm[:80]} is not accepted")
    try:
        signature_bytes = base64.b64decode(signature)
    except (binascii.Error, ValueError) as exc:
        raise SamlRefused("the Signature is not valid base64") from exc
    signed = query.signed(incoming.saml_type)
    for cert in trusted():
        if U.validate_binary_sign(signed, signature_bytes, U.format_cert(cert.der_b64), algorithm):
            return cert
    raise SamlRefused("signature validation failed: no trusted IdP certificate made it")


def _post_signer(incoming: Incoming, allowed: set, digests: set) -> IdpCertificate:
    """One enveloped signature, on the message itself, made by a trusted certificate."""
    root = incoming.root
    signatures = X.query(root, "//ds:Signature")
    if not signatures:
        raise SamlRefused(f"the {root.tag.split('}')[1]} is not signed")
    if len(signatures) != 1 or signatures[0].getparent() is not root:
        raise SamlRefused("the message must carry exactly one signature, on itself")
    references = X.query(signatures[0], "ds:SignedInfo/ds:Reference")
    if len(references) != 1 or references[0].get("URI") != f"#{incoming.message_id}":
        raise SamlRefused("the signature does not cover the message")
    method = X.query(signatures[0], "ds:SignedInfo/ds:SignatureMethod/@Algorithm")
    digest = X.query(references[0], "ds:DigestMethod/@Algorithm")
    if not method or method[0] not in allowed or not digest or digest[0] not in digests:
        raise SamlRefused("the signature or digest algorithm is not accepted")
    cert = signer(root, signatures[0])
    if cert is None:
        raise SamlRefused("signature validation failed: no trusted IdP certificate made it")
    return cert


def check_signature(incoming: Incoming, config: SamlSettings) -> IdpCertificate:
    """The trusted certificate that signed the message; unsigned or other keys are refused."""
    allowed = STRONG_SIGNATURES | ({C.RSA_SHA1} if config.allow_sha1 else set())
    digests = STRONG_DIGESTS | ({C.SHA1} if config.allow_sha1 else set())
    if incoming.query is not None:
        return _redirect_signer(incoming, allowed)
    return _post_signer(incoming, allowed, digests)


def check_issuer_and_destination(incoming: Incoming, config: SamlSettings) -> None:
    issuer = X.query(incoming.root, "saml:Issuer")
    if not issuer or (issuer[0].text or "").strip() != config.idp_entity_id:
        raise SamlRefused(f"the Issuer is not {config.idp_entity_id}")
    if incoming.root.get("Destination") != slo_url():
        raise SamlRefused(f"Destination is not {slo_url()}")


def expires_at(incoming: Incoming, config: SamlSettings) -> int:
    """When the message stops being acceptable (a Unix time); SamlRefused if it already has."""
    skew, now = config.clock_skew_seconds, U.now()
    try:
        issued = U.parse_SAML_to_time(incoming.root.get("IssueInstant") or "")
        not_on_or_after = incoming.root.get("NotOnOrAfter")
        until = U.parse_SAML_to_time(not_on_or_after) if not_on_or_after else None
    except ValueError as exc:
        raise SamlRefused("the message's times cannot be read") from exc
    if issued > now + skew:
        raise SamlRefused("the message was issued in the future")
    expiry = min(issued + MAX_AGE_SECONDS, until or issued + MAX_AGE_SECONDS) + skew
    if expiry <= now:
        raise SamlRefused("the message has expired")
    return expiry
