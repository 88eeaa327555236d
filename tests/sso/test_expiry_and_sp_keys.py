"""Certificate expiry alerts (60, 30, 14, 7, 1 days), a metadata with several certificates,
the daily beat task, and the SP's own signing key rolling over."""

import datetime

import pytest
from django_celery_beat.models import PeriodicTask
from freezegun import freeze_time
from lxml import etree

from querypie_admin.models import AuditEvent, LinkSource
from sso.models import IdpCertificate, SamlSettings
from sso.refresh import REFRESH_ACTOR, daily_check
from sso.schedule import PERIODIC_TASK_NAME
from sso.tasks import daily_certificate_check
from tests.factories import okta_user
from tests.saml_idp.idp import TestIdentityProvider
from tests.saml_idp.keys import make_key_pair
from tests.sso.conftest import configure, signed_in_login_id

pytestmark = pytest.mark.django_db
START = datetime.datetime(2030, 12, 31, 18, 0, tzinfo=datetime.UTC)
PAGE = "/administrator/authentication/single-logout/"
MD = {"md": "urn:oasis:names:tc:SAML:2.0:metadata", "ds": "http://www.w3.org/2000/09/xmldsig#"}


def expiring_audits() -> list[int]:
    events = AuditEvent.objects.filter(action="sso.certificate_expiring").order_by("id")
    return [event.detail["threshold"] for event in events]


def test_expiry_is_alerted_once_at_60_30_14_7_and_1_days(admin_client, owner, client):
    idp = TestIdentityProvider(keys=make_key_pair("Expiring IdP", valid_days=90))
    configure(idp)
    end = IdpCertificate.objects.get().not_after
    for days_before, expected in [
        (61, []),
        (60, [60]),
        (59, [60]),  # the same threshold is not audited twice
        (30, [60, 30]),
        (14, [60, 30, 14]),
        (7, [60, 30, 14, 7]),
        (1, [60, 30, 14, 7, 1]),
    ]:
        with freeze_time(end - datetime.timedelta(days=days_before, hours=1)):
            daily_check(REFRESH_ACTOR)
            assert expiring_audits() == expected, days_before
    with freeze_time(end - datetime.timedelta(days=5)):
        admin_client.force_login(owner)  # the earlier session has expired by then
        banner = admin_client.get("/administrator/users/").content.decode()
        assert "CN=Expiring IdP expires on" in banner and "in 5 days" in banner
        warnings = client.get("/healthz").json()["warnings"]
        assert any("CN=Expiring IdP" in warning for warning in warnings)


def test_no_alert_while_a_newer_trusted_certificate_outlives_the_expiring_one(admin_client, owner):
    with freeze_time(START - datetime.timedelta(days=10)):
        old = make_key_pair("Old IdP key", valid_days=30)
    with freeze_time(START):
        idp = TestIdentityProvider(
            keys=old, extra_keys=(make_key_pair("Next IdP key", valid_days=700),)
        )
        configure(idp)
        daily_check(REFRESH_ACTOR)
        assert expiring_audits() == []
        admin_client.force_login(owner)
        assert "expires on" not in admin_client.get("/administrator/users/").content.decode()


def test_a_next_certificate_not_valid_yet_does_not_silence_the_alert(admin_client, owner):
    """Okta's next certificate starts in a week: until then it verifies nothing, so the
    certificate that signs today's sign-ins still ends in 20 days."""
    with freeze_time(START + datetime.timedelta(days=7)):
        upcoming = make_key_pair("Upcoming IdP key", valid_days=700)
    with freeze_time(START):
        current = make_key_pair("Current IdP key", valid_days=20)
        configure(TestIdentityProvider(keys=current, extra_keys=(upcoming,)))
        daily_check(REFRESH_ACTOR)
        assert expiring_audits() == [30]
        admin_client.force_login(owner)
        assert "CN=Current IdP key expires on" in admin_client.get(PAGE).content.decode()
    with freeze_time(START + datetime.timedelta(days=7)):
        assert expiring_audits() == [30]
        admin_client.force_login(owner)
        assert "expires on" not in admin_client.get("/administrator/users/").content.decode()


