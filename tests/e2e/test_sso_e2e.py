"""Flows 1, 2 and part of 5: an admin connects the test IdP, a user logs in with Okta, and
Single Logout ends the right browser sessions both ways."""

import pytest
import requests
from playwright.sync_api import Page, expect

from querypie_admin.models import LinkSource
from tests.e2e.conftest import sign_in
from tests.factories import okta_user
from tests.saml_idp.logout import LogoutSpec, logout_request_xml, post_value
from tests.saml_idp.server import IdpServer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def idp(console_url):
    users = {
        "jane@corp.example": "idp-pass",
        "stranger@corp.example": "idp-pass",
        "OWNER@corp.example": "idp-pass",  # Okta naming the console's local Owner
    }
    with IdpServer(
        acs_url=f"{console_url}/saml/sp/acs",
        audience=f"{console_url}/saml/sp/metadata",
        users=users,
    ) as server:
        yield server


def upload_metadata(page: Page, console_url: str, metadata_file) -> None:
    page.goto(f"{console_url}/administrator/authentication/")  # the old page: its first section
    page.get_by_label("Authentication Type", exact=True).select_option(label="Okta")
    page.get_by_label("Or upload the metadata file").set_input_files(str(metadata_file))
    page.get_by_role("button", name="Save identity provider settings").click()


@pytest.fixture
def metadata_file(idp, tmp_path):
    path = tmp_path / "okta-metadata.xml"
    path.write_text(idp.idp.metadata_xml())
    return path


def test_admin_uploads_idp_metadata_and_sees_what_to_copy(
    page, console_url, owner, password, idp, metadata_file, shot
):
    sign_in(page, console_url, owner.login_id, password)
    page.get_by_role("link", name="Authentication").click()
    upload_metadata(page, console_url, metadata_file)
    facts = page.locator(".sso-idp")
    expect(facts.get_by_text(idp.idp.entity_id, exact=True)).to_be_visible()
    expect(facts.get_by_text(idp.sso_url, exact=True)).to_be_visible()
    expect(page.locator("#sso-acs-url")).to_have_text(f"{console_url}/saml/sp/acs")
    expect(page.locator("#sso-entity-id")).to_have_text(f"{console_url}/saml/sp/metadata")
    for attribute in ("firstName", "lastName", "email", "loginId"):
        expect(page.locator(f"#sso-attr-{attribute}")).to_be_visible()
    shot(page, "01-authentication-metadata-uploaded")


def test_broken_metadata_shows_the_error_beside_the_field_and_saves_nothing(
    page, console_url, owner, password, tmp_path, shot
):
    broken = tmp_path / "broken.xml"
    broken.write_text("<EntityDescriptor><unclosed></EntityDescriptor>")
    sign_in(page, console_url, owner.login_id, password)
    upload_metadata(page, console_url, broken)
    expect(page.locator(".field.has-error .field-error").first).to_be_visible()
    expect(page.get_by_role("heading", name="Authentication Type: QueryPie")).to_be_visible()
    shot(page, "05-authentication-broken-metadata")


def configure_okta(browser, console_url, owner, password, metadata_file) -> None:
    context = browser.new_context()
    admin = context.new_page()
    sign_in(admin, console_url, owner.login_id, password)
    upload_metadata(admin, console_url, metadata_file)
    expect(admin.get_by_role("heading", name="Authentication Type: Okta")).to_be_visible()
    context.close()


def test_user_logs_in_with_okta_through_the_idp(
    browser, page, console_url, owner, password, metadata_file, shot
):
    okta_user(LinkSource.SCIM, login_id="jane@corp.example", first_name="Jane")
    configure_okta(browser, console_url, owner, password, metadata_file)
    page.goto(f"{console_url}/login/")
    shot(page, "02-sign-in-with-okta-button")
    page.get_by_role("link", name="Login with Okta").click()
    page.get_by_label("Username").fill("jane@corp.example")
    page.get_by_label("Password").fill("idp-pass")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()
    expect(page.get_by_text("jane@corp.example").first).to_be_visible()
    shot(page, "02-signed-in-with-okta")


def test_unprovisioned_user_sees_the_refusal_page(
    browser, page, console_url, owner, password, metadata_file, shot
):
    configure_okta(browser, console_url, owner, password, metadata_file)
    page.goto(f"{console_url}/login/")
    page.get_by_role("link", name="Login with Okta").click()
    page.get_by_label("Username").fill("stranger@corp.example")
    page.get_by_label("Password").fill("idp-pass")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Your account has not been provisioned")).to_be_visible()
    shot(page, "02-not-provisioned")
    page.goto(f"{console_url}/me/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_okta_cannot_sign_in_as_the_local_owner(
    browser, page, console_url, owner, password, metadata_file, shot
):
    configure_okta(browser, console_url, owner, password, metadata_file)
    page.goto(f"{console_url}/login/")
    page.get_by_role("link", name="Login with Okta").click()
    page.get_by_label("Username").fill("OWNER@corp.example")
    page.get_by_label("Password").fill("idp-pass")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("This account signs in with a password")).to_be_visible()
    shot(page, "02-password-account-refused")
    page.get_by_role("link", name="Back to sign-in").click()
    sign_in(page, console_url, owner.login_id, password)
    expect(page.get_by_role("link", name="Authentication")).to_be_visible()


