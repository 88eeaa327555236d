"""Safe parsing of IdP metadata: what the Authentication page shows and what sign-in needs.

The XML is parsed by lxml with entity resolution and network access off, and any DOCTYPE is
refused outright, so XXE and "billion laughs" documents never get expanded.
"""

import base64
import binascii
import datetime
import hashlib
from dataclasses import dataclass, field

from cryptography import x509
from django.conf import settings
from lxml import etree

MD_NS = "urn:oasis:names:tc:SAML:2.0:metadata"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"md": MD_NS, "ds": DS_NS}
BINDING_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
BINDING_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
BINDING_LABELS = {BINDING_REDIRECT: "HTTP-Redirect", BINDING_POST: "HTTP-POST"}
# Certificate expiry alerts, days before the end: a banner, an audit event, /healthz.
EXPIRY_ALERT_DAYS = (60, 30, 14, 7, 1)
EXPIRY_WARNING_DAYS = EXPIRY_ALERT_DAYS[0]
MAX_VALUE_LENGTH = 1000  # the saved entity ID and SSO URL columns


class MetadataError(ValueError):
    """Metadata that cannot be used; the message is shown to the admin as is."""


@dataclass(frozen=True)
class Certificate:
    """One IdP signing certificate, as base64 DER (the form python3-saml takes)."""

    der_b64: str
    subject: str
    not_before: datetime.datetime
    not_after: datetime.datetime

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(base64.b64decode(self.der_b64)).hexdigest()

    @property
    def expired(self) -> bool:
        return self.not_after <= datetime.datetime.now(datetime.UTC)

    @property
    def expiry_warning(self) -> str:
        """A warning for an expired certificate or one that expires within 60 days."""
        left = self.not_after - datetime.datetime.now(datetime.UTC)
        if left.total_seconds() <= 0:
            return f"The signing certificate expired on {self.not_after:%Y-%m-%d}."
        if left.days < EXPIRY_WARNING_DAYS:
            return (
                f"The signing certificate expires on {self.not_after:%Y-%m-%d}, "
                f"in {left.days} days: get the new metadata from your identity provider."
            )
        return ""


@dataclass(frozen=True)
class IdpMetadata:
    entity_id: str
    sso_url: str
    sso_binding: str
    certificates: list[Certificate] = field(default_factory=list)
    slo_url: str = ""  # the IdP's SingleLogoutService, "" when it offers none
    slo_binding: str = ""

    @property
    def binding_label(self) -> str:
        return BINDING_LABELS.get(self.sso_binding, self.sso_binding)


def _parse_xml(data: bytes) -> etree._Element:
    limit = settings.SSO_METADATA_MAX_BYTES  # one limit for paste, upload and fetch
    if len(data) > limit:
        raise MetadataError(f"The metadata is larger than {limit // 1024} KB.")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise MetadataError(
            "The metadata contains a DTD or entity declarations, which are not allowed."
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        doc = etree.fromstring(data, parser=parser).getroottree()
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise MetadataError("The metadata is not well-formed XML.") from exc
    if doc.docinfo.doctype or doc.docinfo.internalDTD is not None:
        raise MetadataError(
            "The metadata contains a DTD or entity declarations, which are not allowed."
        )
    return doc.getroot()


def _entity_descriptor(root: etree._Element) -> etree._Element:
    if root.tag == f"{{{MD_NS}}}EntityDescriptor":
        candidates = [root]
    else:
        candidates = root.findall(".//md:EntityDescriptor", NS)
    for candidate in candidates:
        if candidate.find("md:IDPSSODescriptor", NS) is not None:
            return candidate
    raise MetadataError("The metadata has no SAML 2.0 identity provider (IDPSSODescriptor).")


def _sso_service(idp: etree._Element) -> tuple[str, str]:
    """The HTTP-Redirect SSO service, which is how this SP sends its AuthnRequest."""
    for service in idp.findall("md:SingleSignOnService", NS):
        location = (service.get("Location") or "").strip()
        if service.get("Binding") == BINDING_REDIRECT and location.startswith(
            ("https://", "http://")
        ):
            if len(location) > MAX_VALUE_LENGTH:
                raise MetadataError(f"The SSO URL is longer than {MAX_VALUE_LENGTH} characters.")
            return location, BINDING_REDIRECT
    raise MetadataError(
        "The metadata has no single sign-on service (SingleSignOnService with the "
        "HTTP-Redirect binding)."
    )


def _slo_service(idp: etree._Element) -> tuple[str, str]:
    """The IdP's Single Logout service, HTTP-Redirect preferred; ("", "") when none is listed."""
    services = {
        service.get("Binding"): (service.get("Location") or "").strip()
        for service in idp.findall("md:SingleLogoutService", NS)
    }
    for binding in (BINDING_REDIRECT, BINDING_POST):
        location = services.get(binding, "")
        if location.startswith(("https://", "http://")):
            if len(location) > MAX_VALUE_LENGTH:
                raise MetadataError(
                    f"The Single Logout URL is longer than {MAX_VALUE_LENGTH} characters."
                )
            return location, binding
    return "", ""


def certificate_from_der(der: bytes) -> Certificate:
    """A Certificate from DER bytes; ValueError when they are not an X.509 certificate."""
    cert = x509.load_der_x509_certificate(der)
    return Certificate(
        der_b64=base64.b64encode(der).decode(),
        subject=cert.subject.rfc4514_string()[:MAX_VALUE_LENGTH],
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


def _certificate(text: str) -> Certificate:
    cleaned = "".join(text.split())
    try:
        return certificate_from_der(base64.b64decode(cleaned, validate=True))
    except (binascii.Error, ValueError) as exc:
        raise MetadataError("The signing certificate in the metadata cannot be read.") from exc


def _signing_certificates(idp: etree._Element) -> list[Certificate]:
    texts = [
        node.text or ""
        for key in idp.findall("md:KeyDescriptor", NS)
        if key.get("use") in (None, "signing")
        for node in key.findall(".//ds:X509Certificate", NS)
    ]
    if not any(t.strip() for t in texts):
        raise MetadataError("The metadata has no signing certificate (KeyDescriptor use=signing).")
    unique = {c.fingerprint: c for c in (_certificate(t) for t in texts if t.strip())}
    return list(unique.values())


def parse_idp_metadata(data: bytes | str) -> IdpMetadata:
    """Parse IdP metadata or raise MetadataError with a message for the admin."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not data.strip():
        raise MetadataError("The metadata is empty.")
    root = _parse_xml(data.strip())
    entity = _entity_descriptor(root)
    entity_id = (entity.get("entityID") or "").strip()
    if not entity_id:
        raise MetadataError("The metadata has no entityID.")
    if len(entity_id) > MAX_VALUE_LENGTH:
        raise MetadataError(f"The entityID is longer than {MAX_VALUE_LENGTH} characters.")
    idp = entity.find("md:IDPSSODescriptor", NS)
    sso_url, binding = _sso_service(idp)
    slo_url, slo_binding = _slo_service(idp)
    return IdpMetadata(
        entity_id, sso_url, binding, _signing_certificates(idp), slo_url, slo_binding
    )
