"""Signing in with Okta: SP-initiated and IdP-initiated, with real signed Responses."""

import datetime

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from querypie_admin.models import AuditEvent, AuthProvider, LinkSource, User
from sso.models import SamlRequest, SamlSession, SamlSettings
from tests.factories import okta_user
from tests.saml_idp.idp import encode
from tests.sso.conftest import (
    authn_request_from,
    configure,
    last_saml_signin,
    signed_in_login_id,
)

pytestmark = pytest.mark.django_db


def start_sp_login(client, idp, next_path: str | None = None) -> str:
    response = client.get("/saml/sp/login", {"next": next_path} if next_path else {})
    assert response.status_code == 302
    assert response["Location"].startswith(idp.sso_url + "?")
    request, query = authn_request_from(response["Location"])
    request_id = request.get("ID")
    assert SamlRequest.objects.filter(request_id=request_id).exists()
    return request_id


def test_okta_signed_response_signs_the_user_in(client, saml_configured, spec, post_acs):
    okta_user(LinkSource.SCIM, login_id="jane@corp.example", first_name="Old", last_name="Name")
    request_id = start_sp_login(client, saml_configured)
    xml = saml_configured.response_xml(spec(in_response_to=request_id))
    response = post_acs(xml)
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_login_id(client) == "jane@corp.example"
    user = User.objects.get(login_id="jane@corp.example")
    assert (user.first_name, user.last_name) == ("Jane", "Doe")
    event = last_saml_signin()
    assert event.outcome == "success" and event.detail["flow"] == "sp-initiated"
    assert not SamlRequest.objects.filter(request_id=request_id).exists()


def test_sp_initiated_login_returns_to_the_page_asked_for(client, saml_configured, spec, post_acs):
    okta_user(LinkSource.SCIM, login_id="jane@corp.example")
    request_id = start_sp_login(client, saml_configured, next_path="/me/")
    response = post_acs(saml_configured.response_xml(spec(in_response_to=request_id)), "/me/")
    assert response["Location"] == "/me/"


def test_sp_initiated_login_returns_to_the_kept_page_whatever_relay_state_says(
    client, saml_configured, spec, post_acs
):
    okta_user(LinkSource.SCIM, login_id="jane@corp.example")
    request_id = start_sp_login(client, saml_configured, next_path="/me/")
    xml = saml_configured.response_xml(spec(in_response_to=request_id))
    response = post_acs(xml, "/administrator/users/")
    assert response["Location"] == "/me/"


def test_idp_initiated_login_from_the_okta_dashboard_signs_in(
    client, saml_configured, spec, post_acs
):
    okta_user(LinkSource.SCIM, login_id="jane@corp.example")
    response = post_acs(saml_configured.response_xml(spec()))
    assert response.status_code == 302
    assert signed_in_login_id(client) == "jane@corp.example"
    assert last_saml_signin().detail["flow"] == "idp-initiated"


def test_user_is_found_by_login_id_case_insensitively(client, saml_configured, spec, post_acs):
    okta_user(LinkSource.SCIM, login_id="Jane@Corp.Example")
    xml = saml_configured.response_xml(
        spec(name_id="00u1okta", attributes={"loginId": "JANE@corp.example"})
    )
    post_acs(xml)
    assert signed_in_login_id(client) == "Jane@Corp.Example"


def test_name_id_is_used_when_login_id_is_absent(client, saml_configured, spec, post_acs):
    okta_user(LinkSource.SCIM, login_id="jane@corp.example")
    post_acs(saml_configured.response_xml(spec(attributes={})))
    assert signed_in_login_id(client) == "jane@corp.example"


def test_unknown_user_sees_not_provisioned_page(client, saml_configured, spec, post_acs):
    response = post_acs(saml_configured.response_xml(spec()))
    assert response.status_code == 403
    assert (
        "Your account has not been provisioned; ask your administrator" in response.content.decode()
    )
    assert signed_in_login_id(client) is None
    assert not User.objects.filter(login_id__iexact="jane@corp.example").exists()
    event = last_saml_signin()
    assert event.outcome == "failure" and event.detail["reason"] == "user not provisioned"


def test_create_users_on_first_login_creates_an_okta_user_linked_to_saml(
    client, idp, spec, post_acs
):
    configure(idp, jit_enabled=True)
    post_acs(idp.response_xml(spec(name_id="00u1jane")))
    user = User.objects.get(login_id="jane@corp.example")
    assert user.auth_provider == AuthProvider.OKTA
    assert (user.first_name, user.last_name, user.email) == ("Jane", "Doe", "jane@corp.example")
    assert not user.has_usable_password()
    assert signed_in_login_id(client) == "jane@corp.example"
    [link] = user.links.all()
    assert (link.source, link.external_id) == (LinkSource.SAML, "00u1jane")
    created = AuditEvent.objects.get(action="user.created", target_id=str(user.pk))
    assert created.detail["source"] == "saml"


def test_inactive_user_is_refused(client, saml_configured, spec, post_acs):
    okta_user(LinkSource.SCIM, login_id="jane@corp.example", is_active=False)
    response = post_acs(saml_configured.response_xml(spec()))
    assert response.status_code == 403
    assert "inactive" in response.content.decode()
    assert signed_in_login_id(client) is None
    assert last_saml_signin().detail["reason"] == "inactive account"


