"""The four ways a System Admin became an Owner through configuration (issue 19), each tried
again with real signed SAML and the fake Okta over HTTP: every one is refused with 403, and
the console trusts exactly what it trusted before. An Owner's own path still works."""

import pytest
from django.test import Client, override_settings

from fake_okta import FakeOkta, FakeOktaDirectory
from okta.models import OktaOrg
from querypie_admin.models import AuditEvent, LinkSource, Role, RoleMapping, User
from scim.models import ScimToken
from sso.models import IdpCertificate, SamlSettings
from sync.models import SyncRun
from tests.factories import UserFactory, okta_group, okta_user
from tests.saml_idp.idp import TestIdentityProvider
from tests.saml_idp.keys import make_key_pair
from tests.sso.conftest import signed_in_login_id

pytestmark = pytest.mark.django_db
PAGE = "/administrator/authentication/identity-provider/"
SYNC_PAGE = "/administrator/authentication/okta-sync/"
HANDED_OVER_OWNER = "founder@corp.example"
OWNER_GROUP_ID = "00gowners000000000001"
REFUSED = "Only an Owner can change this."


@pytest.fixture
def attacker_idp() -> TestIdentityProvider:
    """The System Admin's own IdP: their own key, their own entity ID."""
    return TestIdentityProvider(
        entity_id="http://attacker.example/idp", keys=make_key_pair("Attacker IdP")
    )


@pytest.fixture
def sysadmin_client(system_admin) -> Client:
    browser = Client()
    browser.force_login(system_admin)
    return browser


@pytest.fixture
def handed_over_owner(db) -> User:
    return okta_user(LinkSource.SCIM, login_id=HANDED_OVER_OWNER, role=Role.OWNER)


def trust() -> tuple:
    """Whom the console trusts: the IdP, its certificates, SCIM tokens, the Okta API."""
    config = SamlSettings.load()
    sync = OktaOrg.load()
    return (
        config.idp_entity_id,
        config.idp_sso_url,
        config.jit_enabled,
        sorted(IdpCertificate.objects.trusted().values_list("der_b64", flat=True)),
        ScimToken.objects.count(),
        sync.api_url,
        sync.api_token_encrypted,
        sync.app_id,
    )


def assert_refused(response) -> None:
    assert response.status_code == 403
    assert REFUSED in response.content.decode()


def test_a_system_admin_cannot_paste_their_own_idp_metadata_and_sign_in_as_an_owner(
    saml_configured, sysadmin_client, attacker_idp, handed_over_owner, spec, client
):
    before = trust()
    response = sysadmin_client.post(
        PAGE,
        {"op": "save", "authentication_type": "okta", "metadata_xml": attacker_idp.metadata_xml()},
    )
    assert_refused(response)
    assert trust() == before

    forged = attacker_idp.response(
        spec(name_id=HANDED_OVER_OWNER, attributes={"loginId": HANDED_OVER_OWNER})
    )
    assert client.post("/saml/sp/acs", {"SAMLResponse": forged}).status_code == 403
    assert signed_in_login_id(client) is None


def test_a_system_admin_cannot_swap_the_idp_with_create_users_on_first_login(
    saml_configured, sysadmin_client, attacker_idp, spec, client
):
    okta_group(LinkSource.OKTA_SYNC, external_id=OWNER_GROUP_ID, name="Owners")
    RoleMapping.objects.create(okta_group_id=OWNER_GROUP_ID, role=Role.OWNER)
    before = trust()
    response = sysadmin_client.post(
        PAGE,
        {
            "op": "save",
            "authentication_type": "okta",
            "metadata_xml": attacker_idp.metadata_xml(),
            "jit_enabled": "on",
            "clock_skew_seconds": "120",
        },
    )
    assert_refused(response)
    assert trust() == before

    forged = attacker_idp.response(
        spec(
            name_id="newcomer@corp.example",
            attributes={"loginId": "newcomer@corp.example", "groups": [OWNER_GROUP_ID]},
        )
    )
    client.post("/saml/sp/acs", {"SAMLResponse": forged})
    assert not User.objects.filter(login_id="newcomer@corp.example").exists()
    assert list(User.objects.filter(role=Role.OWNER).values_list("login_id", flat=True)) == []


def test_a_system_admin_cannot_enable_provisioning_or_generate_a_scim_token(sysadmin_client):
    assert_refused(sysadmin_client.post("/administrator/provisioning/switch/", {"enabled": "1"}))
    assert_refused(sysadmin_client.post("/administrator/provisioning/tokens/"))
    assert not ScimToken.objects.exists()
    page = sysadmin_client.get("/administrator/provisioning/").content.decode()
    assert REFUSED in page
    assert "Generate Token" not in page


@pytest.fixture
def attackers_okta():
    """The System Admin's own server, answering like Okta with its own key credentials."""
    directory = FakeOktaDirectory()
    with FakeOkta(directory, console_url="http://testserver") as server:
        server.saml.generate_next_key()
        yield server


@override_settings(OKTA_API_ALLOW_LOOPBACK=True, SSO_METADATA_FETCH_ALLOW_LOOPBACK=True)
def test_a_system_admin_cannot_point_the_okta_api_at_their_server_and_refresh_its_keys(
    saml_configured, sysadmin_client, attackers_okta
):
    SamlSettings.objects.filter(pk=1).update(metadata_url="https://corp.okta.example/metadata")
    before = trust()
    fields = {
        "enabled": "on",
        "api_url": attackers_okta.base_url,
        "api_token": attackers_okta.token,
        "app_id": attackers_okta.app_id,
        "scope": "app",
        "frequency": "manual",
        "deactivation_threshold": "20",
    }
    for op in ("save", "dry_run"):
        assert_refused(sysadmin_client.post(SYNC_PAGE, {**fields, "op": op}))
    assert_refused(sysadmin_client.post(PAGE, {"op": "refresh"}))
    assert trust() == before
    planted = {key.cert_b64 for key in attackers_okta.saml.keys}
    assert not IdpCertificate.objects.filter(der_b64__in=planted).exists()
    refusals = AuditEvent.objects.filter(action="console.owner_only_refused")
    assert sorted(refusals.values_list("detail__op", flat=True)) == ["dry_run", "refresh", "save"]


def test_a_system_admin_still_synchronizes_with_the_saved_settings(
    sync_settings, sysadmin_client, system_admin
):
    """Synchronize changes nothing the console trusts: it stays a System Admin's button."""
    response = sysadmin_client.post(SYNC_PAGE, {"op": "synchronize"})
    run = SyncRun.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"{SYNC_PAGE}runs/{run.pk}/")
    assert run.started_by == system_admin


def test_an_owner_still_changes_the_idp(saml_configured, attacker_idp):
    """The same metadata a System Admin was refused, saved by an Owner, is trusted."""
    owner_browser = Client()
    owner_browser.force_login(UserFactory(role=Role.OWNER))
    response = owner_browser.post(
        PAGE,
        {
            "op": "save",
            "authentication_type": "okta",
            "metadata_xml": attacker_idp.metadata_xml(),
            "clock_skew_seconds": "120",
        },
    )
    assert response.status_code == 302
    assert SamlSettings.load().idp_entity_id == "http://attacker.example/idp"
