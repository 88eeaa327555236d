"""Validation of a POSTed SAML Response, with the checks python3-saml 1.16 leaves to the app.

python3-saml checks the signature, schema, issuer and conditions; on top of it this module
matches InResponseTo to a request this SP sent, compares Destination and Recipient to the exact
ACS URL, applies the configured skew, refuses comments inside signed values, and stores the
assertion ID so that a replay is refused across processes.
"""

import base64
import binascii
import datetime
import time
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
from onelogin.saml2.utils import OneLogin_Saml2_Utils as U

from .certificates import record_verified, signer
from .models import ConsumedAssertion, SamlRequest, SamlSession, SamlSettings
from .refusals import NOT_CONFIGURED, SamlRefused
from .response import SkewAwareResponse
from .saml import ACS_PATH, acs_url, request_data, saml_settings, sp_entity_id

SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
ASSERTION_ID_MAX = ConsumedAssertion._meta.get_field("assertion_id").max_length
SIGN_IN_ACTOR = "SAML sign-in"
SESSION_FIELD_MAX = {
    "SessionIndex": SamlSession._meta.get_field("session_index").max_length,
    "Format": SamlSession._meta.get_field("name_id_format").max_length,
    "NameQualifier": SamlSession._meta.get_field("name_qualifier").max_length,
    "SPNameQualifier": SamlSession._meta.get_field("sp_name_qualifier").max_length,
}


@dataclass(frozen=True)
class SamlIdentity:
    """What a valid assertion says about the user."""

    name_id: str
    name_id_format: str
    attributes: dict[str, list[str]]  # text values only
    assertion_id: str
    in_response_to: str | None
    requested_page: str = ""  # the RelayState kept with our AuthnRequest, if SP-initiated
    # What Single Logout must send back byte for byte, and which session Okta will name.
    name_qualifier: str = ""
    sp_name_qualifier: str = ""
    session_index: str = ""
    session_not_on_or_after: int | None = None  # a Unix time, when the IdP limits the session

    def first(self, name: str) -> str:
        values = [v for v in self.attributes.get(name, []) if v.strip()]
        return values[0].strip() if values else ""


def _text_values(attributes: dict[str, list]) -> dict[str, list[str]]:
    """python3-saml returns a nested NameID as a dict; only text values name or describe a user."""
    return {name: [v for v in values if isinstance(v, str)] for name, values in attributes.items()}


