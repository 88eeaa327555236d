"""IdP certificate rotation with the fake Okta: its Metadata URL, its signed assertions and its
key credentials API. Old and new certificates both verify during the overlap; the old one is
retired only once a newer one verified a sign-in, or it expired."""

import datetime

import pytest
from django.test import Client, override_settings
from freezegun import freeze_time

from fake_okta import FakeOkta, FakeOktaDirectory
from fake_okta.saml_idp import IdpSession
from okta.models import OktaOrg
from okta.token_crypto import encrypt_token
from querypie_admin.models import AuditEvent, LinkSource
from sso.models import IdpCertificate, SamlSettings
from sso.refresh import REFRESH_ACTOR, daily_check
from tests.factories import okta_user
from tests.sso.conftest import signed_in_login_id

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_allowed")]
PAGE = "/administrator/authentication/"
JANE = "jane@corp.example"


@pytest.fixture
def loopback_allowed():
    with override_settings(SSO_METADATA_FETCH_ALLOW_LOOPBACK=True):
        yield


@pytest.fixture
def fake():
    directory = FakeOktaDirectory()
    directory.add_user(JANE, first_name="Jane", last_name="Doe")
    with FakeOkta(directory, console_url="http://testserver") as server:
        yield server


@pytest.fixture
def connected(admin_client, fake):
    """The admin fetched the fake's Metadata URL and chose Okta; Jane is in the console."""
    okta_user(LinkSource.SCIM, login_id=JANE)
    admin_client.post(PAGE, {"op": "fetch", "metadata_url": fake.saml.metadata_url})
    admin_client.post(
        PAGE, {"op": "save", "authentication_type": "okta", "clock_skew_seconds": "120"}
    )
    assert SamlSettings.load().sso_enabled
    return fake


def save_okta_api(fake: FakeOkta) -> None:
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
    """Which of the fake's keys the console trusts, by their kid."""
    trusted = {c.der_b64 for c in IdpCertificate.objects.trusted()}
    return {key.kid for key in fake.saml.keys if key.cert_b64 in trusted}


def test_next_certificate_is_trusted_from_oktas_api_and_both_verify_during_the_overlap(connected):
    fake = connected
    old = fake.saml.active_key
    save_okta_api(fake)
    new = fake.saml.generate_next_key()  # the Okta admin generates the next certificate
    assert daily_check(REFRESH_ACTOR).okta_keys == "read"
    assert trusted_keys(fake) == {old.kid, new.kid}
    assert signed_in_login_id(sign_in(fake)) == JANE  # still signed with the old key
    fake.saml.activate(new.kid)  # ...and activates it: no refresh has run yet
    assert signed_in_login_id(sign_in(fake)) == JANE
    fake.saml.activate(old.kid)  # an assertion in flight, signed a moment before
    assert signed_in_login_id(sign_in(fake)) == JANE
    trusted = AuditEvent.objects.filter(action="sso.certificate_trusted").latest("id")
    assert trusted.detail["source"] == "okta_api"


def test_old_certificate_is_retired_only_after_a_newer_one_verified_a_sign_in(connected):
    fake = connected
    old = fake.saml.active_key
    new = fake.saml.generate_next_key()
    fake.saml.activate(new.kid)  # the metadata now shows only the new certificate
    assert daily_check(REFRESH_ACTOR).metadata == "applied"
    assert trusted_keys(fake) == {old.kid, new.kid}  # the old one left, nothing verified yet
    fake.saml.activate(old.kid)
    assert signed_in_login_id(sign_in(fake)) == JANE
    fake.saml.activate(new.kid)
    assert signed_in_login_id(sign_in(fake)) == JANE  # a newer certificate verified a sign-in
    assert trusted_keys(fake) == {new.kid}
    retired = AuditEvent.objects.get(action="sso.certificate_retired")
    assert retired.detail["reason"] == "a sign-in verified with a newer certificate"
    fake.saml.activate(old.kid)
    assert signed_in_login_id(sign_in(fake)) is None  # the old key signs nothing any more


def test_old_certificate_that_left_the_metadata_is_retired_when_it_expires(connected):
    fake = connected
    old = fake.saml.active_key
    new = fake.saml.generate_next_key(valid_days=365 * 5)
    fake.saml.activate(new.kid)
    daily_check(REFRESH_ACTOR)
    with freeze_time(old.expires - datetime.timedelta(days=1)):
        daily_check(REFRESH_ACTOR)
        assert trusted_keys(fake) == {old.kid, new.kid}
    with freeze_time(old.expires + datetime.timedelta(days=1)):
        daily_check(REFRESH_ACTOR)
        assert trusted_keys(fake) == {new.kid}
    retired = AuditEvent.objects.get(action="sso.certificate_retired")
    assert retired.detail["reason"] == "expired and no longer in the metadata"


