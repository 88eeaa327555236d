"""A test identity provider: real SAML Responses built with pysaml2, signed by xmlsec1.

This is an implementation independent of python3-saml (which the console uses): pysaml2
builds the elements and Debian's /usr/bin/xmlsec1 signs them, so a bug in the console's
validator cannot be masked by the same bug in the signer.
"""

import base64
import datetime
import secrets
from dataclasses import dataclass, field

from saml2 import saml, samlp

from .keys import KeyPair, shared_key_pair
from .metadata import idp_metadata_xml
from .signing import sign, signature_template

NAMEID_UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
ATTR_UNSPECIFIED = "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
PASSWORD_PROTECTED = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
ASSERTION_NODE = "urn:oasis:names:tc:SAML:2.0:assertion:Assertion"
RESPONSE_NODE = "urn:oasis:names:tc:SAML:2.0:protocol:Response"


def saml_time(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_id() -> str:
    return "id" + secrets.token_hex(16)


@dataclass
class ResponseSpec:
    """Everything a test may vary in one Response; defaults are a valid Okta-like answer."""

    name_id: str
    audience: str
    destination: str
    recipient: str | None = None  # defaults to destination
    attributes: dict[str, str | list[str]] = field(default_factory=dict)
    in_response_to: str | None = None
    scd_in_response_to: str | None = None  # defaults to in_response_to
    issued_at: datetime.datetime | None = None  # defaults to now
    not_before: datetime.datetime | None = None  # defaults to issued_at - 5 min
    not_on_or_after: datetime.datetime | None = None  # defaults to issued_at + 5 min
    scd_not_on_or_after: datetime.datetime | None = None  # defaults to not_on_or_after
    assertion_id: str | None = None
    issuer: str | None = None  # defaults to the IdP's entity ID
    sign_assertion: bool = True
    sign_response: bool = False
    signing_keys: KeyPair | None = None  # defaults to the IdP's own keys
    sha1: bool = False
    session_index: str | None = None  # defaults to a new random index
    session_not_on_or_after: datetime.datetime | None = None
    name_id_format: str = NAMEID_UNSPECIFIED
    name_qualifier: str | None = None
    sp_name_qualifier: str | None = None


class TestIdentityProvider:
    """An Okta-like IdP: its metadata, and signed Responses built to a ResponseSpec."""

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        entity_id: str = "http://www.okta.com/exk1testidp0000",
        sso_url: str = "https://corp.okta.example/app/querypie/exk1testidp0000/sso/saml",
        keys: KeyPair | None = None,
        *,
        slo_url: str = "",
        slo_bindings: tuple[str, ...] = ("redirect", "post"),
        extra_keys: tuple[KeyPair, ...] = (),
    ) -> None:
        self.entity_id = entity_id
        self.sso_url = sso_url
        self.keys = keys or shared_key_pair("Test IdP")
        self.slo_url = slo_url
        self.slo_bindings = slo_bindings
        self.extra_keys = extra_keys

    def metadata_xml(self) -> str:
        return idp_metadata_xml(
            self.entity_id,
            self.sso_url,
            self.keys,
            extra_keys=self.extra_keys,
            slo_url=self.slo_url,
            slo_bindings=self.slo_bindings,
        )

    def response_xml(self, spec: ResponseSpec) -> str:
        """The Response XML, signed as the spec says."""
        keys = spec.signing_keys or self.keys
        assertion = self._assertion(spec, keys)
        response = self._response(spec, assertion, keys)
        xml = str(response)
        if spec.sign_assertion:
            xml = sign(xml, ASSERTION_NODE, assertion.id, keys)
        if spec.sign_response:
            xml = sign(xml, RESPONSE_NODE, response.id, keys)
        return xml

    def response(self, spec: ResponseSpec) -> str:
        """The Response base64-encoded, as the HTTP-POST binding sends it in SAMLResponse."""
        return encode(self.response_xml(spec))

    def _signature(self, element_id: str, keys: KeyPair, sha1: bool):
        return signature_template(element_id, keys, sha1)

    def _times(self, spec: ResponseSpec) -> tuple[str, str, str, str]:
        issued = spec.issued_at or datetime.datetime.now(datetime.UTC)
        not_before = spec.not_before or issued - datetime.timedelta(minutes=5)
        not_after = spec.not_on_or_after or issued + datetime.timedelta(minutes=5)
        scd_not_after = spec.scd_not_on_or_after or not_after
        return tuple(saml_time(t) for t in (issued, not_before, not_after, scd_not_after))

    def _assertion(self, spec: ResponseSpec, keys: KeyPair) -> saml.Assertion:
        issued, not_before, not_after, scd_not_after = self._times(spec)
        assertion_id = spec.assertion_id or new_id()
        irt = spec.scd_in_response_to or spec.in_response_to
        return saml.Assertion(
            id=assertion_id,
            version="2.0",
            issue_instant=issued,
            issuer=saml.Issuer(
                text=spec.issuer or self.entity_id, format=saml.NAMEID_FORMAT_ENTITY
            ),
            signature=self._signature(assertion_id, keys, spec.sha1)
            if spec.sign_assertion
            else None,
            subject=saml.Subject(
                name_id=saml.NameID(
                    format=spec.name_id_format,
                    text=spec.name_id,
                    name_qualifier=spec.name_qualifier,
                    sp_name_qualifier=spec.sp_name_qualifier,
                ),
                subject_confirmation=[
                    saml.SubjectConfirmation(
                        method=BEARER,
                        subject_confirmation_data=saml.SubjectConfirmationData(
                            in_response_to=irt,
                            not_on_or_after=scd_not_after,
                            recipient=spec.recipient or spec.destination,
                        ),
                    )
                ],
            ),
            conditions=saml.Conditions(
                not_before=not_before,
                not_on_or_after=not_after,
                audience_restriction=[
                    saml.AudienceRestriction(audience=[saml.Audience(text=spec.audience)])
                ],
            ),
            authn_statement=[
                saml.AuthnStatement(
                    authn_instant=issued,
                    session_index=spec.session_index or new_id(),
                    session_not_on_or_after=saml_time(spec.session_not_on_or_after)
                    if spec.session_not_on_or_after
                    else None,
                    authn_context=saml.AuthnContext(
                        authn_context_class_ref=saml.AuthnContextClassRef(text=PASSWORD_PROTECTED)
                    ),
                )
            ],
            attribute_statement=self._attributes(spec.attributes),
        )

    def _attributes(self, attributes: dict) -> list[saml.AttributeStatement]:
        if not attributes:
            return []
        items = []
        for name, values in attributes.items():
            values = [values] if isinstance(values, str) else values
            value_nodes = []
            for value in values:
                node = saml.AttributeValue()
                node.set_text(value)
                value_nodes.append(node)
            items.append(
                saml.Attribute(name=name, name_format=ATTR_UNSPECIFIED, attribute_value=value_nodes)
            )
        return [saml.AttributeStatement(attribute=items)]

    def _response(self, spec: ResponseSpec, assertion, keys: KeyPair) -> samlp.Response:
        response_id = new_id()
        return samlp.Response(
            id=response_id,
            version="2.0",
            issue_instant=assertion.issue_instant,
            destination=spec.destination,
            in_response_to=spec.in_response_to,
            issuer=saml.Issuer(
                text=spec.issuer or self.entity_id, format=saml.NAMEID_FORMAT_ENTITY
            ),
            signature=self._signature(response_id, keys, spec.sha1) if spec.sign_response else None,
            status=samlp.Status(status_code=samlp.StatusCode(value=samlp.STATUS_SUCCESS)),
            assertion=assertion,
        )


def encode(xml: str) -> str:
    return base64.b64encode(xml.encode("utf-8")).decode("ascii")
