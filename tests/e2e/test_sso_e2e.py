"""Flows 1, 2 and part of 5: an admin connects the test IdP and a user logs in with Okta."""

import pytest
from playwright.sync_api import Page, expect

from querypie_admin.models import LinkSource
from tests.e2e.conftest import sign_in
from tests.factories import okta_user
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
    page.goto(f"{console_url}/administrator/authentication/")
    page.get_by_label("Authentication Type", exact=True).select_option(label="Okta")
    page.get_by_label("Or upload the metadata file").set_input_files(str(metadata_file))
    page.get_by_role("button", name="Save Changes").click()


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
    page.goto(f"{console_url}/administrator/authentication/")
    page.get_by_label("Metadata URL", exact=True).fill(idp.metadata_url)
    page.get_by_role("button", name="Fetch").click()
    facts = page.locator(".sso-idp")
    expect(facts.get_by_text(idp.idp.entity_id, exact=True)).to_be_visible()
    shot(page, "01-authentication-metadata-fetched")
