"""IdP-initiated Single Logout against the live console: Okta's signed LogoutRequest arrives
without the session cookie (a cross-site iframe) and ends exactly the sessions it names."""

import base64
import datetime

import pytest
import requests
from lxml import etree

from querypie_admin.models import AuditEvent, LinkSource
from sso.models import SamlSession, SamlSettings
from tests.factories import okta_user
from tests.saml_idp.idp import new_id
from tests.saml_idp.keys import make_key_pair
from tests.saml_idp.logout import (
    NS,
    RESPONSE_NODE,
    LogoutSpec,
    logout_request_xml,
    post_value,
    redirect_message,
    redirect_query,
)
from tests.saml_idp.signing import verify
from tests.sso.conftest import IDP_SLO_URL, configure
from tests.sso.live import JANE, form_action, hidden, sign_in, signed_in

pytestmark = pytest.mark.django_db(transaction=True)
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"


@pytest.fixture
def two_sessions(live_console, slo_idp):
    """Jane signed in twice, in two browsers: SessionIndex s1 and s2."""
    okta_user(LinkSource.SCIM, login_id=JANE)
    configure(slo_idp)
    first = sign_in(live_console, slo_idp, session_index="s1")
    second = sign_in(live_console, slo_idp, session_index="s2")
    return first, second


def logout_spec(console: str, idp, **overrides) -> LogoutSpec:
    values = {"name_id": JANE, "destination": f"{console}/saml/sp/slo", "issuer": idp.entity_id}
    return LogoutSpec(**(values | overrides))


def post_logout_request(console: str, xml: str) -> requests.Response:
    """Okta's iframe POST: no cookie, no CSRF token."""
    return requests.post(f"{console}/saml/sp/slo", {"SAMLRequest": post_value(xml)}, timeout=10)


def answered(response: requests.Response, request_id: str) -> etree._Element:
    """The LogoutResponse the console POSTs back to Okta, after checking its signature."""
    assert response.status_code == 200
    assert form_action(response.text) == IDP_SLO_URL
    xml = base64.b64decode(hidden(response.text, "SAMLResponse")).decode()
    assert verify(xml, RESPONSE_NODE, SamlSettings.load().sp_certificate_pem)
    root = etree.fromstring(xml.encode())
    assert root.get("InResponseTo") == request_id
    assert root.get("Destination") == IDP_SLO_URL
    return root


def status_of(root: etree._Element) -> str:
    return root.find("samlp:Status/samlp:StatusCode", NS).get("Value")


def test_logout_request_with_session_index_s1_ends_only_the_first_session(
    live_console, slo_idp, two_sessions
):
    first, second = two_sessions
    spec = logout_spec(live_console, slo_idp, session_indexes=["s1"], request_id=new_id())
    response = post_logout_request(live_console, logout_request_xml(spec, slo_idp.keys))
    assert status_of(answered(response, spec.request_id)) == SUCCESS
    assert not signed_in(first, live_console)
    assert signed_in(second, live_console)
    event = AuditEvent.objects.filter(action="sso.single_logout").latest("id")
    assert event.detail["step"] == "request_accepted" and event.detail["sessions_ended"] == 1
    assert list(SamlSession.objects.values_list("session_index", flat=True)) == ["s2"]


def test_logout_request_without_session_index_ends_every_session_of_the_name_id(
    live_console, slo_idp, two_sessions
):
    first, second = two_sessions
    spec = logout_spec(live_console, slo_idp, request_id=new_id())
    response = post_logout_request(live_console, logout_request_xml(spec, slo_idp.keys))
    assert status_of(answered(response, spec.request_id)) == SUCCESS
    assert not signed_in(first, live_console) and not signed_in(second, live_console)
    assert not SamlSession.objects.exists()


