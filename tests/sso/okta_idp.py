"""The fake Okta as the console's identity provider, for the certificate tests: fetched by its
Metadata URL, its API token saved for the key credentials, Jane signing in from its dashboard.

Import the ``*_fixture`` functions explicitly; each registers under the name without the suffix.
"""

import pytest
from django.test import Client, override_settings

from fake_okta import FakeOkta, FakeOktaDirectory
from fake_okta.saml_idp import IdpSession
from okta.models import OktaOrg
from okta.token_crypto import encrypt_token
from querypie_admin.models import LinkSource
from sso.models import IdpCertificate, SamlSettings
from tests.factories import okta_user

PAGE = "/administrator/authentication/identity-provider/"
CERTIFICATES = "/administrator/authentication/single-logout/"
JANE = "jane@corp.example"


@pytest.fixture(name="loopback_allowed")
def loopback_allowed_fixture():
    with override_settings(SSO_METADATA_FETCH_ALLOW_LOOPBACK=True):
        yield


def okta_org() -> FakeOkta:
    """An Okta org on a real socket, with Jane assigned to the QueryPie app."""
    directory = FakeOktaDirectory()
    directory.add_user(JANE, first_name="Jane", last_name="Doe")
    return FakeOkta(directory, console_url="http://testserver")


@pytest.fixture(name="fake")
def fake_fixture():
    with okta_org() as server:
        yield server


def connect(admin_client: Client, fake: FakeOkta) -> FakeOkta:
    """The admin fetches the fake's Metadata URL and chooses Okta; Jane is in the console."""
    okta_user(LinkSource.SCIM, login_id=JANE)
    admin_client.post(PAGE, {"op": "fetch", "metadata_url": fake.saml.metadata_url})
    admin_client.post(
        PAGE, {"op": "save", "authentication_type": "okta", "clock_skew_seconds": "120"}
    )
    assert SamlSettings.load().sso_enabled
    return fake


@pytest.fixture(name="connected")
def connected_fixture(admin_client, fake, loopback_allowed):
    return connect(admin_client, fake)


def save_okta_api(fake: FakeOkta) -> None:
    """The synchronization settings name this org's API URL, token and Application ID."""
    OktaOrg.objects.update_or_create(
        pk=1,
        defaults={
            "api_url": fake.base_url,
            "api_token_encrypted": encrypt_token(fake.token),
            "api_token_last4": fake.token[-4:],
            "app_id": fake.app_id,
        },
    )


def sign_in(fake: FakeOkta) -> Client:
    """Jane signs in from the Okta dashboard with an assertion the fake signs right now."""
    user = next(u for u in fake.directory.users.values() if u.profile["login"] == JANE)
    browser = Client()
    browser.post(
        "/saml/sp/acs", {"SAMLResponse": fake.saml.response(user, IdpSession(user.id), None)}
    )
    return browser


def trusted_keys(fake: FakeOkta) -> set[str]:
    """Which of the fake's keys the console trusts now, by their kid."""
    trusted = {c.der_b64 for c in IdpCertificate.objects.trusted()}
    return {key.kid for key in fake.saml.keys if key.cert_b64 in trusted}