def test_banner_is_for_admins_only(client, plain_user):
    configure(TestIdentityProvider(keys=make_key_pair("Soon IdP", valid_days=3)))
    client.force_login(plain_user)
    assert "CN=Soon IdP" not in client.get("/me/").content.decode()


def test_every_certificate_of_the_metadata_is_trusted_with_or_without_use_signing(client, spec):
    second = make_key_pair("Second IdP key")
    idp = TestIdentityProvider(extra_keys=(second,))  # the second KeyDescriptor has no `use`
    configure(idp)
    assert IdpCertificate.objects.trusted().count() == 2
    okta_user(LinkSource.SCIM, login_id="jane@corp.example")
    client.post("/saml/sp/acs", {"SAMLResponse": idp.response(spec(signing_keys=second))})
    assert signed_in_login_id(client) == "jane@corp.example"
    assert IdpCertificate.objects.get(subject="CN=Second IdP key").last_verified_at is not None


def test_another_identity_providers_metadata_replaces_the_trusted_certificates(idp):
    configure(idp)
    other = TestIdentityProvider(
        entity_id="http://www.okta.com/exkOTHER", keys=make_key_pair("Other")
    )
    configure(other)
    assert [c.subject for c in IdpCertificate.objects.trusted()] == ["CN=Other"]
    retired = AuditEvent.objects.get(action="sso.certificate_retired")
    assert retired.detail["reason"] == "the identity provider changed"


def test_a_daily_beat_task_checks_the_certificates(idp):
    configure(idp)
    task = PeriodicTask.objects.get(name=PERIODIC_TASK_NAME)
    assert task.task == "sso.tasks.daily_certificate_check" and task.enabled
    assert (task.crontab.hour, task.crontab.day_of_week) == ("3", "*")
    assert daily_certificate_check() == {
        "metadata": "no Metadata URL",
        "okta_keys": "not configured",
        "notes": [],
    }


def sp_certificates(client) -> list[str]:
    root = etree.fromstring(client.get("/saml/sp/metadata").content)
    return [
        "".join(c.split())
        for c in root.xpath(".//md:KeyDescriptor//ds:X509Certificate/text()", namespaces=MD)
    ]


def pem_body(pem: str) -> str:
    return "".join(line for line in pem.splitlines() if "-----" not in line)


def test_sp_key_rolls_over_next_key_published_beside_the_current_then_promoted(
    admin_client, client, idp
):
    configure(idp)
    [current] = sp_certificates(client)
    admin_client.post("/administrator/authentication/single-logout/", {"op": "sp_key_next"})
    config = SamlSettings.load()
    assert "PRIVATE KEY" not in config.sp_next_private_key_encrypted
    next_cert = pem_body(config.sp_next_certificate_pem)
    assert sorted(sp_certificates(client)) == sorted([current, next_cert])
    download = client.get("/saml/sp/certificate", {"key": "next"})
    assert download["Content-Disposition"] == 'attachment; filename="querypie-sp-next.pem"'
    assert pem_body(download.content.decode()) == next_cert
    admin_client.post("/administrator/authentication/single-logout/", {"op": "sp_key_promote"})
    assert sp_certificates(client) == [next_cert]
    assert pem_body(client.get("/saml/sp/certificate").content.decode()) == next_cert
    actions = AuditEvent.objects.filter(action__startswith="sso.sp_key").order_by("id")
    assert [event.action for event in actions] == ["sso.sp_key_generated", "sso.sp_key_promoted"]
    assert client.get("/saml/sp/certificate", {"key": "next"}).status_code == 404


def test_authentication_page_actions_need_an_admin_and_csrf(client, plain_user, owner):
    client.force_login(plain_user)
    assert (
        client.post(
            "/administrator/authentication/single-logout/", {"op": "sp_key_next"}
        ).status_code
        == 403
    )
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)
    assert (
        strict.post(
            "/administrator/authentication/single-logout/", {"op": "sp_key_next"}
        ).status_code
        == 403
    )
    assert not SamlSettings.load().sp_next_certificate_pem
