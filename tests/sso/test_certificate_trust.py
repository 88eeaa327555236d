"""Which IdP certificates verify sign-ins, as the Authentication page shows them, and an Owner
retiring one by hand: the next one listed until its notBefore, Okta's key list dropped with the
API settings, and every retirement (or refusal) audited."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.test import Client
from freezegun import freeze_time

from okta.models import OktaOrg
from querypie_admin.models import AuditEvent, LinkSource
from sso.certificates import CertificateRefused, retire_certificate
from sso.models import IdpCertificate
from sso.page import certificate_rows
from sso.refresh import REFRESH_ACTOR, daily_check
from tests.factories import okta_user
from tests.foundation.conftest import messages_of
from tests.saml_idp.idp import TestIdentityProvider
from tests.saml_idp.keys import make_key_pair
from tests.sso.conftest import configure, signed_in_login_id
from tests.sso.okta_idp import (  # noqa: F401 - the *_fixture functions are fixtures
    CERTIFICATES,
    JANE,
    connected_fixture,
    fake_fixture,
    loopback_allowed_fixture,
    save_okta_api,
    trusted_keys,
)

pytestmark = pytest.mark.django_db
START = datetime.datetime(2030, 2, 28, 12, 0, tzinfo=datetime.UTC)
RETIRE = {"op": "retire_certificate"}
TABLE = "sso/_certificates.html"


@pytest.fixture(name="clock", autouse=True)
def clock_fixture():
    with freeze_time(START) as frozen:
        yield frozen


@pytest.fixture
def two_keys(owner):
    """The IdP signs with its current key; its metadata also lists a second one."""
    current, second = make_key_pair("Current IdP key"), make_key_pair("Second IdP key")
    idp = TestIdentityProvider(keys=current, extra_keys=(second,))
    configure(idp)
    okta_user(LinkSource.SCIM, login_id=JANE)
    return idp, current, second


def certificate(key) -> IdpCertificate:
    return IdpCertificate.objects.get(der_b64=key.cert_b64)


def signs_in(idp: TestIdentityProvider, spec, key) -> bool:
    browser = Client()
    browser.post("/saml/sp/acs", {"SAMLResponse": idp.response(spec(signing_keys=key))})
    return signed_in_login_id(browser) == JANE


def test_an_owner_retires_a_certificate_by_hand_and_it_verifies_nothing_from_then_on(
    admin_client, two_keys, spec
):
    idp, current, second = two_keys
    assert signs_in(idp, spec, second)

    response = admin_client.post(
        CERTIFICATES, {**RETIRE, "certificate": certificate(second).pk}, follow=True
    )

    assert messages_of(response) == [
        "CN=Second IdP key was retired: it verifies no sign-in from now on."
    ]
    assert certificate(second).retired_reason == "retired by an Owner"
    event = AuditEvent.objects.get(action="sso.certificate_retired")
    assert (event.actor_label, event.outcome) == ("owner@corp.example", "success")
    assert event.detail["reason"] == "retired by an Owner"
    assert not signs_in(idp, spec, second)
    assert signs_in(idp, spec, current)


def test_a_certificate_retired_by_hand_is_not_brought_back_by_the_scheduled_refresh(
    admin_client, connected
):
    fake = connected
    old = fake.saml.active_key
    new = fake.saml.generate_next_key()
    save_okta_api(fake)
    daily_check(REFRESH_ACTOR)
    admin_client.post(
        CERTIFICATES, {**RETIRE, "certificate": IdpCertificate.objects.get(der_b64=old.cert_b64).pk}
    )
    assert trusted_keys(fake) == {new.kid}
    daily_check(REFRESH_ACTOR)  # the metadata still lists the old certificate
    assert trusted_keys(fake) == {new.kid}


def test_the_only_certificate_that_verifies_todays_sign_ins_cannot_be_retired(admin_client):
    configure(TestIdentityProvider(keys=make_key_pair("Test IdP")))  # made on the pinned clock
    only = IdpCertificate.objects.get()

    response = admin_client.post(CERTIFICATES, {**RETIRE, "certificate": only.pk}, follow=True)

    assert messages_of(response) == [
        "CN=Test IdP is the only certificate that verifies today's sign-ins: retiring it would "
        "stop every SAML sign-in. Trust the identity provider's next certificate first."
    ]
    only.refresh_from_db()
    assert only.retired_at is None
    refused = AuditEvent.objects.get(action="sso.certificate_retired")
    assert refused.outcome == "failure"


@pytest.mark.parametrize("bad", ["", "abc", "999999", "-1", "1; DROP TABLE", "9" * 30])
def test_retiring_an_unknown_certificate_is_refused_with_a_message_and_changes_nothing(
    admin_client, two_keys, bad
):
    response = admin_client.post(CERTIFICATES, {**RETIRE, "certificate": bad}, follow=True)

    assert response.status_code == 200
    assert messages_of(response) == [
        "There is no such certificate to retire (it may be retired already); nothing was changed."
    ]
    assert IdpCertificate.objects.current().count() == 2


def test_a_retired_certificate_cannot_be_retired_twice(admin_client, two_keys):
    _idp, _current, second = two_keys
    admin_client.post(CERTIFICATES, {**RETIRE, "certificate": certificate(second).pk}, follow=True)
    response = admin_client.post(
        CERTIFICATES, {**RETIRE, "certificate": certificate(second).pk}, follow=True
    )
    assert "There is no such certificate to retire" in messages_of(response)[0]
    retired = AuditEvent.objects.filter(action="sso.certificate_retired", outcome="success")
    assert retired.count() == 1


def test_a_system_admin_cannot_retire_a_certificate(client, system_admin, two_keys):
    _idp, _current, second = two_keys
    client.force_login(system_admin)

    response = client.post(CERTIFICATES, {**RETIRE, "certificate": certificate(second).pk})

    assert response.status_code == 403
    assert "Only an Owner can change this." in response.content.decode()
    assert certificate(second).retired_at is None


def test_the_retire_service_refuses_a_system_admin_too(system_admin, two_keys):
    """Behind the page's rule, the service refuses on its own."""
    _idp, _current, second = two_keys
    with pytest.raises(CertificateRefused, match="Only an Owner can retire a certificate."):
        retire_certificate(system_admin, certificate(second).pk)
    assert certificate(second).retired_at is None


