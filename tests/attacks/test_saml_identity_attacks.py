"""Issue 19: a SCIM token renamed an Okta-managed Owner's login, and an ordinary Okta user with
that login then signed in by SAML onto the Owner's account. A privileged account now signs in
only with the identity recorded for it (sso/pinning.py), whatever its login ID says.
Real signed Responses from the test IdP."""

import pytest

from querypie_admin.models import AuditEvent, DirectoryLink, LinkSource, Role, User
from tests.factories import okta_user
from tests.sso.conftest import last_saml_signin, signed_in_login_id

pytestmark = pytest.mark.django_db
OLIVIA = "olivia@corp.example"
MALLORY = "mallory@corp.example"
REFUSED_PAGE = "The sign-in response from the identity provider could not be accepted."


def privileged(role: str, login: str = OLIVIA) -> User:
    """An Okta-managed account SCIM provisioned and that has signed in by SAML before."""
    user = okta_user(LinkSource.SCIM, login_id=login, role=role)
    DirectoryLink.objects.create(
        source=LinkSource.SAML, user=user, external_id=login, attributes={"NameID": login}
    )
    return user


def renamed(user: User, login: str) -> None:
    """The login ID as the SCIM token left it (the directory now refuses that rename; the
    sign-in must refuse the impostor whatever the login ID says)."""
    user.login_id = login
    user.save()


def response_for(idp, spec, name_id: str, login: str = "") -> str:
    login = login or name_id
    return idp.response_xml(spec(name_id=name_id, attributes={"loginId": login, "email": login}))


def assert_refused_impostor(client, response, user: User) -> None:
    assert response.status_code == 403
    assert REFUSED_PAGE in response.content.decode()
    assert signed_in_login_id(client) is None
    event = last_saml_signin()
    assert event.outcome == "failure"
    assert "is not the identity recorded for this" in event.detail["reason"]
    assert user.links.get(source=LinkSource.SAML).external_id == OLIVIA  # the pin holds
    assert not AuditEvent.objects.filter(action__startswith="user.").exists()


@pytest.mark.parametrize("role", [Role.OWNER, Role.SYSTEM_ADMIN])
def test_an_okta_user_with_a_renamed_privileged_login_cannot_sign_in_onto_it(
    client, saml_configured, spec, post_acs, role
):
    olivia = privileged(role)
    renamed(olivia, MALLORY)

    response = post_acs(response_for(saml_configured, spec, MALLORY))

    assert_refused_impostor(client, response, olivia)


@pytest.mark.parametrize("role", [Role.OWNER, Role.SYSTEM_ADMIN])
def test_the_genuine_privileged_account_still_signs_in_with_its_first_name_id(
    client, saml_configured, spec, post_acs, role
):
    olivia = privileged(role)

    response = post_acs(response_for(saml_configured, spec, OLIVIA))

    assert response.status_code == 302
    assert signed_in_login_id(client) == OLIVIA
    assert last_saml_signin().outcome == "success"
    assert olivia.links.get(source=LinkSource.SAML).external_id == OLIVIA


def test_a_login_id_attribute_naming_the_owner_is_not_enough(
    client, saml_configured, spec, post_acs
):
    """Mallory's own NameID with a loginId attribute that finds the Owner: refused."""
    olivia = privileged(Role.OWNER)

    response = post_acs(response_for(saml_configured, spec, MALLORY, login=OLIVIA))

    assert_refused_impostor(client, response, olivia)
