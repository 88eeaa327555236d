"""SP-initiated Single Logout against the live console: "Sign out" ends the console session
first, then sends Okta a signed LogoutRequest with the assertion's exact NameID, Format and
SessionIndex; Okta's LogoutResponse must answer it."""

import base64

import pytest
import requests
from lxml import etree

from querypie_admin.models import AuditEvent, LinkSource
from sso.models import LogoutRequestSent, SamlSettings
from tests.factories import okta_user
from tests.saml_idp.idp import TestIdentityProvider
from tests.saml_idp.keys import make_key_pair
from tests.saml_idp.logout import (
    NS,
    REQUEST_NODE,
    logout_response_xml,
    post_value,
    redirect_message,
)
from tests.saml_idp.signing import verify
from tests.sso.conftest import IDP_SLO_URL, configure
from tests.sso.live import JANE, form_action, hidden, sign_in, sign_out, signed_in

pytestmark = pytest.mark.django_db(transaction=True)
EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
# A NameID and SessionIndex with characters XML must escape: they must come back byte-equal.
NAME_ID = "Jane.Doe+okta&co@corp.example"
SESSION_INDEX = "_s1<okta>"


def signed_in_jane(console: str, idp: TestIdentityProvider) -> requests.Session:
    okta_user(LinkSource.SCIM, login_id=JANE)
    configure(idp)
    return sign_in(
        console,
        idp,
        name_id=NAME_ID,
        name_id_format=EMAIL_FORMAT,
        name_qualifier="http://www.okta.com/exk1testidp0000",
        session_index=SESSION_INDEX,
    )


def assert_names_the_assertion(request: etree._Element) -> None:
    name_id = request.find("saml:NameID", NS)
    assert name_id.text.encode() == NAME_ID.encode()
    assert name_id.get("Format").encode() == EMAIL_FORMAT.encode()
    assert name_id.get("NameQualifier") == "http://www.okta.com/exk1testidp0000"
    assert [i.text for i in request.findall("samlp:SessionIndex", NS)] == [SESSION_INDEX]
    assert request.get("Destination") == IDP_SLO_URL


def post_logout_response(console: str, browser, xml: str) -> requests.Response:
    return browser.post(
        f"{console}/saml/sp/slo", {"SAMLResponse": post_value(xml)}, allow_redirects=False
    )


def okta_answer(idp: TestIdentityProvider, console: str, in_response_to: str | None, **kw) -> str:
    return logout_response_xml(
        in_response_to=in_response_to,
        destination=f"{console}/saml/sp/slo",
        issuer=idp.entity_id,
        keys=kw.pop("keys", idp.keys),
        **kw,
    )


def test_sign_out_over_http_redirect_sends_the_assertions_name_id(live_console, slo_idp):
    browser = signed_in_jane(live_console, slo_idp)
    response = sign_out(browser, live_console)
    assert response.status_code == 302 and response.headers["Location"].startswith(IDP_SLO_URL)
    assert not signed_in(browser, live_console)  # ended before Okta answered
    sp_cert = SamlSettings.load().sp_certificate_pem
    request, _ = redirect_message(response.headers["Location"], sp_cert)  # RSA-SHA256 checked
    assert_names_the_assertion(request)
    answer = post_logout_response(
        live_console, browser, okta_answer(slo_idp, live_console, request.get("ID"))
    )
    assert answer.status_code == 302 and answer.headers["Location"] == "/login/"
    assert "signed out of QueryPie and Okta" in browser.get(f"{live_console}/login/").text
    event = AuditEvent.objects.filter(action="sso.single_logout").latest("id")
    assert event.detail["step"] == "response_accepted" and event.outcome == "success"
    assert not LogoutRequestSent.objects.exists()


def test_sign_out_over_http_post_sends_a_signed_logout_request(live_console):
    idp = TestIdentityProvider(slo_url=IDP_SLO_URL, slo_bindings=("post",))
    browser = signed_in_jane(live_console, idp)
    response = sign_out(browser, live_console)
    assert response.status_code == 200 and form_action(response.text) == IDP_SLO_URL
    assert not signed_in(browser, live_console)
    xml = base64.b64decode(hidden(response.text, "SAMLRequest")).decode()
    assert verify(xml, REQUEST_NODE, SamlSettings.load().sp_certificate_pem)
    request = etree.fromstring(xml.encode())
    assert request.find(".//{*}SignatureMethod").get("Algorithm").endswith("rsa-sha256")
    assert_names_the_assertion(request)


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("wrong InResponseTo", "is not a LogoutRequest this SP sent"),
        ("unsolicited", "is not a LogoutRequest this SP sent"),
        ("rogue key", "signature validation failed"),
        ("not Success", "did not sign the user out"),
    ],
)
def test_mismatched_logout_response_is_refused_and_the_user_stays_signed_out(
    live_console, slo_idp, case, reason
):
    browser = signed_in_jane(live_console, slo_idp)
    location = sign_out(browser, live_console).headers["Location"]
    request, _ = redirect_message(location, SamlSettings.load().sp_certificate_pem)
    options = {
        "wrong InResponseTo": {"in_response_to": "id-not-sent-by-this-sp"},
        "unsolicited": {"in_response_to": None},
        "rogue key": {"keys": make_key_pair("Rogue IdP")},
        "not Success": {"status": "urn:oasis:names:tc:SAML:2.0:status:Responder"},
    }[case]
    irt = options.pop("in_response_to", request.get("ID"))
    answer = post_logout_response(
        live_console, browser, okta_answer(slo_idp, live_console, irt, **options)
    )
    assert answer.status_code == 302 and answer.headers["Location"] == "/login/"
    assert not signed_in(browser, live_console)
    assert "answer could not be accepted" in browser.get(f"{live_console}/login/").text
    event = AuditEvent.objects.filter(action="sso.single_logout").latest("id")
    assert event.outcome == "failure" and event.detail["step"] == "response_refused"
    assert reason in event.detail["reason"]


def test_a_logout_response_is_accepted_once(live_console, slo_idp):
    browser = signed_in_jane(live_console, slo_idp)
    location = sign_out(browser, live_console).headers["Location"]
    request, _ = redirect_message(location, SamlSettings.load().sp_certificate_pem)
    xml = okta_answer(slo_idp, live_console, request.get("ID"))
    post_logout_response(live_console, browser, xml)
    post_logout_response(live_console, browser, xml)
    outcomes = AuditEvent.objects.filter(action="sso.single_logout").order_by("id")
    assert [e.detail["step"] for e in outcomes] == [
        "request_sent",
        "response_accepted",
        "response_refused",
    ]


def test_password_sign_out_does_not_go_to_okta(live_console, slo_idp, owner, password):
    configure(slo_idp)
    browser = requests.Session()
    browser.get(f"{live_console}/login/")
    browser.post(
        f"{live_console}/login/",
        {
            "login_id": owner.login_id,
            "password": password,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        headers={"Referer": f"{live_console}/login/"},
    )
    assert signed_in(browser, live_console)
    response = sign_out(browser, live_console)
    assert response.status_code == 302 and response.headers["Location"] == "/login/"
    assert not signed_in(browser, live_console)


def test_without_a_single_logout_url_sign_out_stays_local(live_console):
    browser = signed_in_jane(live_console, TestIdentityProvider())  # no SingleLogoutService
    response = sign_out(browser, live_console)
    assert response.status_code == 302 and response.headers["Location"] == "/login/"
    assert not signed_in(browser, live_console)