def test_the_page_lists_a_not_yet_valid_certificate_as_next(admin_client, clock):
    clock.move_to(START + datetime.timedelta(days=10))
    upcoming = make_key_pair("Upcoming IdP key")  # valid from a day before then
    clock.move_to(START)
    configure(TestIdentityProvider(keys=make_key_pair("Current"), extra_keys=(upcoming,)))

    page = admin_client.get(CERTIFICATES).content.decode()

    assert '<tr data-state="next" class="muted">' in page
    assert "Next: verifies nothing before 2030-03-09 12:00" in page
    [trusted] = IdpCertificate.objects.trusted()
    assert trusted.subject == "CN=Current"


def test_removing_the_okta_api_settings_stops_the_key_list_naming_the_next_certificate(
    connected, clock
):
    fake = connected
    save_okta_api(fake)
    new = fake.saml.generate_next_key()
    daily_check(REFRESH_ACTOR)
    assert new.kid in trusted_keys(fake)

    OktaOrg.objects.filter(pk=1).update(app_id="")
    assert daily_check(REFRESH_ACTOR).okta_keys == "not configured"
    clock.tick(datetime.timedelta(hours=2))

    assert new.kid not in trusted_keys(fake)
    daily_check(REFRESH_ACTOR)
    assert IdpCertificate.objects.get(der_b64=new.cert_b64).retired_at is not None


def test_the_retire_button_posts_the_certificates_pk_where_trust_may_be_changed(two_keys):
    """The lead's `can_change_trust` (Owners only) shows the button; without it, none."""
    _idp, _current, second = two_keys
    rows = {"certificate_rows": certificate_rows()}
    button = f'form="sso-retire-form" name="certificate" value="{certificate(second).pk}"'
    assert button in render_to_string(TABLE, {**rows, "can_change_trust": True})
    assert "Retire" not in render_to_string(TABLE, rows)
