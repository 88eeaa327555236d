"""Which identity signs in to an Owner or System Admin (sso/pinning.py): the NameID its SAML
link recorded, or the Okta user id or login the Okta sync read from Okta; never what SCIM
alone wrote. Ordinary Users are found by their login ID, as before. Real signed Responses."""

import pytest

from querypie_admin.models import DirectoryLink, LinkSource, Role
from tests.factories import okta_user
from tests.sso.conftest import last_saml_signin, signed_in_login_id

pytestmark = pytest.mark.django_db
OLIVIA = "olivia@corp.example"
OKTA_ID = "00u1olivia0000000001"


def sign_in(idp, spec, post_acs, name_id: str):
    attributes = {"loginId": OLIVIA, "email": OLIVIA}
    return post_acs(idp.response_xml(spec(name_id=name_id, attributes=attributes)))


def sync_linked_owner():
    return okta_user(
        LinkSource.OKTA_SYNC,
        login_id=OLIVIA,
        role=Role.OWNER,
        external_id=OKTA_ID,
        attributes={"login": OLIVIA, "status": "ACTIVE"},
    )


@pytest.mark.parametrize("name_id", [OLIVIA, OKTA_ID])
def test_a_sync_linked_owner_signs_in_with_the_login_or_id_the_sync_read_from_okta(
    client, saml_configured, spec, post_acs, name_id
):
    owner = sync_linked_owner()

    assert sign_in(saml_configured, spec, post_acs, name_id).status_code == 302

    assert signed_in_login_id(client) == OLIVIA
    assert owner.links.get(source=LinkSource.SAML).external_id == name_id


def test_a_sync_linked_owner_is_refused_another_name_id(client, saml_configured, spec, post_acs):
    sync_linked_owner()

    response = sign_in(saml_configured, spec, post_acs, "00u1mallory000000009")

    assert response.status_code == 403
    assert signed_in_login_id(client) is None
    event = last_saml_signin()
    assert (event.outcome, event.actor_label) == ("failure", OLIVIA)
    assert event.detail["reason"].startswith("the NameID '00u1mallory000000009' is not the")


def test_what_scim_alone_wrote_pins_no_system_admin(client, saml_configured, spec, post_acs):
    """The SCIM token writes externalId and userName: neither proves who signs in."""
    admin = okta_user(
        LinkSource.SCIM,
        login_id=OLIVIA,
        role=Role.SYSTEM_ADMIN,
        external_id=OLIVIA,
        attributes={"userName": OLIVIA},
    )

    assert sign_in(saml_configured, spec, post_acs, OLIVIA).status_code == 403

    assert signed_in_login_id(client) is None
    assert (
        "is not the identity recorded for this System Admin"
        in (last_saml_signin().detail["reason"])
    )
    assert not admin.links.filter(source=LinkSource.SAML).exists()


def test_an_ordinary_user_is_not_pinned_to_its_first_name_id(
    client, saml_configured, spec, post_acs
):
    user = okta_user(LinkSource.SCIM, login_id=OLIVIA)
    DirectoryLink.objects.create(source=LinkSource.SAML, user=user, external_id="old@corp.example")

    assert sign_in(saml_configured, spec, post_acs, OLIVIA).status_code == 302

    assert signed_in_login_id(client) == OLIVIA
    assert user.links.get(source=LinkSource.SAML).external_id == OLIVIA
