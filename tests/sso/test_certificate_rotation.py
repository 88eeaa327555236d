"""IdP certificate rotation with the fake Okta: its Metadata URL, its signed assertions and its
key credentials API. Old and new certificates both verify during the overlap; the old one, once
nobody names it, verifies through the grace and is then retired (sooner once a newer one
verified a sign-in, or it expired)."""

import datetime

import pytest
from django.conf import settings
from freezegun import freeze_time

from okta.models import OktaOrg
from okta.token_crypto import encrypt_token
from querypie_admin.models import AuditEvent
from sso.models import IdpCertificate, SamlSettings
from sso.refresh import REFRESH_ACTOR, daily_check
from tests.sso.conftest import signed_in_login_id
from tests.sso.okta_idp import (  # noqa: F401 - the *_fixture functions are fixtures
    CERTIFICATES,
    JANE,
    PAGE,
    connected_fixture,
    fake_fixture,
    loopback_allowed_fixture,
    save_okta_api,
    sign_in,
    trusted_keys,
)

pytestmark = pytest.mark.django_db


def grace() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.SSO_CERTIFICATE_UNLISTED_GRACE_SECONDS)


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


def test_old_certificate_that_left_the_metadata_verifies_through_the_grace_then_is_retired(
    connected,
):
    fake = connected
    old = fake.saml.active_key
    new = fake.saml.generate_next_key()
    with freeze_time(new.created + datetime.timedelta(minutes=5)) as clock:
        fake.saml.activate(new.kid)
        daily_check(REFRESH_ACTOR)  # the old certificate left the metadata: the grace starts
        clock.tick(grace() - datetime.timedelta(minutes=1))
        daily_check(REFRESH_ACTOR)
        assert trusted_keys(fake) == {old.kid, new.kid}
        fake.saml.activate(old.kid)  # an assertion signed with the old key, still in flight
        assert signed_in_login_id(sign_in(fake)) == JANE
        clock.tick(datetime.timedelta(minutes=1))
        assert trusted_keys(fake) == {new.kid}  # the grace is over, even before the check
        assert signed_in_login_id(sign_in(fake)) is None
        fake.saml.activate(new.kid)
        daily_check(REFRESH_ACTOR)
    retired = AuditEvent.objects.get(action="sso.certificate_retired")
    assert retired.detail["reason"] == "no longer named by the metadata or Okta's key list"


def test_old_certificate_that_left_the_metadata_and_expired_in_the_grace_is_retired(connected):
    fake = connected
    old = fake.saml.active_key
    with freeze_time(old.expires - datetime.timedelta(minutes=10)) as clock:
        new = fake.saml.generate_next_key()
        fake.saml.activate(new.kid)
        daily_check(REFRESH_ACTOR)
        assert trusted_keys(fake) == {old.kid, new.kid}
        clock.tick(datetime.timedelta(minutes=11))
        assert trusted_keys(fake) == {new.kid}
        daily_check(REFRESH_ACTOR)
    retired = AuditEvent.objects.get(action="sso.certificate_retired")
    assert retired.detail["reason"] == "expired and no longer in the metadata"


def test_certificate_still_in_the_metadata_is_kept_after_it_expires_but_verifies_nothing(
    connected, admin_client, owner
):
    fake = connected
    old = fake.saml.active_key
    with freeze_time(old.expires + datetime.timedelta(days=1)):
        daily_check(REFRESH_ACTOR)
        assert trusted_keys(fake) == set()
        assert signed_in_login_id(sign_in(fake)) is None
        assert IdpCertificate.objects.get(der_b64=old.cert_b64).retired_at is None
        event = AuditEvent.objects.filter(action="sso.certificate_expiring").latest("id")
        assert event.outcome == "failure" and event.detail["days_left"] < 0
        admin_client.force_login(owner)  # the earlier session has expired by then
        assert "Expired: verifies nothing" in admin_client.get(CERTIFICATES).content.decode()


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
