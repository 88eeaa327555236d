"""Create users on first login: the user created at its first SAML sign-in gets the role its
asserted groups map to in that same sign-in, not at the next one. Real signed Responses."""

import pytest

from querypie_admin.models import AuditEvent, Role, RoleMapping, RoleSource, User
from tests.sso.conftest import configure, signed_in_login_id

pytestmark = pytest.mark.django_db
NEW = "new.admin@corp.example"
ADMINS_ID = "00gAdm1nsGr0up000001"
ADMIN_PAGE = "/administrator/users/"


def test_a_user_created_at_first_sign_in_gets_the_mapped_role_at_once(client, idp, spec, post_acs):
    configure(idp, jit_enabled=True)
    RoleMapping.objects.create(okta_group_id=ADMINS_ID, role=Role.SYSTEM_ADMIN)
    attributes = {"loginId": NEW, "email": NEW, "groups": [ADMINS_ID]}

    response = post_acs(idp.response_xml(spec(name_id=NEW, attributes=attributes)))

    assert response.status_code == 302
    user = User.objects.get(login_id=NEW)
    assert (user.role, user.role_source) == (Role.SYSTEM_ADMIN, RoleSource.MAPPING)
    assert user.role_groups == [ADMINS_ID]
    assert signed_in_login_id(client) == NEW
    assert client.get(ADMIN_PAGE).status_code == 200  # the first session carries the role
    assert AuditEvent.objects.filter(action="user.role_changed", target_id=str(user.pk)).exists()


def test_a_user_created_without_mapped_groups_stays_a_user(client, idp, spec, post_acs):
    configure(idp, jit_enabled=True)
    RoleMapping.objects.create(okta_group_id=ADMINS_ID, role=Role.SYSTEM_ADMIN)
    attributes = {"loginId": NEW, "email": NEW, "groups": ["00gUnmappedGr0up0009"]}

    assert post_acs(idp.response_xml(spec(name_id=NEW, attributes=attributes))).status_code == 302

    user = User.objects.get(login_id=NEW)
    assert (user.role, user.role_source) == (Role.USER, RoleSource.MANUAL)
    assert client.get(ADMIN_PAGE).status_code == 403
