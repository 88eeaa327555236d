"""The test IdP's Single Logout messages, built with pysaml2 and signed outside python3-saml.

HTTP-POST messages carry an enveloped signature made by xmlsec1; HTTP-Redirect messages are
signed over the query string with `cryptography` (RSA-SHA256), as the binding defines.
"""

import base64
import datetime
import zlib
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote_plus, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree
from saml2 import saml, samlp

from .idp import NAMEID_UNSPECIFIED, new_id, saml_time
from .keys import KeyPair
from .signing import sign, signature_template

RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
REQUEST_NODE = "urn:oasis:names:tc:SAML:2.0:protocol:LogoutRequest"
RESPONSE_NODE = "urn:oasis:names:tc:SAML:2.0:protocol:LogoutResponse"
NS = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}


@dataclass
class LogoutSpec:
    """One LogoutRequest from the IdP; defaults are a valid Okta-like request."""

    name_id: str
    destination: str
    issuer: str
    session_indexes: list[str] = field(default_factory=list)
    name_id_format: str = NAMEID_UNSPECIFIED
    request_id: str | None = None
    issued_at: datetime.datetime | None = None
    not_on_or_after: datetime.datetime | None = None
    signing_keys: KeyPair | None = None
    signed: bool = True


def logout_request_xml(spec: LogoutSpec, keys: KeyPair, *, enveloped: bool = True) -> str:
    """The LogoutRequest XML; with `enveloped`, signed inside (the HTTP-POST binding)."""
    keys = spec.signing_keys or keys
    request_id = spec.request_id or new_id()
    issued = spec.issued_at or datetime.datetime.now(datetime.UTC)
    sign_inside = spec.signed and enveloped
    request = samlp.LogoutRequest(
        id=request_id,
        version="2.0",
        issue_instant=saml_time(issued),
        destination=spec.destination,
        not_on_or_after=saml_time(spec.not_on_or_after) if spec.not_on_or_after else None,
        issuer=saml.Issuer(text=spec.issuer, format=saml.NAMEID_FORMAT_ENTITY),
        signature=signature_template(request_id, keys) if sign_inside else None,
        name_id=saml.NameID(text=spec.name_id, format=spec.name_id_format),
        session_index=[samlp.SessionIndex(text=index) for index in spec.session_indexes],
    )
    xml = str(request)
    return sign(xml, REQUEST_NODE, request_id, keys) if sign_inside else xml


def logout_response_xml(
    *, in_response_to: str | None, destination: str, issuer: str, keys: KeyPair, status: str = ""
) -> str:
    """A LogoutResponse signed inside (HTTP-POST), Success unless `status` says otherwise."""
    response_id = new_id()
    response = samlp.LogoutResponse(
        id=response_id,
        version="2.0",
        issue_instant=saml_time(datetime.datetime.now(datetime.UTC)),
        destination=destination,
        in_response_to=in_response_to,
        issuer=saml.Issuer(text=issuer, format=saml.NAMEID_FORMAT_ENTITY),
        signature=signature_template(response_id, keys),
        status=samlp.Status(status_code=samlp.StatusCode(value=status or samlp.STATUS_SUCCESS)),
    )
    return sign(str(response), RESPONSE_NODE, response_id, keys)


def post_value(xml: str) -> str:
    """The HTTP-POST binding's form value: plain base64."""
    return base64.b64encode(xml.encode()).decode()


def redirect_query(saml_type: str, xml: str, keys: KeyPair | None, relay_state: str = "") -> str:
    """The HTTP-Redirect binding's query: deflated, base64, signed over the query string."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    value = base64.b64encode(deflater.compress(xml.encode()) + deflater.flush()).decode()
    query = f"{saml_type}={quote_plus(value)}"
    if relay_state:
        query += f"&RelayState={quote_plus(relay_state)}"
    if keys is None:
        return query
    query += f"&SigAlg={quote_plus(RSA_SHA256)}"
    key = serialization.load_pem_private_key(keys.key_pem.encode(), password=None)
    signature = key.sign(query.encode(), padding.PKCS1v15(), hashes.SHA256())
    return query + "&Signature=" + quote_plus(base64.b64encode(signature).decode())


# What the SP sent ---------------------------------------------------------------------------


def _inflate(value: str) -> bytes:
    return zlib.decompress(base64.b64decode(value), -15)


def redirect_message(location: str, sp_cert_pem: str) -> tuple[etree._Element, dict]:
    """The message an SP redirect carries, after checking its RSA-SHA256 query signature."""
    query_string = urlsplit(location).query
    query = {k: v[0] for k, v in parse_qs(query_string).items()}
    saml_type = "SAMLRequest" if "SAMLRequest" in query else "SAMLResponse"
    parts = query_string.split("&")
    signed = "&".join(
        p
        for prefix in (f"{saml_type}=", "RelayState=", "SigAlg=")
        for p in parts
        if p.startswith(prefix)
    )
    assert query["SigAlg"] == RSA_SHA256
    cert = x509.load_pem_x509_certificate(sp_cert_pem.encode())
    cert.public_key().verify(
        base64.b64decode(query["Signature"]), signed.encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    return etree.fromstring(_inflate(query[saml_type])), query


def posted_message(value: str) -> etree._Element:
    """The message of an SP auto-POST form (its enveloped signature is checked by the caller)."""
    return etree.fromstring(base64.b64decode(value))