def test_admin_fetches_metadata_from_the_metadata_url(
    page, console_url, owner, password, idp, settings, shot
):
    settings.SSO_METADATA_FETCH_ALLOW_LOOPBACK = True  # the test IdP listens on 127.0.0.1
    sign_in(page, console_url, owner.login_id, password)
    page.goto(f"{console_url}/administrator/authentication/identity-provider/")
    page.get_by_label("Metadata URL", exact=True).fill(idp.metadata_url)
    page.get_by_role("button", name="Fetch").click()
    facts = page.locator(".sso-idp")
    expect(facts.get_by_text(idp.idp.entity_id, exact=True)).to_be_visible()
    shot(page, "01-authentication-metadata-fetched")


# Single Logout ---------------------------------------------------------------------------


@pytest.fixture
def slo_idp(console_url, tmp_path):
    """The test IdP with Single Logout, and its metadata file."""
    with IdpServer(
        acs_url=f"{console_url}/saml/sp/acs",
        audience=f"{console_url}/saml/sp/metadata",
        users={"jane@corp.example": "idp-pass"},
        single_logout=True,
    ) as server:
        path = tmp_path / "okta-slo-metadata.xml"
        path.write_text(server.idp.metadata_xml())
        server.metadata_file = path
        yield server


def login_with_okta(browser, console_url: str) -> Page:
    """A new browser context (its own cookies) in which Jane logs in with Okta."""
    page = browser.new_context().new_page()
    page.goto(f"{console_url}/login/")
    page.get_by_role("link", name="Login with Okta").click()
    page.get_by_label("Username").fill("jane@corp.example")
    page.get_by_label("Password").fill("idp-pass")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()
    return page


def still_signed_in(page: Page, console_url: str) -> bool:
    page.goto(f"{console_url}/me/")
    return page.get_by_role("heading", name="My profile").is_visible()


def okta_logout_request(console_url: str, idp, session_indexes: list[str]) -> None:
    """Okta's hidden iframe: a signed POST LogoutRequest that carries no console cookie."""
    spec = LogoutSpec(
        name_id="jane@corp.example",
        destination=f"{console_url}/saml/sp/slo",
        issuer=idp.idp.entity_id,
        session_indexes=session_indexes,
    )
    xml = logout_request_xml(spec, idp.idp.keys)
    answer = requests.post(
        f"{console_url}/saml/sp/slo", {"SAMLRequest": post_value(xml)}, timeout=10
    )
    assert answer.status_code == 200 and 'name="SAMLResponse"' in answer.text


def test_okta_logout_of_session_s1_ends_only_the_first_browser(
    browser, console_url, owner, password, slo_idp, shot
):
    okta_user(LinkSource.SCIM, login_id="jane@corp.example")
    configure_okta(browser, console_url, owner, password, slo_idp.metadata_file)
    first = login_with_okta(browser, console_url)  # SessionIndex s1
    second = login_with_okta(browser, console_url)  # SessionIndex s2
    okta_logout_request(console_url, slo_idp, ["s1"])
    assert not still_signed_in(first, console_url)
    assert still_signed_in(second, console_url)
    okta_logout_request(console_url, slo_idp, [])  # no SessionIndex: every session of Jane
    assert not still_signed_in(second, console_url)
    shot(first, "06-ended-by-okta-single-logout")


def test_sign_out_signs_out_of_okta_too(browser, console_url, owner, password, slo_idp, shot):
    okta_user(LinkSource.SCIM, login_id="jane@corp.example")
    configure_okta(browser, console_url, owner, password, slo_idp.metadata_file)
    page = login_with_okta(browser, console_url)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out of QueryPie and Okta.")).to_be_visible()
    shot(page, "06-signed-out-of-okta-too")
    [request] = slo_idp.logout_requests
    assert request.findtext("{*}NameID") == "jane@corp.example"
    assert [i.text for i in request.iterfind("{*}SessionIndex")] == ["s1"]
    assert not still_signed_in(page, console_url)


def test_sign_out_over_http_post_works_under_the_content_security_policy(
    browser, console_url, owner, password, tmp_path
):
    """The auto-POST to Okta runs from a static script: the CSP allows no inline one."""
    okta_user(LinkSource.SCIM, login_id="jane@corp.example")
    with IdpServer(
        acs_url=f"{console_url}/saml/sp/acs",
        audience=f"{console_url}/saml/sp/metadata",
        users={"jane@corp.example": "idp-pass"},
        single_logout=True,
    ) as server:
        server.idp.slo_bindings = ("post",)
        metadata = tmp_path / "okta-post-slo.xml"
        metadata.write_text(server.idp.metadata_xml())
        configure_okta(browser, console_url, owner, password, metadata)
        page = login_with_okta(browser, console_url)
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_text("You are signed out of QueryPie and Okta.")).to_be_visible()
        assert len(server.logout_requests) == 1


def test_okta_sign_out_page_ends_the_session_through_a_hidden_cross_site_iframe(
    browser, console_url, owner, password, slo_idp
):
    """Okta's page (another site) frames the console's Single Logout URL; no cookie needed."""
    okta_user(LinkSource.SCIM, login_id="jane@corp.example")
    configure_okta(browser, console_url, owner, password, slo_idp.metadata_file)
    first = login_with_okta(browser, console_url)  # s1
    second = login_with_okta(browser, console_url)  # s2
    okta_page = browser.new_context().new_page()
    okta_page.goto(f"{slo_idp.base_url}/okta-signout?session_index=s1")
    expect(okta_page.get_by_text("Signed out of Okta.")).to_be_visible()
    for _ in range(50):  # the iframe's round trip: LogoutRequest, then the signed answer
        if slo_idp.logout_responses:
            break
        okta_page.wait_for_timeout(100)
    [answer] = slo_idp.logout_responses
    assert answer.find("{*}Status/{*}StatusCode").get("Value").endswith(":Success")
    assert not still_signed_in(first, console_url)
    assert still_signed_in(second, console_url)
