"""A System Admin meets the settings that decide whom the console trusts read-only, in a browser:
each says "Only an Owner can change this" and offers no button that would change it."""

import pytest
from playwright.sync_api import expect

from sso.metadata import parse_idp_metadata
from sso.models import AuthenticationType
from sso.services import Options, save_configuration
from tests.e2e.conftest import sign_in
from tests.saml_idp.idp import TestIdentityProvider

pytestmark = pytest.mark.django_db(transaction=True)
OWNER_ONLY = "Only an Owner can change this."


@pytest.fixture
def okta_configured(db):
    metadata = TestIdentityProvider().metadata_xml()
    save_configuration(
        "test",
        authentication_type=AuthenticationType.OKTA,
        metadata=parse_idp_metadata(metadata),
        metadata_xml=metadata,
        options=Options(),
    )


SECTIONS = "/administrator/authentication/"
IDP, SLO, MAPPING, SYNC = (
    f"{SECTIONS}identity-provider/",
    f"{SECTIONS}single-logout/",
    f"{SECTIONS}role-mapping/",
    f"{SECTIONS}okta-sync/",
)


def test_a_system_admin_sees_the_authentication_sections_read_only(
    page, console_url, system_admin, password, okta_configured, shot
):
    sign_in(page, console_url, system_admin.login_id, password)
    page.goto(f"{console_url}{IDP}")
    expect(page.get_by_text(OWNER_ONLY).first).to_be_visible()
    expect(page.get_by_label("Authentication Type", exact=True)).to_be_disabled()
    expect(page.get_by_role("button", name="Save identity provider settings")).to_have_count(0)
    shot(page, "06-authentication-read-only-for-a-system-admin")

    page.goto(f"{console_url}{SLO}")
    expect(page.get_by_text(OWNER_ONLY).first).to_be_visible()
    expect(page.get_by_role("button", name="Generate the next key")).to_have_count(0)
    page.goto(f"{console_url}{MAPPING}")
    expect(page.get_by_text(OWNER_ONLY).first).to_be_visible()
    expect(page.get_by_role("button", name="Add mapping")).to_have_count(0)
    page.goto(f"{console_url}{SYNC}")
    expect(page.get_by_text(OWNER_ONLY).first).to_be_visible()
    expect(page.get_by_role("button", name="Save Changes")).to_have_count(0)
    expect(page.get_by_role("button", name="Dry Run")).to_have_count(0)
    expect(page.get_by_role("button", name="Synchronize")).to_be_visible()

    page.goto(f"{console_url}/administrator/provisioning/")
    expect(page.get_by_text(OWNER_ONLY)).to_be_visible()
    expect(page.get_by_role("button", name="Enable")).to_have_count(0)


def test_an_owner_sees_the_same_sections_with_their_buttons(
    page, console_url, owner, password, okta_configured
):
    sign_in(page, console_url, owner.login_id, password)
    page.goto(f"{console_url}{IDP}")
    expect(page.get_by_text(OWNER_ONLY)).to_have_count(0)
    expect(page.get_by_label("Authentication Type", exact=True)).to_be_enabled()
    expect(page.get_by_role("button", name="Save identity provider settings")).to_be_visible()
    page.goto(f"{console_url}{SLO}")
    expect(page.get_by_role("button", name="Generate the next key")).to_be_visible()
    page.goto(f"{console_url}{SYNC}")
    expect(page.get_by_role("button", name="Save Changes")).to_be_visible()
