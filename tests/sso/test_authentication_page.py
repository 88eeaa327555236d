"""The Authentication page's Identity provider section: roles, metadata paste / upload / Fetch,
options, the values to copy, the sign-in button."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from querypie_admin.models import AuditEvent
from sso.models import IdpCertificate, SamlSettings
from tests.saml_idp.idp import TestIdentityProvider
from tests.saml_idp.keys import make_key_pair
from tests.saml_idp.server import IdpServer
from tests.sso.conftest import configure

pytestmark = pytest.mark.django_db
PAGE = "/administrator/authentication/identity-provider/"
SINGLE_LOGOUT = "/administrator/authentication/single-logout/"


def save(client, **fields):
    data = {
        "op": "save",
        "authentication_type": "okta",
        "metadata_xml": "",
        "clock_skew_seconds": "120",
    }
    data.update(fields)
    return client.post(PAGE, data)


def test_authentication_page_is_for_admins_only(client, plain_user, system_admin):
    assert client.get(PAGE).status_code == 302
    client.force_login(plain_user)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"op": "save"}).status_code == 403
    client.force_login(system_admin)
    assert client.get(PAGE).status_code == 200


def test_sections_show_the_values_to_copy_into_okta(admin_client):
    page = admin_client.get(PAGE).content.decode()
    assert "Single sign-on URL" in page and "http://testserver/saml/sp/acs" in page
    assert "Audience URI (SP Entity ID)" in page and "http://testserver/saml/sp/metadata" in page
    for name, value in [
        ("firstName", "user.firstName"),
        ("lastName", "user.lastName"),
        ("email", "user.email"),
        ("loginId", "user.login"),
    ]:
        assert f">{name}<" in page and f">{value}<" in page
    assert page.count('data-copy="sso-') == 2  # ACS, entity ID
    assert "Save identity provider settings" in page and "Fetch" in page
    page = admin_client.get(SINGLE_LOGOUT).content.decode()
    assert page.count('data-copy="sso-') == 2  # Single Logout URL, SP Issuer
    assert "http://testserver/saml/sp/slo" in page and "SP Issuer" in page
    assert 'href="/saml/sp/certificate"' in page and "Download the SP certificate (PEM)" in page


@override_settings(CONSOLE_BASE_URL="https://querypie.corp.example")
def test_values_to_copy_come_from_console_base_url_not_the_host_header(admin_client):
    page = admin_client.get(PAGE, HTTP_HOST="localhost").content.decode()
    assert "https://querypie.corp.example/saml/sp/acs" in page


def test_pasted_okta_metadata_is_saved_and_shown(admin_client, idp):
    response = save(admin_client, metadata_xml=idp.metadata_xml(), jit_enabled="on")
    assert response.status_code == 302
    assert response["Location"] == reverse("auth_identity_provider") + "#idp-settings"
    config = SamlSettings.load()
    assert config.authentication_type == "okta" and config.jit_enabled
    assert config.idp_entity_id == idp.entity_id and config.idp_sso_url == idp.sso_url
    page = admin_client.get(PAGE).content.decode()
    assert idp.entity_id in page and idp.sso_url in page and "HTTP-Redirect" in page
    assert "The identity provider settings were saved." in page
    assert "CN=Test IdP" in admin_client.get(SINGLE_LOGOUT).content.decode()
    assert AuditEvent.objects.filter(action="sso.settings_updated").exists()


def test_uploaded_metadata_file_is_saved(admin_client, idp):
    upload = SimpleUploadedFile("okta.xml", idp.metadata_xml().encode(), "text/xml")
    response = admin_client.post(
        PAGE,
        {
            "op": "save",
            "authentication_type": "saml",
            "metadata_file": upload,
            "clock_skew_seconds": "60",
        },
    )
    assert response.status_code == 302
    config = SamlSettings.load()
    assert config.authentication_type == "saml" and config.clock_skew_seconds == 60


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        ("not xml at all", "not well-formed XML"),
        ('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "DTD or entity declarations"),
    ],
)
def test_bad_metadata_is_refused_beside_its_field_and_nothing_saved(
    admin_client, idp, xml, message
):
    configure(idp)
    before = SamlSettings.load()
    response = save(admin_client, metadata_xml=xml, authentication_type="saml")
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "Nothing was saved" in page
    after = SamlSettings.load()
    assert (after.authentication_type, after.metadata_xml) == ("okta", before.metadata_xml)


def test_metadata_too_long_to_save_is_refused_and_nothing_saved(admin_client):
    idp = TestIdentityProvider(entity_id="http://www.okta.com/" + "x" * 1000)
    response = save(admin_client, metadata_xml=idp.metadata_xml())
    assert response.status_code == 400
    assert "entityID is longer than 1000 characters" in response.content.decode()
    assert SamlSettings.load().authentication_type == "querypie"


def test_fetch_with_an_out_of_range_port_is_refused_and_nothing_saved(admin_client):
    url = "https://idp.example:99999/metadata"
    response = admin_client.post(PAGE, {"op": "fetch", "metadata_url": url})
    assert response.status_code == 400
    assert "invalid port" in response.content.decode()
    assert SamlSettings.load().metadata_url == ""


def test_options_default_to_two_minutes_skew_without_jit_sha1_or_signing(admin_client):
    form = admin_client.get(PAGE).context["form"]
    assert form["clock_skew_seconds"].value() == 120
    assert form["jit_enabled"].value() is False
    assert form["allow_sha1"].value() is False
    assert form["sign_authn_requests"].value() is False


def test_clock_skew_above_five_minutes_is_refused(admin_client, idp):
    response = save(admin_client, metadata_xml=idp.metadata_xml(), clock_skew_seconds="301")
    assert response.status_code == 400
    assert "less than or equal to 300" in response.content.decode()
    assert SamlSettings.load().clock_skew_seconds == 120


def test_okta_type_without_metadata_is_refused(admin_client):
    response = save(admin_client)
    assert response.status_code == 400
    assert "Paste or upload the Identity Provider Metadata." in response.content.decode()
    assert SamlSettings.load().authentication_type == "querypie"


def test_expiring_certificate_warning_is_shown(admin_client):
    idp = TestIdentityProvider(keys=make_key_pair("Soon", valid_days=5))
    save(admin_client, metadata_xml=idp.metadata_xml())
    banner = "The identity provider&#x27;s signing certificate CN=Soon expires on"
    assert banner in admin_client.get(PAGE).content.decode()


@override_settings(SSO_METADATA_FETCH_ALLOW_LOOPBACK=True)
def test_fetch_saves_metadata_from_the_metadata_url(admin_client):
    with IdpServer(acs_url="http://testserver/saml/sp/acs", audience="x", users={}) as server:
        response = admin_client.post(PAGE, {"op": "fetch", "metadata_url": server.metadata_url})
    assert response.status_code == 302
    config = SamlSettings.load()
    assert config.idp_sso_url == server.sso_url and config.metadata_url == server.metadata_url


def test_fetch_refuses_a_private_address_and_saves_nothing(admin_client):
    response = admin_client.post(PAGE, {"op": "fetch", "metadata_url": "https://10.1.2.3/md"})
    assert response.status_code == 400
    assert "private address" in response.content.decode()
    assert SamlSettings.load().metadata_xml == ""


def test_fetch_and_settings_are_separate_forms(admin_client, idp):
    save(admin_client, metadata_xml=idp.metadata_xml())
    page = admin_client.get(PAGE).content.decode()
    settings_form = page.split('id="sso-settings-form"', 1)[1].split("</form>", 1)[0]
    fetch_form = page.split('id="sso-fetch-form"', 1)[1].split("</form>", 1)[0]
    assert "<form" not in settings_form and 'value="save"' in settings_form
    assert 'name="metadata_url"' in fetch_form and 'name="metadata_url"' not in settings_form


def test_sign_in_page_shows_login_with_okta_once_configured(client, idp):
    assert "Login with" not in client.get("/login/").content.decode()
    configure(idp)
    page = client.get("/login/").content.decode()
    assert "Login with Okta" in page and 'href="/saml/sp/login"' in page
    configure(idp, authentication_type="saml")
    assert "Login with SAML" in client.get("/login/").content.decode()
    configure(idp, authentication_type="querypie")
    assert "Login with" not in client.get("/login/").content.decode()


def test_owner_password_sign_in_works_with_garbage_metadata_saved(client, owner, password):
    SamlSettings.objects.update_or_create(
        pk=1,
        defaults={
            "authentication_type": "okta",
            "metadata_xml": "<garbage",
            "idp_sso_url": "https://broken.example/sso",
        },
    )
    IdpCertificate.objects.create(
        fingerprint="0" * 64,
        der_b64="not-a-certificate",
        subject="CN=Broken",
        not_before=timezone.now(),
        not_after=timezone.now(),
        source="metadata",
        in_metadata=True,
    )
    assert client.get("/login/").status_code == 200
    assert client.get("/saml/sp/login")["Location"] == "/login/"  # refused, never a 500
    response = client.post("/login/", {"login_id": owner.login_id, "password": password})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)
    assert client.get(PAGE).status_code == 200  # and the sections still open to fix it
    assert client.get(SINGLE_LOGOUT).status_code == 200
