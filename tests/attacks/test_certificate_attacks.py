"""Attacks on whom the console trusts to sign sign-ins: a key planted through another server's
key list, a certificate whose notBefore lies far ahead, an expiry alert silenced by another
certificate, and a changed Single Logout binding nobody saw."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from querypie_admin.models import AuditEvent, LinkSource
from sso.models import IdpCertificate, SamlSettings
from sso.refresh import REFRESH_ACTOR, daily_check
from tests.factories import okta_user
from tests.saml_idp.idp import TestIdentityProvider
from tests.saml_idp.keys import make_key_pair
from tests.sso.conftest import configure, signed_in_login_id
from tests.sso.okta_idp import (  # noqa: F401 - the *_fixture functions are fixtures
    JANE,
    PAGE,
    connected_fixture,
    fake_fixture,
    loopback_allowed_fixture,
    okta_org,
    save_okta_api,
    sign_in,
    trusted_keys,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_allowed")]
START = datetime.datetime(2031, 3, 31, 23, 30, tzinfo=datetime.UTC)  # the grace crosses a month


@pytest.fixture(name="clock", autouse=True)
def clock_fixture():
    """Every test here runs on a pinned clock, keys and sessions made on it included."""
    with freeze_time(START) as frozen:
        yield frozen


def grace() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.SSO_CERTIFICATE_UNLISTED_GRACE_SECONDS)


def is_trusted(cert_b64: str) -> bool:
    return IdpCertificate.objects.trusted().filter(der_b64=cert_b64).exists()


def test_a_key_planted_by_another_servers_key_list_stops_verifying_once_the_list_no_longer_names_it(
    connected, admin_client, clock
):
    """Someone points the sync's API URL at their own server with their own token and presses
    "Refresh now": that server's key list names their key for the existing IdP. Once the URL is
    put back, Okta's list no longer names it; after the grace it verifies nothing."""
    okta = connected
    with okta_org() as attacker:
        attacker.saml.app_instance_id = okta.saml.app_instance_id  # its assertions name our IdP
        planted = attacker.saml.active_key
        save_okta_api(attacker)
        admin_client.post(PAGE, {"op": "refresh"})
        assert signed_in_login_id(sign_in(attacker)) == JANE  # forged while the URL is wrong

        save_okta_api(okta)  # the URL is put back
        admin_client.post(PAGE, {"op": "refresh"})
        assert signed_in_login_id(sign_in(attacker)) == JANE  # within the grace
        clock.tick(grace() + datetime.timedelta(minutes=1))

        assert not is_trusted(planted.cert_b64)
        assert signed_in_login_id(sign_in(attacker)) is None, "the planted key still verifies"
    daily_check(REFRESH_ACTOR)
    retired = AuditEvent.objects.get(action="sso.certificate_retired")
    assert retired.detail["reason"] == "no longer named by the metadata or Okta's key list"
    assert IdpCertificate.objects.get(der_b64=planted.cert_b64).retired_at == timezone.now()
    assert signed_in_login_id(sign_in(okta)) == JANE  # Okta's own key still verifies


def test_a_certificate_with_a_far_future_not_before_verifies_nothing_until_then(connected, clock):
    """Okta's key list names a certificate whose notBefore lies a month ahead: it is listed as
    the next certificate and an assertion signed with it is refused until its notBefore."""
    fake = connected
    save_okta_api(fake)
    clock.move_to(START + datetime.timedelta(days=30))
    future = fake.saml.generate_next_key()
    clock.move_to(START)
    daily_check(REFRESH_ACTOR)

    row = IdpCertificate.objects.get(der_b64=future.cert_b64)
    assert future.kid not in trusted_keys(fake), "a not-yet-valid certificate is trusted"
    assert list(IdpCertificate.objects.upcoming()) == [row]
    fake.saml.activate(future.kid)
    assert signed_in_login_id(sign_in(fake)) is None
    clock.move_to(row.not_before + datetime.timedelta(minutes=1))
    assert signed_in_login_id(sign_in(fake)) == JANE  # from its notBefore on, it verifies


