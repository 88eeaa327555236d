"""SAML sign-in with a `groups` attribute (Okta group ids): the role follows the asserted
mapped groups before the session starts; no attribute changes nothing; names never match.
Real signed Responses: the test IdP (pysaml2 + xmlsec1) and the fake Okta's SAML app."""

import pytest
from django.test import Client

from fake_okta import FakeOkta, FakeOktaDirectory
from fake_okta.saml_idp import FilteredGroupsStatement, IdpSession
from querypie_admin.models import AuditEvent, LinkSource, Role, RoleMapping, RoleSource, User
from tests.factories import okta_user
from tests.sso.conftest import configure, signed_in_login_id

from .conftest import ADMINS_ID, ENGINEERS_ID

pytestmark = pytest.mark.django_db
JANE = "jane@corp.example"
ADMIN_PAGE = "/administrator/users/"


@pytest.fixture
def jane(db) -> User:
    return okta_user(LinkSource.SCIM, login_id=JANE)


@pytest.fixture
def mapped(db):
    RoleMapping.objects.create(okta_group_id=ADMINS_ID, role=Role.SYSTEM_ADMIN, group_name="Admins")


def sign_in(saml_configured, spec, post_acs, **attributes) -> None:
    base = {"loginId": JANE, "email": JANE}
    response = post_acs(saml_configured.response_xml(spec(attributes={**base, **attributes})))
    assert response.status_code == 302


def role_of(user: User) -> tuple[str, str]:
    user.refresh_from_db()
    return user.role, user.role_source


def test_asserted_mapped_group_ids_promote_and_the_new_session_is_valid(
    client, saml_configured, spec, post_acs, mapped, jane
):
    sign_in(saml_configured, spec, post_acs, groups=[ADMINS_ID, "00gUnmappedGr0up0009"])

    assert role_of(jane) == (Role.SYSTEM_ADMIN, RoleSource.MAPPING)
    assert signed_in_login_id(client) == JANE
    assert client.get(ADMIN_PAGE).status_code == 200  # the session carries the new role
    event = AuditEvent.objects.get(action="user.role_changed", target_id=str(jane.pk))
    assert event.detail["source"] == "saml" and event.detail["saml_assertion"].startswith("id")


def test_a_sign_in_without_the_mapped_group_demotes_and_ends_other_sessions(
    client, saml_configured, spec, post_acs, mapped, jane
):
    sign_in(saml_configured, spec, post_acs, groups=[ADMINS_ID])
    other = Client()
    other.force_login(User.objects.get(pk=jane.pk))
    assert other.get(ADMIN_PAGE).status_code == 200

    sign_in(saml_configured, spec, post_acs, groups=[ENGINEERS_ID])

    assert role_of(jane) == (Role.USER, RoleSource.MANUAL)
    assert client.get(ADMIN_PAGE).status_code == 403  # signed in, as a User now
    assert other.get(ADMIN_PAGE).status_code == 302  # the older session ended


def test_no_groups_attribute_changes_nothing(saml_configured, spec, post_acs, mapped, jane):
    sign_in(saml_configured, spec, post_acs, groups=[ADMINS_ID])
    sign_in(saml_configured, spec, post_acs)
    assert role_of(jane) == (Role.SYSTEM_ADMIN, RoleSource.MAPPING)


def test_group_names_grant_nothing(saml_configured, spec, post_acs, mapped, jane):
    sign_in(saml_configured, spec, post_acs, groups=["Admins", "admins"])
    assert role_of(jane) == (Role.USER, RoleSource.MANUAL)


def test_a_local_account_is_never_reached(saml_configured, spec, post_acs, mapped, user_factory):
    user_factory(login_id=JANE)
    post_acs(
        saml_configured.response_xml(spec(attributes={"loginId": JANE, "groups": [ADMINS_ID]}))
    )
    assert User.objects.get(login_id=JANE).role == Role.USER
    assert not AuditEvent.objects.filter(action="user.role_changed").exists()


@pytest.fixture
def fake_okta():
    directory = FakeOktaDirectory()
    directory.add_user(JANE, first_name="Jane", last_name="Doe")
    with FakeOkta(directory, console_url="http://testserver") as server:
        yield server


def test_the_fake_oktas_filtered_groups_statement_promotes_then_demotes(fake_okta, jane):
    """Okta set up as docs/ROLE_MAPPING.md says: getFilteredGroups over the mapped group and
    Everyone, so the attribute is sent even when Jane leaves the mapped group."""
    okta = fake_okta.directory
    admins = okta.add_group("Admins")
    everyone = next(g for g in okta.groups.values() if g.type == "BUILT_IN")
    RoleMapping.objects.create(okta_group_id=admins.id, role=Role.SYSTEM_ADMIN)
    statement = FilteredGroupsStatement("groups", (admins.id, everyone.id), okta.member_ids)
    fake_okta.saml.group_statements.append(statement)
    configure(fake_okta.saml)  # the fake's metadata, as an admin pastes it
    okta_jane = next(u for u in okta.users.values() if u.profile["login"] == JANE)
    okta.add_member(admins.id, okta_jane.id)

    browser = okta_sign_in(fake_okta, okta_jane)
    assert role_of(jane) == (Role.SYSTEM_ADMIN, RoleSource.MAPPING)
    assert browser.get(ADMIN_PAGE).status_code == 200

    okta.remove_member(admins.id, okta_jane.id)
    okta_sign_in(fake_okta, okta_jane)
    assert role_of(jane) == (Role.USER, RoleSource.MANUAL)
    assert browser.get(ADMIN_PAGE).status_code == 302


def okta_sign_in(fake: FakeOkta, user) -> Client:
    browser = Client()
    response = browser.post(
        "/saml/sp/acs", {"SAMLResponse": fake.saml.response(user, IdpSession(user.id), None)}
    )
    assert response.status_code == 302, response.content
    return browser