def _decoded(saml_response: str) -> bytes:
    try:
        return base64.b64decode(saml_response, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise SamlRefused("SAMLResponse is not valid base64") from exc


def _refuse_comments_in_values(raw: bytes) -> None:
    """user@corp.com<!---->.evil.com: a comment inside a signed value is never legitimate."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(raw, parser=parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise SamlRefused("SAMLResponse is not XML") from exc
    xpath = "//saml:NameID//comment() | //saml:AttributeValue//comment()"
    if root.xpath(xpath, namespaces={"saml": SAML_NS}):
        raise SamlRefused("comment inside NameID or an attribute value")


def _outstanding_request(in_response_to: str | None) -> SamlRequest | None:
    if in_response_to is None:
        return None
    pending = SamlRequest.objects.filter(
        request_id=in_response_to, expires_at__gt=timezone.now()
    ).first()
    if pending is None:
        raise SamlRefused(f"InResponseTo {in_response_to[:80]!r} is not a request this SP sent")
    return pending


def _within(not_before: str | None, not_on_or_after: str | None, skew: int, what: str) -> None:
    now = time.time()
    if not_before and U.parse_SAML_to_time(not_before) > now + skew:
        raise SamlRefused(f"{what} NotBefore is in the future")
    if not_on_or_after and U.parse_SAML_to_time(not_on_or_after) + skew <= now:
        raise SamlRefused(f"{what} has expired (NotOnOrAfter {not_on_or_after})")


def _check_subject_confirmation(resp: SkewAwareResponse, irt: str | None, skew: int) -> int:
    """The bearer confirmation must name the exact ACS and our request; returns its expiry."""
    for node in resp.subject_confirmations():
        if node.get("Method") != C.CM_BEARER:
            continue
        data = node.find("saml:SubjectConfirmationData", namespaces=C.NSMAP)
        if data is None or data.get("Recipient") != acs_url():
            continue
        if data.get("InResponseTo") != irt:
            raise SamlRefused("SubjectConfirmationData InResponseTo does not match the Response")
        if not data.get("NotOnOrAfter"):
            raise SamlRefused("SubjectConfirmationData has no NotOnOrAfter")
        _within(data.get("NotBefore"), data.get("NotOnOrAfter"), skew, "SubjectConfirmationData")
        return U.parse_SAML_to_time(data.get("NotOnOrAfter"))
    raise SamlRefused(f"no bearer SubjectConfirmation with Recipient {acs_url()}")


def _check_exact(resp: SkewAwareResponse, irt: str | None, skew: int) -> int:
    """Checks python3-saml does loosely or not at all; returns when the assertion expires."""
    if resp.document.get("Destination") != acs_url():
        raise SamlRefused(f"Destination is not {acs_url()}")
    if sp_entity_id() not in resp.get_audiences():
        raise SamlRefused(f"Audience is not {sp_entity_id()}")
    conditions = resp.conditions()
    if conditions is None:
        raise SamlRefused("the assertion has no Conditions")
    not_on_or_after = conditions.get("NotOnOrAfter")
    _within(conditions.get("NotBefore"), not_on_or_after, skew, "the assertion")
    scd_expiry = _check_subject_confirmation(resp, irt, skew)
    expiry = max(scd_expiry, U.parse_SAML_to_time(not_on_or_after) if not_on_or_after else 0)
    return expiry + skew


@transaction.atomic
def _consume(resp: SkewAwareResponse, pending: SamlRequest | None, keep_until: int) -> None:
    """Store the assertion ID and spend the request ID, both at most once."""
    assertion_id = resp.get_assertion_id()
    if len(assertion_id) > ASSERTION_ID_MAX:
        raise SamlRefused(f"the assertion ID is longer than {ASSERTION_ID_MAX} characters")
    until = datetime.datetime.fromtimestamp(keep_until, tz=datetime.UTC)
    ConsumedAssertion.objects.filter(keep_until__lt=timezone.now()).delete()
    try:
        with transaction.atomic():
            ConsumedAssertion.objects.create(assertion_id=assertion_id, keep_until=until)
    except IntegrityError as exc:
        raise SamlRefused(f"assertion {assertion_id[:80]} was already used (replay)") from exc
    if pending is not None and not SamlRequest.objects.filter(pk=pending.pk).delete()[0]:
        raise SamlRefused("the request this Response answers was already answered")


def _parsed(config: SamlSettings, saml_response: str) -> SkewAwareResponse:
    """python3-saml raises on bad base64, non-XML and a DOCTYPE: all become refusals."""
    raw = _decoded(saml_response)
    _refuse_comments_in_values(raw)
    try:
        return SkewAwareResponse(saml_settings(config), saml_response, config.clock_skew_seconds)
    except Exception as exc:  # any parse failure is a refusal, never a 500
        raise SamlRefused(f"SAMLResponse cannot be read ({type(exc).__name__})") from exc


def validate_response(post: dict[str, str]) -> SamlIdentity:
    """The identity in a valid Response, or SamlRefused with the reason."""
    config = SamlSettings.load()
    if not config.sso_enabled:
        raise SamlRefused("SAML sign-in is not configured", kind=NOT_CONFIGURED)
    saml_response = post.get("SAMLResponse") or ""
    if not saml_response:
        raise SamlRefused("no SAMLResponse in the POST")
    resp = _parsed(config, saml_response)
    irt = resp.get_in_response_to()
    pending = _outstanding_request(irt)
    data = request_data(ACS_PATH, post={"SAMLResponse": saml_response})
    try:
        resp.is_valid(data, request_id=irt, raise_exceptions=True)
        keep_until = _check_exact(resp, irt, config.clock_skew_seconds)
        name_id, name_id_format = resp.get_nameid(), resp.get_nameid_format()
        attributes = _text_values(resp.get_attributes())
    except SamlRefused:
        raise
    except Exception as exc:  # python3-saml raises many types: all refusals
        raise SamlRefused(str(exc)[:500] or type(exc).__name__) from exc
    _check_session_fields(resp)
    _consume(resp, pending, keep_until)
    _record_signer(resp)
    name_id_data = resp.get_nameid_data()
    return SamlIdentity(
        name_id=name_id or "",
        name_id_format=name_id_format or "",
        attributes=attributes,
        assertion_id=resp.get_assertion_id(),
        in_response_to=irt,
        requested_page=pending.relay_state if pending is not None else "",
        name_qualifier=name_id_data.get("NameQualifier", ""),
        sp_name_qualifier=name_id_data.get("SPNameQualifier", ""),
        session_index=resp.get_session_index() or "",
        session_not_on_or_after=resp.get_session_not_on_or_after(),
    )


def _check_session_fields(resp: SkewAwareResponse) -> None:
    """What the session registry keeps must fit it, or Single Logout could not find it."""
    data = {"SessionIndex": resp.get_session_index() or "", **resp.get_nameid_data()}
    for name, value in data.items():
        limit = SESSION_FIELD_MAX.get(name, 0)
        if limit and len(value) > limit:
            raise SamlRefused(f"the {name} is longer than {limit} characters")


def _record_signer(resp: SkewAwareResponse) -> None:
    """Note which certificate verified this sign-in: certificate rotation retires older ones."""
    signature = resp.assertion_signature()
    cert = signer(resp.document, signature) if signature is not None else None
    if cert is not None:
        record_verified(cert, SIGN_IN_ACTOR)