def test_a_certificate_listed_once_with_a_far_future_not_before_is_retired_after_the_grace(
    connected, clock
):
    """The metadata listed a far-future certificate once and then no longer: it is retired after
    the grace and verifies nothing when its notBefore comes."""
    fake = connected
    current = fake.saml.active_key
    clock.move_to(START + datetime.timedelta(days=30))
    future = fake.saml.generate_next_key()
    clock.move_to(START)
    fake.saml.activate(future.kid)
    daily_check(REFRESH_ACTOR)  # the metadata lists it once...
    assert not is_trusted(future.cert_b64)
    fake.saml.activate(current.kid)
    daily_check(REFRESH_ACTOR)  # ...and then no longer

    clock.tick(grace() + datetime.timedelta(minutes=1))
    daily_check(REFRESH_ACTOR)
    row = IdpCertificate.objects.get(der_b64=future.cert_b64)
    assert row.retired_reason == "no longer named by the metadata or Okta's key list"

    clock.move_to(START + datetime.timedelta(days=31))
    fake.saml.activate(future.kid)
    assert signed_in_login_id(sign_in(fake)) is None, "it verifies once its notBefore came"
    fake.saml.activate(current.kid)
    assert signed_in_login_id(sign_in(fake)) == JANE


def test_the_expiry_alert_fires_for_the_signing_certificate_although_another_outlives_it(
    admin_client, spec, clock
):
    """The certificate that signs today's sign-ins ends in 20 days; an older certificate the
    metadata also lists ends in two years. The alert is not silenced by the older one."""
    clock.move_to(START - datetime.timedelta(days=400))
    older = make_key_pair("Older IdP key", valid_days=1100)
    clock.move_to(START)
    signing = make_key_pair("Signing IdP key", valid_days=20)
    idp = TestIdentityProvider(keys=signing, extra_keys=(older,))
    configure(idp)
    okta_user(LinkSource.SCIM, login_id=JANE)
    browser = Client()
    browser.post("/saml/sp/acs", {"SAMLResponse": idp.response(spec())})
    assert signed_in_login_id(browser) == JANE

    daily_check(REFRESH_ACTOR)

    event = AuditEvent.objects.get(action="sso.certificate_expiring")
    assert event.detail["subject"] == "CN=Signing IdP key"
    banner = admin_client.get("/administrator/users/").content.decode()
    assert "CN=Signing IdP key expires on" in banner and "in 20 days" in banner


def test_a_refreshed_metadata_that_changes_the_single_logout_binding_is_held_and_reported(
    connected, admin_client
):
    """Okta's metadata drops its HTTP-Redirect Single Logout service: the binding would become
    HTTP-POST. The change is held for an admin, reported on the page and audited."""
    fake = connected
    redirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
    assert SamlSettings.load().idp_slo_binding == redirect
    original = fake.saml.metadata_xml
    dropped = f'<md:SingleLogoutService Binding="{redirect}" Location="{fake.saml.slo_url}"/>'
    assert dropped in original()
    fake.saml.metadata_xml = lambda: original().replace(dropped, "")

    response = admin_client.post(PAGE, {"op": "refresh"}, follow=True)

    page = response.content.decode()
    assert "The metadata changed the Single Logout binding" in page
    assert "Apply the change" in page
    assert SamlSettings.load().idp_slo_binding == redirect  # not applied silently
    held = AuditEvent.objects.get(action="sso.metadata_change_held")
    assert held.detail["changes"] == {"Single Logout binding": ["HTTP-Redirect", "HTTP-POST"]}
    admin_client.post(PAGE, {"op": "apply_change"})
    assert SamlSettings.load().idp_slo_binding.endswith("HTTP-POST")
