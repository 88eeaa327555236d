"""Every forged, altered or replayed Response is refused: user signed out, reason audited."""

import datetime

import pytest

from querypie_admin.models import LinkSource, User
from tests.factories import okta_user
from tests.saml_idp import attacks
from tests.saml_idp.keys import make_key_pair
from tests.sso.conftest import configure, last_saml_signin, signed_in_login_id

pytestmark = pytest.mark.django_db

NOW = datetime.datetime.now(datetime.UTC)


@pytest.fixture(autouse=True)
def _now_is_when_the_test_runs():
    """NOW taken at import aged with the suite: minutes later, "expired 200 s ago" was
    expired beyond python3-saml's own drift, and the tests checked the wrong refusal."""
    global NOW
    NOW = datetime.datetime.now(datetime.UTC)


@pytest.fixture(autouse=True)
def people(db):
    """Okta-owned accounts: SAML could sign them in, so only the checks under attack stop it."""
    okta_user(LinkSource.SCIM, login_id="jane@corp.example")
    okta_user(LinkSource.SCIM, login_id="admin@corp.example")
    okta_user(LinkSource.SCIM, login_id="user@corp.com")


def assert_refused(client, response, reason_part: str) -> None:
    assert response.status_code == 403
    assert "Sign-in refused" in response.content.decode()
    assert signed_in_login_id(client) is None
    event = last_saml_signin()
    assert event.outcome == "failure"
    assert reason_part in event.detail["reason"], event.detail["reason"]


def test_tampered_attribute_after_signing_is_refused(client, saml_configured, spec, post_acs):
    xml = saml_configured.response_xml(spec())
    forged = attacks.tamper_attribute(xml, "loginId", "admin@corp.example")
    assert_refused(client, post_acs(forged), "Signature validation failed")


def test_tampered_name_id_after_signing_is_refused(client, saml_configured, spec, post_acs):
    xml = saml_configured.response_xml(spec(attributes={}))
    forged = attacks.tamper_name_id(xml, "admin@corp.example")
    assert_refused(client, post_acs(forged), "Signature validation failed")


def test_unsigned_assertion_is_refused(client, saml_configured, spec, post_acs):
    xml = saml_configured.response_xml(spec(sign_assertion=False))
    assert_refused(client, post_acs(xml), "Assertion of the Response is not signed")


def test_signatures_stripped_after_signing_are_refused(client, saml_configured, spec, post_acs):
    xml = attacks.strip_signatures(saml_configured.response_xml(spec()))
    assert_refused(client, post_acs(xml), "Assertion of the Response is not signed")


def test_signed_response_with_unsigned_assertion_is_refused(
    client, saml_configured, spec, post_acs
):
    xml = saml_configured.response_xml(spec(sign_assertion=False, sign_response=True))
    assert_refused(client, post_acs(xml), "Assertion of the Response is not signed")


def test_signature_by_another_key_is_refused(client, saml_configured, spec, post_acs):
    xml = saml_configured.response_xml(spec(signing_keys=make_key_pair("Attacker")))
    assert_refused(client, post_acs(xml), "Signature validation failed")


@pytest.mark.parametrize("variant", [1, 2, 3])
def test_xml_signature_wrapping_is_refused(client, saml_configured, spec, post_acs, variant):
    xml = saml_configured.response_xml(spec())
    wrapped = attacks.wrap_signature(xml, "admin@corp.example", variant=variant)
    response = post_acs(wrapped)
    assert response.status_code == 403 and signed_in_login_id(client) is None
    assert last_saml_signin().outcome == "failure"


def test_comment_injected_into_name_id_is_refused(client, saml_configured, spec, post_acs):
    xml = saml_configured.response_xml(spec(name_id="user@corp.com.evil.com", attributes={}))
    forged = attacks.inject_comment(xml, "user@corp.com.evil.com", "user@corp.com")
    assert "user@corp.com<!---->.evil.com" in forged
    assert_refused(client, post_acs(forged), "comment inside NameID")


def test_comment_injected_into_login_id_is_refused(client, saml_configured, spec, post_acs):
    attributes = {"loginId": "user@corp.com.evil.com"}
    xml = saml_configured.response_xml(spec(name_id="00u1evil", attributes=attributes))
    forged = attacks.inject_comment(xml, "user@corp.com.evil.com", "user@corp.com")
    assert_refused(client, post_acs(forged), "comment inside NameID or an attribute value")


def test_wrong_audience_is_refused(client, saml_configured, spec, post_acs):
    xml = saml_configured.response_xml(spec(audience="https://other.example/saml/sp/metadata"))
    assert_refused(client, post_acs(xml), "audience")


def test_wrong_destination_is_refused(client, saml_configured, spec, post_acs):
    xml = saml_configured.response_xml(spec(destination="http://testserver/saml/sp/acs-other"))
    assert_refused(client, post_acs(xml), "")
    assert User.objects.count() == 3  # the three people and nobody else


def test_destination_with_the_acs_as_prefix_is_refused(client, saml_configured, spec, post_acs):
    """python3-saml's check is a prefix match; ours is exact."""
    xml = saml_configured.response_xml(
        spec(
            destination="http://testserver/saml/sp/acs/x", recipient="http://testserver/saml/sp/acs"
        )
    )
    assert_refused(client, post_acs(xml), "Destination is not http://testserver/saml/sp/acs")


