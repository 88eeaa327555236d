"""The fake Okta as all three integrations see it, against the live console: its SAML IdP
(Metadata URL, sign-in form, signed assertions, Single Logout), its SCIM push, and its key
credentials API read by the console's Okta client."""

import html
import io

import pytest
import requests
from django.core.management import call_command
from django.test import override_settings

from fake_okta import FakeOkta, FakeOktaDirectory
from fake_okta.scim_push import ScimPusher
from okta.client import OktaClient
from querypie_admin.models import AuditEvent, AuthProvider, Group, LinkSource, User
from sso.metadata import parse_idp_metadata
from sso.models import SamlSession
from sso.services import save_configuration
from tests.factories import okta_user
from tests.sso.live import form_action, hidden, sign_out, signed_in

pytestmark = pytest.mark.django_db(transaction=True)
JANE = "jane@corp.example"


@pytest.fixture
def fake(live_console):
    directory = FakeOktaDirectory()
    directory.add_user(JANE, first_name="Jane", last_name="Doe")
    with FakeOkta(directory, console_url=live_console) as server:
        yield server


@pytest.fixture
def okta_connected(fake):
    xml = requests.get(fake.saml.metadata_url, timeout=5).text
    save_configuration(
        "test", authentication_type="okta", metadata=parse_idp_metadata(xml), metadata_xml=xml
    )
    okta_user(LinkSource.SCIM, login_id=JANE)
    return fake


def assign(fake: FakeOkta, login: str) -> None:
    from fake_okta.model import AppUserAssignment

    user = next(u for u in fake.directory.users.values() if u.profile["login"] == login)
    fake.directory.app_users[fake.app_id][user.id] = AppUserAssignment(user.created, user.created)


def login_through_the_fake(console: str, fake: FakeOkta) -> requests.Session:
    """Login with Okta: the console's AuthnRequest, the fake's sign-in form, the auto-POST."""
    assign(fake, JANE)
    browser = requests.Session()
    sign_in_page = browser.get(f"{console}/saml/sp/login", timeout=5).text
    assert JANE in sign_in_page and "Sign in" in sign_in_page
    user_id = next(u.id for u in fake.directory.users.values() if u.profile["login"] == JANE)
    form = {name: hidden(sign_in_page, name) for name in ("SAMLRequest", "RelayState")}
    auto_post = browser.post(fake.saml.sso_url, {**form, "user_id": user_id}, timeout=5).text
    assert form_action(auto_post) == f"{console}/saml/sp/acs"
    fields = {name: hidden(auto_post, name) for name in ("SAMLResponse", "RelayState")}
    browser.post(form_action(auto_post), fields, timeout=5)
    return browser


def test_fake_okta_metadata_url_parses_like_oktas(fake):
    metadata = parse_idp_metadata(requests.get(fake.saml.metadata_url, timeout=5).content)
    assert metadata.entity_id.startswith("http://www.okta.com/exk")
    assert metadata.sso_url == fake.saml.sso_url and metadata.slo_url == fake.saml.slo_url
    assert [c.der_b64 for c in metadata.certificates] == [fake.saml.active_key.cert_b64]


def test_login_with_okta_through_the_fakes_sign_in_form(live_console, okta_connected):
    browser = login_through_the_fake(live_console, okta_connected)
    assert signed_in(browser, live_console)
    [session] = SamlSession.objects.all()
    assert session.name_id == JANE and session.session_index.startswith("_")
    user = User.objects.get(login_id=JANE)
    assert (user.first_name, user.last_name) == ("Jane", "Doe")  # the seed's attribute statements


def test_sign_out_signs_out_of_the_fake_okta_too(live_console, okta_connected):
    fake = okta_connected
    browser = login_through_the_fake(live_console, fake)
    to_okta = sign_out(browser, live_console)
    assert to_okta.headers["Location"].startswith(fake.saml.slo_url)
    answer_page = browser.get(to_okta.headers["Location"], timeout=5).text
    [request] = fake.saml.logout_requests
    assert request.findtext("{*}NameID") == JANE
    response = browser.post(
        form_action(answer_page), {"SAMLResponse": hidden(answer_page, "SAMLResponse")}, timeout=5
    )
    assert "signed out of QueryPie and Okta" in response.text
    assert AuditEvent.objects.filter(
        action="sso.single_logout", detail__step="response_accepted"
    ).exists()


def test_signing_out_of_the_fake_okta_ends_the_console_session(live_console, okta_connected):
    fake = okta_connected
    browser = login_through_the_fake(live_console, fake)
    page = browser.post(f"{fake.base_url}/login/signout", timeout=5).text
    inner = hidden(html.unescape(page), "SAMLRequest")  # the hidden iframe's auto-POST
    requests.post(f"{live_console}/saml/sp/slo", {"SAMLRequest": inner}, timeout=5)  # the iframe
    assert not signed_in(browser, live_console)


@override_settings(SSO_METADATA_FETCH_ALLOW_LOOPBACK=True)
def test_push_scim_provisions_the_apps_users_and_groups(live_console):
    directory = FakeOktaDirectory.generate(users=60, groups=12, memberships=200, seed=3)
    call_command("provisioning", "enable", stdout=io.StringIO())
    out = io.StringIO()
    call_command("provisioning", "token", "create", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    result = ScimPusher(f"{live_console}/api/scim/v2", token).push(directory)
    assigned = directory.app_users[directory.app_id]
    assert result.users_created == len(assigned) and result.groups_created == 2
    for user_id in assigned:
        user = User.objects.get(login_id=directory.users[user_id].profile["login"])
        assert user.auth_provider == AuthProvider.OKTA
        assert user.links.get().source == LinkSource.SCIM
    for group_id in directory.app_groups[directory.app_id]:
        group = Group.objects.get(name=directory.groups[group_id].name)
        expected = {
            directory.users[u].profile["login"]
            for u in directory.groups[group_id].members
            if u in assigned
        }
        assert set(group.members.values_list("login_id", flat=True)) == expected
    again = ScimPusher(f"{live_console}/api/scim/v2", token).push(directory)
    assert (again.users_created, again.users_updated) == (0, len(assigned))


def test_the_consoles_okta_client_reads_the_apps_key_credentials(fake):
    fake.saml.generate_next_key()
    with OktaClient(fake.base_url, fake.token) as client:
        keys = client.app_key_credentials(fake.app_id)
    assert [key["kid"] for key in keys] == [key.kid for key in fake.saml.keys]
    assert all(key["x5c"] and key["kty"] == "RSA" for key in keys)