def test_certificate_still_in_the_metadata_is_kept_after_it_expires_with_an_alert(connected):
    fake = connected
    old = fake.saml.active_key
    with freeze_time(old.expires + datetime.timedelta(days=1)):
        daily_check(REFRESH_ACTOR)
        assert trusted_keys(fake) == {old.kid}
        assert signed_in_login_id(sign_in(fake)) == JANE
        event = AuditEvent.objects.filter(action="sso.certificate_expiring").latest("id")
        assert event.outcome == "failure" and event.detail["days_left"] < 0


def test_changed_entity_id_waits_for_an_admins_confirmation(connected, admin_client):
    fake = connected
    before = SamlSettings.load()
    held_idp = "http://www.okta.com/exkHELD0000000000"
    original = fake.saml.metadata_xml
    fake.saml.metadata_xml = lambda: original().replace(fake.saml.entity_id, held_idp)
    assert daily_check(REFRESH_ACTOR).metadata == "held"
    config = SamlSettings.load()
    assert config.idp_entity_id == before.idp_entity_id and config.pending_metadata_xml
    held = AuditEvent.objects.get(action="sso.metadata_change_held")
    assert held.detail["changes"]["IdP Entity ID"] == [before.idp_entity_id, held_idp]
    page = admin_client.get(PAGE).content.decode()
    assert "Apply the change" in page and held_idp in page
    assert signed_in_login_id(sign_in(fake)) == JANE  # sign-in goes on with the current IdP
    admin_client.post(PAGE, {"op": "apply_change"})
    assert SamlSettings.load().idp_entity_id == held_idp
    assert not SamlSettings.load().pending_metadata_xml
    assert AuditEvent.objects.filter(action="sso.metadata_change_confirmed").exists()


def test_keep_current_settings_discards_the_held_change_until_the_next_refresh(
    connected, admin_client
):
    fake = connected
    original = fake.saml.metadata_xml
    sso_url = fake.saml.sso_url
    fake.saml.metadata_xml = lambda: original().replace(sso_url, sso_url + "/moved")
    daily_check(REFRESH_ACTOR)
    admin_client.post(PAGE, {"op": "keep_current"})
    assert not SamlSettings.load().pending_metadata_xml
    assert SamlSettings.load().idp_sso_url == sso_url
    assert daily_check(REFRESH_ACTOR).metadata == "held"  # still changed: held again


@pytest.mark.parametrize("failure", ["404", "broken XML", "not metadata"])
def test_failed_refresh_keeps_the_last_good_configuration_and_alerts(
    connected, admin_client, client, failure
):
    fake = connected
    before = SamlSettings.load()
    trusted_before = trusted_keys(fake)
    if failure == "404":
        SamlSettings.objects.filter(pk=1).update(
            metadata_url=fake.base_url + "/app/gone/sso/saml/metadata"
        )
    else:
        body = "<md:EntityDescriptor" if failure == "broken XML" else "<html>Okta is down</html>"
        fake.saml.metadata_xml = lambda: body
    assert daily_check(REFRESH_ACTOR).metadata == "failed"
    config = SamlSettings.load()
    assert (config.idp_entity_id, config.idp_sso_url) == (before.idp_entity_id, before.idp_sso_url)
    assert config.metadata_xml == before.metadata_xml and trusted_keys(fake) == trusted_before
    event = AuditEvent.objects.get(action="sso.metadata_refresh_failed")
    assert event.outcome == "failure" and event.detail["error"]
    assert "could not be refreshed" in admin_client.get("/administrator/users/").content.decode()
    assert any("could not be refreshed" in w for w in client.get("/healthz").json()["warnings"])
    assert signed_in_login_id(sign_in(fake)) == JANE


def test_refresh_now_runs_the_check_from_the_authentication_page(connected, admin_client):
    fake = connected
    new = fake.saml.generate_next_key()
    fake.saml.activate(new.kid)
    response = admin_client.post(PAGE, {"op": "refresh"}, follow=True)
    assert "certificates are up to date" in response.content.decode()
    assert new.kid in trusted_keys(fake)
    assert AuditEvent.objects.filter(
        action="sso.certificate_trusted", actor_label="owner@corp.example"
    ).exists()


def test_unreadable_okta_keys_keep_the_trust_and_alert(connected):
    fake = connected
    save_okta_api(fake)
    OktaOrg.objects.filter(pk=1).update(api_token_encrypted=encrypt_token("wrong-token"))
    assert daily_check(REFRESH_ACTOR).okta_keys == "failed"
    assert SamlSettings.load().okta_keys_error.startswith(
        "Okta's key credentials could not be read"
    )
    assert AuditEvent.objects.filter(action="sso.okta_keys_failed").exists()
    assert signed_in_login_id(sign_in(fake)) == JANE
