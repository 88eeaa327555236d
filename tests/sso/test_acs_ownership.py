"""SAML signs in only accounts Okta owns: a local password account with the same login ID,
the Owner included, is refused and left untouched; Okta's accounts gain a SAML link."""

import threading

import pytest
from django.db import connection, connections

from querypie_admin import directory
from querypie_admin.models import AuditEvent, AuthProvider, LinkSource, Role, User
from tests.factories import UserFactory, okta_user
from tests.saml_idp.idp import NAMEID_UNSPECIFIED
from tests.sso.conftest import configure, last_saml_signin, signed_in_login_id

pytestmark = pytest.mark.django_db

PASSWORD_PAGE = "This account signs in with a password"


@pytest.fixture
def local_admin(db):
    """The Owner of the issue's report: a local password account whose login ID is `admin`."""
    return UserFactory(login_id="admin", role=Role.OWNER, first_name="Ada")


def assert_refused_as_password_account(client, response, user: User) -> None:
    """Refused with the page's words and audited; the account and its profile untouched."""
    assert response.status_code == 403
    assert PASSWORD_PAGE in response.content.decode()
    assert signed_in_login_id(client) is None
    event = last_saml_signin()
    assert (event.outcome, event.actor_label) == ("failure", user.login_id)
    assert event.detail["reason"].startswith("local password account")
    after = User.objects.get(pk=user.pk)
    assert (after.first_name, after.last_name, after.email) == (
        user.first_name,
        user.last_name,
        user.email,
    )
    assert after.auth_provider == AuthProvider.QUERYPIE
    assert not after.links.exists()
    assert not AuditEvent.objects.filter(action__startswith="user.").exists()


def test_signed_name_id_admin_cannot_sign_in_as_the_local_owner(
    client, saml_configured, spec, post_acs, local_admin
):
    attributes = {"firstName": "Mallory", "email": "mallory@evil.example"}
    xml = saml_configured.response_xml(spec(name_id="ADMIN", attributes=attributes))
    assert_refused_as_password_account(client, post_acs(xml), local_admin)


def test_signed_login_id_attribute_cannot_sign_in_as_the_local_owner(
    client, saml_configured, spec, post_acs, owner
):
    attributes = {"loginId": "OWNER@Corp.Example", "firstName": "Mallory"}
    xml = saml_configured.response_xml(spec(name_id="00u1mallory", attributes=attributes))
    assert_refused_as_password_account(client, post_acs(xml), owner)


def test_create_users_on_first_login_never_takes_a_local_login_id(
    client, idp, spec, post_acs, plain_user
):
    configure(idp, jit_enabled=True)
    attributes = {"loginId": "MEMBER@corp.example", "firstName": "Mallory"}
    response = post_acs(idp.response_xml(spec(name_id="00u1mallory", attributes=attributes)))
    assert_refused_as_password_account(client, response, plain_user)
    assert User.objects.count() == 1


def test_handed_over_account_signs_in_and_gets_a_saml_link(client, saml_configured, spec, post_acs):
    jane = okta_user(login_id="jane@corp.example", first_name="Old")
    post_acs(saml_configured.response_xml(spec(name_id="00u1jane")))
    assert signed_in_login_id(client) == "jane@corp.example"
    jane.refresh_from_db()
    assert jane.first_name == "Jane"
    [link] = jane.links.all()
    assert (link.source, link.external_id) == (LinkSource.SAML, "00u1jane")
    assert link.attributes == {
        "firstName": ["Jane"],
        "lastName": ["Doe"],
        "email": ["jane@corp.example"],
        "loginId": ["jane@corp.example"],
        "NameID": "00u1jane",
        "NameIDFormat": NAMEID_UNSPECIFIED,
    }
    linked = AuditEvent.objects.get(action="user.linked", target_id=str(jane.pk))
    assert linked.detail == {"source": "saml", "external_id": "00u1jane"}


def test_scim_linked_account_signs_in_and_gains_a_saml_link_beside_scim(
    client, saml_configured, spec, post_acs
):
    jane = okta_user(LinkSource.SCIM, external_id="00u1jane", login_id="jane@corp.example")
    post_acs(saml_configured.response_xml(spec(name_id="jane@corp.example")))
    assert signed_in_login_id(client) == "jane@corp.example"
    assert directory.sources_of(jane) == [LinkSource.SAML, LinkSource.SCIM]
    assert jane.links.get(source=LinkSource.SCIM).external_id == "00u1jane"
    assert jane.links.get(source=LinkSource.SAML).external_id == "jane@corp.example"


def test_each_sign_in_refreshes_what_okta_sent_on_the_one_saml_link(
    client, saml_configured, spec, post_acs
):
    jane = okta_user(login_id="jane@corp.example")
    post_acs(saml_configured.response_xml(spec()))
    client.logout()
    attributes = {"loginId": "jane@corp.example", "firstName": "Janet"}
    post_acs(saml_configured.response_xml(spec(attributes=attributes)))
    assert signed_in_login_id(client) == "jane@corp.example"
    [link] = jane.links.all()
    assert link.attributes["firstName"] == ["Janet"]
    assert AuditEvent.objects.filter(action="user.linked").count() == 1


def test_inactive_okta_account_is_refused_and_not_linked(client, saml_configured, spec, post_acs):
    jane = okta_user(LinkSource.SCIM, login_id="jane@corp.example", is_active=False)
    response = post_acs(saml_configured.response_xml(spec()))
    assert response.status_code == 403
    assert "Your account is inactive" in response.content.decode()
    assert directory.sources_of(jane) == [LinkSource.SCIM]


def test_overlong_name_id_beside_a_login_id_is_refused_not_an_error(
    client, saml_configured, spec, post_acs
):
    okta_user(login_id="jane@corp.example")
    response = post_acs(saml_configured.response_xml(spec(name_id="00u" + "x" * 300)))
    assert response.status_code == 403
    assert signed_in_login_id(client) is None
    assert last_saml_signin().detail["reason"] == "the NameID is longer than 255 characters"


def _take_back(pk: int) -> None:
    try:
        directory.take_back(directory.Caller.command(), User.objects.get(pk=pk))
    finally:
        connections.close_all()


def taken_back_before_the_row_lock(user: User):
    """An Owner takes the account back, on another connection, just before the sign-in
    locks the row: the race a parallel request could win."""
    done = []

    def wrapper(execute, sql, params, many, context):
        if not done and "FOR UPDATE" in sql and User._meta.db_table in sql:
            done.append(True)
            owner = threading.Thread(target=_take_back, args=(user.pk,))
            owner.start()
            owner.join()
        return execute(sql, params, many, context)

    return connection.execute_wrapper(wrapper)


@pytest.mark.django_db(transaction=True)
def test_account_taken_back_during_sign_in_is_refused_not_an_error(
    client, saml_configured, spec, post_acs
):
    jane = okta_user(LinkSource.SCIM, login_id="jane@corp.example", first_name="Old")
    with taken_back_before_the_row_lock(jane):
        response = post_acs(saml_configured.response_xml(spec()))
    assert response.status_code == 403 and PASSWORD_PAGE in response.content.decode()
    assert signed_in_login_id(client) is None
    jane.refresh_from_db()
    assert (jane.auth_provider, jane.first_name) == (AuthProvider.QUERYPIE, "Old")
    assert not jane.links.exists()
    refused = AuditEvent.objects.get(action="user.updated", outcome="failure")
    assert refused.detail["source"] == "saml"
    assert last_saml_signin().detail["reason"].startswith("the directory refused")