@pytest.mark.parametrize(
    "relay_state",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "http://testserver.evil.example/",
    ],
)
def test_relay_state_never_redirects_off_the_console(
    client, saml_configured, spec, post_acs, relay_state
):
    okta_user(LinkSource.SCIM, login_id="jane@corp.example")
    response = post_acs(saml_configured.response_xml(spec()), relay_state)
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_login_id(client) == "jane@corp.example"


def test_relay_state_with_the_console_url_keeps_its_path(client, saml_configured, spec, post_acs):
    okta_user(LinkSource.SCIM, login_id="jane@corp.example")
    response = post_acs(
        saml_configured.response_xml(spec()), "http://testserver/administrator/users/"
    )
    assert response["Location"] == "/administrator/users/"


def test_sp_login_without_saml_configured_goes_back_to_sign_in(client, db):
    response = client.get("/saml/sp/login")
    assert response.status_code == 302 and response["Location"] == "/login/"


def test_sp_login_with_an_overlong_next_goes_home_instead_of_failing(client, saml_configured):
    """A `next` longer than a kept RelayState can be starts the login towards the home page."""
    response = client.get("/saml/sp/login", {"next": "/" + "a" * 2030})
    assert response.status_code == 302
    assert response["Location"].startswith(saml_configured.sso_url + "?")
    [pending] = SamlRequest.objects.all()
    assert pending.relay_state == "/"


def test_okta_response_signed_on_both_response_and_assertion_signs_in(
    client, saml_configured, spec, post_acs
):
    """Okta's default: Response signature and Assertion signature both on."""
    okta_user(LinkSource.SCIM, login_id="jane@corp.example")
    xml = saml_configured.response_xml(spec(sign_assertion=True, sign_response=True))
    assert xml.count("SignatureValue>") == 4  # two signatures, each opened and closed
    assert post_acs(xml).status_code == 302
    assert signed_in_login_id(client) == "jane@corp.example"


def test_sp_initiated_response_is_accepted_without_the_session_cookie(
    client, saml_configured, spec
):
    """Okta's cross-site POST carries no SameSite=Lax cookie: the request ID is in the DB."""
    okta_user(LinkSource.SCIM, login_id="jane@corp.example")
    request_id = start_sp_login(client, saml_configured)
    okta_post = Client()  # a browser POST without the console's cookies
    xml = saml_configured.response_xml(spec(in_response_to=request_id))
    response = okta_post.post("/saml/sp/acs", {"SAMLResponse": encode(xml)})
    assert response.status_code == 302
    assert signed_in_login_id(okta_post) == "jane@corp.example"
    assert last_saml_signin().detail["flow"] == "sp-initiated"


@override_settings(CONSOLE_BASE_URL="https://querypie.corp.example")
def test_sign_in_behind_a_tls_proxy_checks_the_public_acs_url(client, saml_configured, spec):
    """Plain HTTP from the proxy with an internal Host: the public URL is what must match."""
    okta_user(LinkSource.SCIM, login_id="jane@corp.example")
    public = spec(
        destination="https://querypie.corp.example/saml/sp/acs",
        audience="https://querypie.corp.example/saml/sp/metadata",
    )
    internal = spec(  # what the Host header would suggest
        destination="http://testserver/saml/sp/acs",
        audience="http://testserver/saml/sp/metadata",
    )
    xml = saml_configured.response_xml(internal)
    assert client.post("/saml/sp/acs", {"SAMLResponse": encode(xml)}).status_code == 403
    xml = saml_configured.response_xml(public)
    response = client.post("/saml/sp/acs", {"SAMLResponse": encode(xml)})
    assert response.status_code == 302
    assert signed_in_login_id(client) == "jane@corp.example"


def test_sp_login_with_broken_settings_is_refused_and_audited(client, saml_configured):
    SamlSettings.objects.filter(pk=1).update(idp_entity_id="")
    response = client.get("/saml/sp/login")
    assert response.status_code == 302 and response["Location"] == "/login/"
    event = last_saml_signin()
    assert event.outcome == "failure"
    assert event.detail["reason"].startswith("SAML login could not start")


def test_sign_in_keeps_the_saml_session_and_ends_it_at_session_not_on_or_after(
    client, saml_configured, spec, post_acs
):
    okta_user(LinkSource.SCIM, login_id="jane@corp.example")
    until = timezone.now() + datetime.timedelta(minutes=30)
    post_acs(saml_configured.response_xml(spec(session_index="s1", session_not_on_or_after=until)))
    [session] = SamlSession.objects.all()
    assert (session.session_key, session.session_index) == (client.session.session_key, "s1")
    assert session.name_id == "jane@corp.example" and session.name_id_format.endswith("unspecified")
    assert 1700 < client.session.get_expiry_age() <= 1800


def test_an_overlong_session_index_is_refused(client, saml_configured, spec, post_acs):
    okta_user(LinkSource.SCIM, login_id="jane@corp.example")
    response = post_acs(saml_configured.response_xml(spec(session_index="s" * 256)))
    assert response.status_code == 403 and signed_in_login_id(client) is None
    assert "SessionIndex is longer than 255" in last_saml_signin().detail["reason"]
