"""The fake org's QueryPie app as an Okta-shaped SAML 2.0 identity provider.

Okta's URLs and shapes: entityID ``http://www.okta.com/{exk…}``, a Metadata URL, SSO and SLO on
``/app/querypie/{exk…}/``, signed assertions carrying the product's attribute statements
(firstName, lastName, email, loginId), signed Single Logout messages, and signing keys that
rotate the way Okta's do: generate the next key (listed by the key credentials API, not yet in
the metadata), then activate it. XML is built with lxml and signed with the ``xmlsec``
binding (RSA-SHA256), so a demo needs nothing beyond the console's own requirements.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree

from fake_okta.model import User

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
ATTR_UNSPECIFIED = "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"
BINDINGS = ("HTTP-POST", "HTTP-Redirect")
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
# The seed's attribute statements: Name -> Okta profile attribute.
STATEMENTS = (
    ("firstName", "firstName"),
    ("lastName", "lastName"),
    ("email", "email"),
    ("loginId", "login"),
)


def _saml_time(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _new_id() -> str:
    return "id" + secrets.token_hex(16)


@dataclass
class SigningKey:
    """One app key credential, as Okta's ``/credentials/keys`` lists it."""

    kid: str
    key_pem: str
    cert_pem: str
    created: datetime.datetime
    expires: datetime.datetime

    @property
    def cert_b64(self) -> str:
        cert = x509.load_pem_x509_certificate(self.cert_pem.encode())
        return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()

    def jwk(self) -> dict:
        """Okta's JSON Web Key shape, with the certificate chain in ``x5c``."""
        cert = x509.load_pem_x509_certificate(self.cert_pem.encode())
        numbers = cert.public_key().public_numbers()
        der = cert.public_bytes(serialization.Encoding.DER)

        def b64url(number: int) -> str:
            raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        stamp = self.created.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        return {
            "created": stamp,
            "lastUpdated": stamp,
            "expiresAt": self.expires.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "x5c": [base64.b64encode(der).decode()],
            "e": b64url(numbers.e),
            "n": b64url(numbers.n),
            "kid": self.kid,
            "kty": "RSA",
            "use": "sig",
            "x5t#S256": base64.urlsafe_b64encode(hashlib.sha256(der).digest())
            .rstrip(b"=")
            .decode(),
        }


def new_signing_key(
    org: str,
    *,
    number: int = 1,
    issued: datetime.datetime | None = None,
    valid_days: int = 365 * 2,
) -> SigningKey:
    """A key pair and a self-signed certificate like the ones Okta makes for SAML apps.

    The subject names the month it was issued and its number among the app's keys
    (``CN=fake-okta signing 2026-12 key 2``), so two certificates of a rotation are told apart
    on sight; it is valid from ``issued`` (now by default) for ``valid_days``.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = issued or datetime.datetime.now(datetime.UTC)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"{org} signing {now:%Y-%m} key {number}"[:64]),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "SSOProvider"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Okta"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=valid_days))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    kid = "-"
    while not kid[0].isalnum():  # a kid never reads as an option on a command line
        kid = secrets.token_urlsafe(32)[:43]
    return SigningKey(kid, key_pem, cert_pem, now, cert.not_valid_after_utc)


def sign(root: etree._Element, key: SigningKey) -> etree._Element:
    """An enveloped RSA-SHA256 signature of ``root``, placed after its Issuer."""
    signature = xmlsec.template.create(
        root, xmlsec.Transform.EXCL_C14N, xmlsec.Transform.RSA_SHA256, ns="ds"
    )
    root.find(f"{{{SAML}}}Issuer").addnext(signature)
    ref = xmlsec.template.add_reference(
        signature, xmlsec.Transform.SHA256, uri="#" + root.get("ID")
    )
    xmlsec.template.add_transform(ref, xmlsec.Transform.ENVELOPED)
    xmlsec.template.add_transform(ref, xmlsec.Transform.EXCL_C14N)
    xmlsec.template.add_x509_data(xmlsec.template.ensure_key_info(signature))
    context = xmlsec.SignatureContext()
    context.key = xmlsec.Key.from_memory(key.key_pem, xmlsec.KeyFormat.PEM)
    context.key.load_cert_from_memory(key.cert_pem, xmlsec.KeyFormat.PEM)
    xmlsec.tree.add_ids(root, ["ID"])
    context.sign(signature)
    return root


def _element(
    parent: etree._Element | None, ns: str, tag: str, text: str | None = None, **attrs: str | None
) -> etree._Element:
    """An element with Okta's namespace prefixes; attributes given as None are left out."""
    values = {k: v for k, v in attrs.items() if v is not None}
    name = f"{{{ns}}}{tag}"
    if parent is None:
        node = etree.Element(name, values, nsmap={"saml2p": SAMLP, "saml2": SAML})
    else:
        node = etree.SubElement(parent, name, values)
    if text is not None:
        node.text = text
    return node