def _refused_xml(case: str, console: str, idp) -> tuple[str, str]:
    """(request ID, XML) of a LogoutRequest that must end nothing."""
    request_id = new_id()
    now = datetime.datetime.now(datetime.UTC)
    spec = logout_spec(console, idp, request_id=request_id)
    if case == "unsigned":
        spec.signed = False
    elif case == "rogue key":
        spec.signing_keys = make_key_pair("Rogue IdP")
    elif case == "wrong Destination":
        spec.destination = "https://elsewhere.example/saml/sp/slo"
    elif case == "expired NotOnOrAfter":
        spec.not_on_or_after = now - datetime.timedelta(minutes=10)
    elif case == "expired IssueInstant":
        spec.issued_at = now - datetime.timedelta(hours=1)
    elif case == "wrong Issuer":
        spec.issuer = "http://www.okta.com/exkSOMEONEELSE"
    return request_id, logout_request_xml(spec, idp.keys)


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("unsigned", "is not signed"),
        ("rogue key", "signature validation failed"),
        ("wrong Destination", "Destination is not"),
        ("expired NotOnOrAfter", "has expired"),
        ("expired IssueInstant", "has expired"),
        ("wrong Issuer", "the Issuer is not"),
    ],
)
def test_bad_logout_request_ends_nothing_and_gets_a_non_success_answer(
    live_console, slo_idp, two_sessions, case, reason
):
    first, second = two_sessions
    request_id, xml = _refused_xml(case, live_console, slo_idp)
    response = post_logout_request(live_console, xml)
    assert status_of(answered(response, request_id)) != SUCCESS
    assert signed_in(first, live_console) and signed_in(second, live_console)
    event = AuditEvent.objects.filter(action="sso.single_logout").latest("id")
    assert event.outcome == "failure" and event.detail["step"] == "request_refused"
    assert reason in event.detail["reason"]


def test_replayed_logout_request_ends_nothing_the_second_time(live_console, slo_idp, two_sessions):
    first, second = two_sessions
    spec = logout_spec(live_console, slo_idp, session_indexes=["s1"], request_id=new_id())
    xml = logout_request_xml(spec, slo_idp.keys)
    assert status_of(answered(post_logout_request(live_console, xml), spec.request_id)) == SUCCESS
    third = sign_in(live_console, slo_idp, session_index="s1")  # Jane signs in again as s1
    replay = answered(post_logout_request(live_console, xml), spec.request_id)
    assert status_of(replay) != SUCCESS
    assert signed_in(third, live_console) and signed_in(second, live_console)
    event = AuditEvent.objects.filter(action="sso.single_logout").latest("id")
    assert "replay" in event.detail["reason"]


def test_logout_request_by_http_redirect_is_answered_by_redirect(
    live_console, slo_idp, two_sessions
):
    first, second = two_sessions
    spec = logout_spec(live_console, slo_idp, session_indexes=["s2"], request_id=new_id())
    xml = logout_request_xml(spec, slo_idp.keys, enveloped=False)
    query = redirect_query("SAMLRequest", xml, slo_idp.keys, relay_state="okta-state")
    response = requests.get(
        f"{live_console}/saml/sp/slo?{query}", allow_redirects=False, timeout=10
    )
    assert response.status_code == 302 and response.headers["Location"].startswith(IDP_SLO_URL)
    sp_cert = SamlSettings.load().sp_certificate_pem
    root, params = redirect_message(response.headers["Location"], sp_cert)
    assert root.get("InResponseTo") == spec.request_id and status_of(root) == SUCCESS
    assert params["RelayState"] == "okta-state"
    assert signed_in(first, live_console) and not signed_in(second, live_console)


def test_unsigned_logout_request_by_http_redirect_ends_nothing(live_console, slo_idp, two_sessions):
    first, _ = two_sessions
    spec = logout_spec(live_console, slo_idp, request_id=new_id())
    xml = logout_request_xml(spec, slo_idp.keys, enveloped=False)
    query = redirect_query("SAMLRequest", xml, keys=None)
    response = requests.get(
        f"{live_console}/saml/sp/slo?{query}", allow_redirects=False, timeout=10
    )
    root, _ = redirect_message(response.headers["Location"], SamlSettings.load().sp_certificate_pem)
    assert status_of(root) != SUCCESS
    assert signed_in(first, live_console)


def test_garbage_on_the_single_logout_url_is_refused_without_a_500(live_console, slo_idp, db):
    configure(slo_idp)
    for data in ({"SAMLRequest": "%%%"}, {"SAMLRequest": post_value("<x")}, {"RelayState": "x"}):
        response = requests.post(f"{live_console}/saml/sp/slo", data, timeout=10)
        assert response.status_code == 400
    # one address: the first refusal of a minute is audited, the rest counted on it (two
    # events if the three straddle a minute)
    refused = AuditEvent.objects.filter(action="sso.single_logout", outcome="failure")
    assert len(refused) <= 2 and sum(1 + e.detail["repeated"] for e in refused) == 3
