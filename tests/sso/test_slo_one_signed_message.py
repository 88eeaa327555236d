"""One signed message, one parameter: on the HTTP-Redirect binding the SAML parameters are
read from the raw query exactly as signed, and a query naming one twice, under any
percent-encoding of its name, is refused and audited once.

The attack: Mallory appends `&SAML%52equest=<an unsigned LogoutRequest for Jane>` to a
LogoutRequest Okta genuinely signed for her; the signature was checked on her part and Jane's
was acted on. Real signed redirect-binding messages from the test IdP."""

import pytest
from django.test import Client

from querypie_admin.models import AuditEvent, LinkSource
from sso.saml import slo_url
from tests.factories import okta_user
from tests.saml_idp.idp import encode
from tests.saml_idp.logout import LogoutSpec, logout_request_xml, post_value, redirect_query
from tests.sso.conftest import configure, signed_in_login_id

pytestmark = pytest.mark.django_db
JANE, MALLORY = "jane@corp.example", "mallory@corp.example"
SLO = "/saml/sp/slo"


@pytest.fixture
def signed_in(slo_idp, spec) -> dict[str, Client]:
    """Jane and Mallory, each signed in by SAML in a browser of their own."""
    configure(slo_idp)
    browsers = {}
    for login in (JANE, MALLORY):
        okta_user(LinkSource.SCIM, login_id=login)
        browser = Client()
        xml = slo_idp.response_xml(spec(name_id=login, attributes={"loginId": login}))
        assert browser.post("/saml/sp/acs", {"SAMLResponse": encode(xml)}).status_code == 302
        browsers[login] = browser
    return browsers


def logout_request(idp, name_id: str) -> str:
    spec = LogoutSpec(name_id=name_id, destination=slo_url(), issuer=idp.entity_id)
    return logout_request_xml(spec, idp.keys, enveloped=False)


def signed_query(idp, name_id: str) -> str:
    return redirect_query("SAMLRequest", logout_request(idp, name_id), idp.keys, "okta-state")


def unsigned_value(idp, name_id: str) -> str:
    """The SAMLRequest value of an unsigned LogoutRequest, as a query carries it."""
    query = redirect_query("SAMLRequest", logout_request(idp, name_id), keys=None)
    return query.partition("=")[2]


def refusals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="sso.single_logout", outcome="failure"))


SMUGGLED = {
    "appended, R encoded": lambda signed, jane: f"{signed}&SAML%52equest={jane}",
    "prepended, S encoded": lambda signed, jane: f"%53AMLRequest={jane}&{signed}",
    "appended, plain": lambda signed, jane: f"{signed}&SAMLRequest={jane}",
    "lower-case hex": lambda signed, jane: f"{signed}&SA%4d%4cRequest={jane}",
    "a second RelayState": lambda signed, jane: f"{signed}&Re%6cayState=elsewhere",
    "a second SigAlg": lambda signed, jane: f"{signed}&SigA%6cg=none",
    "a SAMLResponse beside": lambda signed, jane: f"{signed}&SAMLResponse={jane}",
}


@pytest.mark.parametrize("smuggle", SMUGGLED.values(), ids=SMUGGLED.keys())
def test_a_smuggled_second_saml_parameter_ends_no_session_and_is_audited_once(
    client, slo_idp, signed_in, smuggle
):
    query = smuggle(signed_query(slo_idp, MALLORY), unsigned_value(slo_idp, JANE))

    response = client.get(f"{SLO}?{query}")

    assert response.status_code == 400
    assert signed_in_login_id(signed_in[JANE]) == JANE, "the victim was signed out"
    assert signed_in_login_id(signed_in[MALLORY]) == MALLORY
    [refused] = refusals()
    assert refused.detail["step"] == "message_refused"
    assert "more than once" in refused.detail["reason"] or "both" in refused.detail["reason"]
    assert not AuditEvent.objects.filter(action="sso.single_logout", outcome="success").exists()


def test_the_genuine_signed_query_alone_still_signs_its_user_out(client, slo_idp, signed_in):
    response = client.get(f"{SLO}?{signed_query(slo_idp, MALLORY)}")

    assert response.status_code == 302  # the signed LogoutResponse, back to Okta
    assert signed_in_login_id(signed_in[MALLORY]) is None
    assert signed_in_login_id(signed_in[JANE]) == JANE
    assert not refusals()
    accepted = AuditEvent.objects.get(action="sso.single_logout")
    assert (accepted.detail["step"], accepted.detail["name_id"]) == ("request_accepted", MALLORY)


def test_a_post_form_with_a_second_saml_request_ends_no_session(client, slo_idp, signed_in):
    """The HTTP-POST binding likewise: Mallory's signed LogoutRequest and a second field."""
    signed = LogoutSpec(name_id=MALLORY, destination=slo_url(), issuer=slo_idp.entity_id)
    fields = {"SAMLRequest": [post_value(logout_request_xml(signed, slo_idp.keys))]}
    fields["SAMLRequest"].append(post_value(logout_request(slo_idp, JANE)))

    assert client.post(SLO, fields).status_code == 400

    assert signed_in_login_id(signed_in[JANE]) == JANE
    assert signed_in_login_id(signed_in[MALLORY]) == MALLORY
    [refused] = refusals()
    assert refused.detail["reason"] == "the form carries SAMLRequest more than once"