@dataclass(frozen=True)
class FilteredGroupsStatement:
    """An Attribute Statement whose value is ``getFilteredGroups({ids}, "group.id", limit)``:
    the ids of the allow-listed groups the user belongs to, one AttributeValue each. Okta
    leaves the attribute out when the list is empty, and so does this."""

    name: str
    allowlist: tuple[str, ...]
    member_ids: Callable[[str], set[str]]  # group id -> its members (the fake directory's)
    limit: int = 100

    def values(self, user_id: str) -> list[str]:
        found = []
        for group_id in self.allowlist:
            try:
                members = self.member_ids(group_id)
            except KeyError:  # a deleted group is simply not a membership any more
                continue
            if user_id in members:
                found.append(group_id)
        return found[: self.limit]


@dataclass
class IdpSession:
    """A browser signed in to the fake Okta; its id is the SessionIndex of its assertions."""

    user_id: str
    session_index: str = field(default_factory=lambda: "_" + secrets.token_hex(10))


class OktaSamlApp:
    """The QueryPie app's SAML side; keys are made on first use (RSA generation is slow)."""

    def __init__(self, app_instance_id: str, console_url: str = "http://127.0.0.1:8000") -> None:
        self.app_instance_id = app_instance_id
        self.console_url = console_url.rstrip("/")
        self.base_url = ""  # set by the server once it listens
        self.sessions: dict[str, IdpSession] = {}
        self.logout_requests: list[etree._Element] = []  # what the console sent, for tests
        # Attribute Statements the Okta admin added beyond the seed's (e.g. a groups one).
        self.group_statements: list[FilteredGroupsStatement] = []
        self._keys: list[SigningKey] = []
        self._active_kid = ""
        self._lock = threading.RLock()

    # Keys -----------------------------------------------------------------------------------

    def _ensure_keys(self) -> None:
        with self._lock:
            if not self._keys:
                # In use for a year already, as an app's certificate is when a rotation comes.
                issued = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=365)
                first = new_signing_key("fake-okta", issued=issued)
                self._keys.append(first)
                self._active_kid = first.kid

    @property
    def keys(self) -> list[SigningKey]:
        self._ensure_keys()
        return list(self._keys)

    @property
    def active_key(self) -> SigningKey:
        self._ensure_keys()
        return next(k for k in self._keys if k.kid == self._active_kid)

    def generate_next_key(self, *, valid_days: int = 365 * 2) -> SigningKey:
        """Okta's "Generate new certificate": listed by the API, not yet used nor in metadata."""
        self._ensure_keys()
        with self._lock:
            number = len(self._keys) + 1
        key = new_signing_key("fake-okta", number=number, valid_days=valid_days)
        with self._lock:
            self._keys.append(key)
        return key

    def activate(self, kid: str | None = None) -> SigningKey:
        """Sign with ``kid`` (the newest key by default); the metadata shows only it from now."""
        self._ensure_keys()
        with self._lock:
            key = next(k for k in self._keys if k.kid == (kid or self._keys[-1].kid))
            self._active_kid = key.kid
        return key

    # URLs and metadata ----------------------------------------------------------------------

    @property
    def entity_id(self) -> str:
        return f"http://www.okta.com/{self.app_instance_id}"

    @property
    def sso_url(self) -> str:
        return f"{self.base_url}/app/querypie/{self.app_instance_id}/sso/saml"

    @property
    def slo_url(self) -> str:
        return f"{self.base_url}/app/querypie/{self.app_instance_id}/slo/saml"

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/app/{self.app_instance_id}/sso/saml/metadata"

    @property
    def acs_url(self) -> str:
        return f"{self.console_url}/saml/sp/acs"

    @property
    def console_slo_url(self) -> str:
        return f"{self.console_url}/saml/sp/slo"

    def metadata_xml(self) -> str:
        """Okta's metadata: the active certificate only, SSO and SLO on both bindings."""
        bindings = [f"urn:oasis:names:tc:SAML:2.0:bindings:{b}" for b in BINDINGS]
        slo = "".join(
            f'<md:SingleLogoutService Binding="{b}" Location={quoteattr(self.slo_url)}/>'
            for b in bindings
        )
        sso = "".join(
            f'<md:SingleSignOnService Binding="{b}" Location={quoteattr(self.sso_url)}/>'
            for b in bindings
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<md:EntityDescriptor xmlns:md="{MD}" entityID={quoteattr(self.entity_id)}>'
            '<md:IDPSSODescriptor WantAuthnRequestsSigned="false" '
            f'protocolSupportEnumeration="{SAMLP}">'
            '<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
            f"<ds:X509Data><ds:X509Certificate>{self.active_key.cert_b64}</ds:X509Certificate>"
            "</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
            f"{slo}<md:NameIDFormat>{UNSPECIFIED}</md:NameIDFormat>"
            f"<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>{sso}"
            "</md:IDPSSODescriptor></md:EntityDescriptor>"
        )

    # Messages -------------------------------------------------------------------------------

    def _issuer(self, parent: etree._Element) -> None:
        _element(
            parent,
            SAML,
            "Issuer",
            self.entity_id,
            Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity",
        )

    def response(self, user: User, session: IdpSession, in_response_to: str | None) -> str:
        """A signed Response (Response and Assertion both signed, Okta's default), base64."""
        now = datetime.datetime.now(datetime.UTC)
        issued, until = _saml_time(now), _saml_time(now + datetime.timedelta(minutes=5))
        root = _element(
            None,
            SAMLP,
            "Response",
            ID=_new_id(),
            Version="2.0",
            IssueInstant=issued,
            Destination=self.acs_url,
            InResponseTo=in_response_to,
        )
        self._issuer(root)
        status = _element(root, SAMLP, "Status")
        _element(status, SAMLP, "StatusCode", Value=SUCCESS)
        assertion = _element(
            root, SAML, "Assertion", ID=_new_id(), Version="2.0", IssueInstant=issued
        )
        self._issuer(assertion)
        subject = _element(assertion, SAML, "Subject")
        _element(subject, SAML, "NameID", user.profile["login"], Format=UNSPECIFIED)
        confirmation = _element(
            subject, SAML, "SubjectConfirmation", Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"
        )
        _element(
            confirmation,
            SAML,
            "SubjectConfirmationData",
            InResponseTo=in_response_to,
            NotOnOrAfter=until,
            Recipient=self.acs_url,
        )
        conditions = _element(
            assertion,
            SAML,
            "Conditions",
            NotBefore=_saml_time(now - datetime.timedelta(minutes=5)),
            NotOnOrAfter=until,
        )
        audience = _element(conditions, SAML, "AudienceRestriction")
        _element(audience, SAML, "Audience", f"{self.console_url}/saml/sp/metadata")
        authn = _element(
            assertion,
            SAML,
            "AuthnStatement",
            AuthnInstant=issued,
            SessionIndex=session.session_index,
        )
        context = _element(authn, SAML, "AuthnContext")
        _element(
            context,
            SAML,
            "AuthnContextClassRef",
            "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
        )
        statement = _element(assertion, SAML, "AttributeStatement")
        for name, profile_key in STATEMENTS:
            attribute = _element(
                statement, SAML, "Attribute", Name=name, NameFormat=ATTR_UNSPECIFIED
            )
            _element(attribute, SAML, "AttributeValue", user.profile.get(profile_key) or "")
        self._group_attributes(statement, user)
        key = self.active_key
        sign(assertion, key)
        sign(root, key)
        return base64.b64encode(etree.tostring(root)).decode()

    def _group_attributes(self, statement: etree._Element, user: User) -> None:
        for group_statement in self.group_statements:
            values = group_statement.values(user.id)
            if not values:
                continue
            attribute = _element(
                statement, SAML, "Attribute", Name=group_statement.name, NameFormat=ATTR_UNSPECIFIED
            )
            for value in values:
                _element(attribute, SAML, "AttributeValue", value)

    def logout_request(self, user: User, session: IdpSession) -> tuple[str, str]:
        """(ID, base64) of a signed LogoutRequest for one session: IdP-initiated Single Logout."""
        request_id = _new_id()
        now = datetime.datetime.now(datetime.UTC)
        root = _element(
            None,
            SAMLP,
            "LogoutRequest",
            ID=request_id,
            Version="2.0",
            IssueInstant=_saml_time(now),
            Destination=self.console_slo_url,
            NotOnOrAfter=_saml_time(now + datetime.timedelta(minutes=5)),
        )
        self._issuer(root)
        _element(root, SAML, "NameID", user.profile["login"], Format=UNSPECIFIED)
        _element(root, SAMLP, "SessionIndex", session.session_index)
        return request_id, base64.b64encode(etree.tostring(sign(root, self.active_key))).decode()

    def logout_response(self, in_response_to: str) -> str:
        """A signed Success LogoutResponse to the console's LogoutRequest, base64 (HTTP-POST)."""
        root = _element(
            None,
            SAMLP,
            "LogoutResponse",
            ID=_new_id(),
            Version="2.0",
            IssueInstant=_saml_time(datetime.datetime.now(datetime.UTC)),
            Destination=self.console_slo_url,
            InResponseTo=in_response_to,
        )
        self._issuer(root)
        _element(_element(root, SAMLP, "Status"), SAMLP, "StatusCode", Value=SUCCESS)
        return base64.b64encode(etree.tostring(sign(root, self.active_key))).decode()