def test_recipient_containing_the_acs_is_refused(client, saml_configured, spec, post_acs):
    """python3-saml's check is a substring match; ours is exact."""
    xml = saml_configured.response_xml(
        spec(recipient="https://evil.example/?http://testserver/saml/sp/acs")
    )
    assert_refused(client, post_acs(xml), "no bearer SubjectConfirmation with Recipient")


def test_expired_assertion_is_refused(client, saml_configured, spec, post_acs):
    issued = NOW - datetime.timedelta(hours=1)
    xml = saml_configured.response_xml(spec(issued_at=issued))
    assert_refused(client, post_acs(xml), "")


def test_assertion_expired_beyond_the_skew_is_refused(client, saml_configured, spec, post_acs):
    """Expired 200 s ago: python3-saml's fixed 300 s drift would accept it, our 120 s does not."""
    xml = saml_configured.response_xml(
        spec(
            issued_at=NOW - datetime.timedelta(minutes=10),
            not_on_or_after=NOW - datetime.timedelta(seconds=200),
            scd_not_on_or_after=NOW + datetime.timedelta(minutes=2),
        )
    )
    assert_refused(client, post_acs(xml), "the assertion has expired")


def test_subject_confirmation_expired_within_the_skew_is_accepted(
    client, saml_configured, spec, post_acs
):
    """python3-saml allows no drift on SubjectConfirmationData; the configured skew applies."""
    xml = saml_configured.response_xml(
        spec(
            issued_at=NOW - datetime.timedelta(minutes=5),
            not_on_or_after=NOW + datetime.timedelta(minutes=5),
            scd_not_on_or_after=NOW - datetime.timedelta(seconds=60),
        )
    )
    assert post_acs(xml).status_code == 302
    assert signed_in_login_id(client) == "jane@corp.example"


def test_subject_confirmation_expired_beyond_the_skew_is_refused(
    client, saml_configured, spec, post_acs
):
    xml = saml_configured.response_xml(
        spec(scd_not_on_or_after=NOW - datetime.timedelta(seconds=200))
    )
    assert_refused(client, post_acs(xml), "SubjectConfirmation")


def test_assertion_not_yet_valid_beyond_the_skew_is_refused(client, idp, spec, post_acs):
    configure(idp, clock_skew_seconds=30)
    xml = idp.response_xml(spec(issued_at=NOW + datetime.timedelta(minutes=10)))
    assert_refused(client, post_acs(xml), "NotBefore is in the future")


def test_replayed_assertion_is_refused(client, saml_configured, spec, post_acs):
    xml = saml_configured.response_xml(spec())
    assert post_acs(xml).status_code == 302
    client.logout()
    assert_refused(client, post_acs(xml), "already used (replay)")


def test_assertion_id_too_long_to_remember_is_refused(client, saml_configured, spec, post_acs):
    xml = saml_configured.response_xml(spec(assertion_id="id" + "a" * 300))
    assert_refused(client, post_acs(xml), "assertion ID is longer than 255 characters")


def test_unknown_in_response_to_is_refused(client, saml_configured, spec, post_acs):
    xml = saml_configured.response_xml(spec(in_response_to="id-never-sent-by-this-sp"))
    assert_refused(client, post_acs(xml), "is not a request this SP sent")


def test_subject_confirmation_in_response_to_without_response_in_response_to_is_refused(
    client, saml_configured, spec, post_acs
):
    xml = saml_configured.response_xml(spec(scd_in_response_to="id-never-sent"))
    assert_refused(client, post_acs(xml), "InResponseTo does not match")


def test_sha1_signature_is_refused_unless_allowed(client, idp, spec, post_acs):
    configure(idp)
    xml = idp.response_xml(spec(sha1=True))
    assert_refused(client, post_acs(xml), "Deprecated signature algorithm")
    configure(idp, allow_sha1=True)
    assert post_acs(idp.response_xml(spec(sha1=True))).status_code == 302
    assert signed_in_login_id(client) == "jane@corp.example"


def test_response_from_another_issuer_is_refused(client, saml_configured, spec, post_acs):
    xml = saml_configured.response_xml(spec(issuer="http://www.okta.com/other"))
    assert_refused(client, post_acs(xml), "Invalid issuer")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "no SAMLResponse"),
        ("%%%not-base64%%%", "not valid base64"),
        ("PGh0bWw+", "not XML"),  # "<html>", not XML
        (
            "PD94bWwgdmVyc2lvbj0iMS4wIj8+PCFET0NUWVBFIHIgWzwhRU5USVRZIGUgIngiPl0+PHI+JmU7PC9yPg==",
            "",
        ),  # a DOCTYPE with an entity
    ],
)
def test_garbage_posts_are_refused_without_an_error_page(
    client, saml_configured, post_acs, raw, reason
):
    response = post_acs("", raw=raw)
    assert_refused(client, response, reason)


def test_acs_refuses_everything_when_saml_is_not_configured(client, db, post_acs, idp, spec):
    response = post_acs(idp.response_xml(spec()))
    assert response.status_code == 403
    assert "not configured" in response.content.decode()
    assert last_saml_signin().detail["reason"] == "SAML sign-in is not configured"
