"""Fixtures for SAML tests: a test IdP, the console configured for it, and an ACS poster."""

import base64
import zlib
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import etree

from querypie_admin.models import AuditEvent
from sso.metadata import parse_idp_metadata
from sso.models import AuthenticationType
from sso.saml import acs_url, sp_entity_id
from sso.services import Options, save_configuration
from tests.saml_idp.idp import ResponseSpec, TestIdentityProvider, encode

ACS = "/saml/sp/acs"


@pytest.fixture
def idp():
    return TestIdentityProvider()


def configure(idp: TestIdentityProvider, **options) -> None:
    metadata_xml = idp.metadata_xml()
    save_configuration(
        "test",
        authentication_type=options.pop("authentication_type", AuthenticationType.OKTA),
        metadata=parse_idp_metadata(metadata_xml),
        metadata_xml=metadata_xml,
        options=Options(**options),
    )


@pytest.fixture
def saml_configured(db, idp):
    configure(idp)
    return idp


@pytest.fixture
def spec():
    """A valid Response spec for jane@corp.example; tests override what they attack."""

    def make(**overrides) -> ResponseSpec:
        values = {
            "name_id": "jane@corp.example",
            "audience": sp_entity_id(),
            "destination": acs_url(),
            "attributes": {
                "firstName": "Jane",
                "lastName": "Doe",
                "email": "jane@corp.example",
                "loginId": "jane@corp.example",
            },
        }
        values.update(overrides)
        return ResponseSpec(**values)

    return make


@pytest.fixture
def post_acs(client):
    def post(xml: str, relay_state: str | None = None, raw: str | None = None):
        data = {"SAMLResponse": raw if raw is not None else encode(xml)}
        if relay_state is not None:
            data["RelayState"] = relay_state
        return client.post(ACS, data)

    return post


def signed_in_login_id(client) -> str | None:
    from querypie_admin.models import User

    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id).login_id if user_id else None


def last_saml_signin() -> AuditEvent:
    return AuditEvent.objects.filter(action="auth.signin", detail__method="saml").latest("id")


def authn_request_from(location: str) -> tuple[etree._Element, dict]:
    """The AuthnRequest carried by an HTTP-Redirect URL, and the URL's query."""
    query = parse_qs(urlsplit(location).query)
    xml = zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15)
    return etree.fromstring(xml), query


IDP_SLO_URL = "https://corp.okta.example/app/querypie/exk1testidp0000/slo/saml"


@pytest.fixture
def live_console(live_server, settings) -> str:
    """The console on a live server, its public URL set to it (Single Logout tests)."""
    settings.CONSOLE_BASE_URL = live_server.url
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    return live_server.url


@pytest.fixture
def slo_idp() -> TestIdentityProvider:
    """An IdP whose metadata offers Single Logout on both bindings."""
    return TestIdentityProvider(slo_url=IDP_SLO_URL)
