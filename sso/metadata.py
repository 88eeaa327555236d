"""Safe parsing of IdP metadata: what the Authentication page shows and what sign-in needs.

The XML is parsed by lxml with entity resolution and network access off, and any DOCTYPE is
refused outright, so XXE and "billion laughs" documents never get expanded.
"""

import base64
import binascii
import datetime
from dataclasses import dataclass, field

from cryptography import x509
from lxml import etree

MD_NS = "urn:oasis:names:tc:SAML:2.0:metadata"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"md": MD_NS, "ds": DS_NS}
BINDING_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
BINDING_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
BINDING_LABELS = {BINDING_REDIRECT: "HTTP-Redirect", BINDING_POST: "HTTP-POST"}
EXPIRY_WARNING_DAYS = 30
MAX_METADATA_BYTES = 1024 * 1024
MAX_VALUE_LENGTH = 1000  # the saved entity ID and SSO URL columns


class MetadataError(ValueError):
    """Metadata that cannot be used; the message is shown to the admin as is."""


@dataclass(frozen=True)
class Certificate:
    """One IdP signing certificate, as base64 DER (the form python3-saml takes)."""

    der_b64: str
    subject: str
    not_after: datetime.datetime

    @property
    def expired(self) -> bool:
        return self.not_after <= datetime.datetime.now(datetime.UTC)

    @property
    def expiry_warning(self) -> str:
        """A warning for an expired certificate or one that expires within 30 days."""
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

    @property
    def binding_label(self) -> str:
        return BINDING_LABELS.get(self.sso_binding, self.sso_binding)


def _parse_xml(data: bytes) -> etree._Element:
    if len(data) > MAX_METADATA_BYTES:
        raise MetadataError("The metadata is larger than 1 MB.")
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


def _certificate(text: str) -> Certificate:
    cleaned = "".join(text.split())
    try:
        der = base64.b64decode(cleaned, validate=True)
        cert = x509.load_der_x509_certificate(der)
    except (binascii.Error, ValueError) as exc:
        raise MetadataError("The signing certificate in the metadata cannot be read.") from exc
    return Certificate(
        der_b64=base64.b64encode(der).decode(),
        subject=cert.subject.rfc4514_string(),
        not_after=cert.not_valid_after_utc,
    )


def _signing_certificates(idp: etree._Element) -> list[Certificate]:
    texts = [
        node.text or ""
        for key in idp.findall("md:KeyDescriptor", NS)
        if key.get("use") in (None, "signing")
        for node in key.findall(".//ds:X509Certificate", NS)
    ]
    if not any(t.strip() for t in texts):
        raise MetadataError("The metadata has no signing certificate (KeyDescriptor use=signing).")
    return [_certificate(t) for t in texts if t.strip()]


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
    return IdpMetadata(entity_id, sso_url, binding, _signing_certificates(idp))


def certificates_from_saved(values: list[str]) -> list[Certificate]:
    """The saved certificates (base64 DER) back as Certificate objects for display."""
    return [_certificate(v) for v in values]
