"""The attacker's pass after issue 19: someone holding a System Admin's console password and
a valid SCIM bearer token tries to keep a role Okta took away, to become an Owner, to change
rows they do not own and to read secrets. Each attack goes through the real entry points: the
sign-in form and the console's pages with the test client, SCIM over HTTP."""

import pytest
from django.test import Client
from django.urls import reverse

from querypie_admin.models import AuditEvent, Group, LinkSource, Role, RoleMapping, RoleSource, User
from tests.factories import PASSWORD, UserFactory, okta_user
from tests.scim.conftest import GROUP_SCHEMA

pytestmark = pytest.mark.django_db
ADMINS_ID = "00gAdm1nsGr0up000001"


@pytest.fixture
def attacker(db) -> Client:
    """The console, signed in with a System Admin's password through the sign-in form."""
    UserFactory(login_id="owner@corp.example", role=Role.OWNER)
    UserFactory(login_id="sysadmin@corp.example", role=Role.SYSTEM_ADMIN)
    client = Client()
    response = client.post(
        reverse("login"), {"login_id": "sysadmin@corp.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


@pytest.fixture
def mallory(db) -> User:
    """The attacker's own Okta account, which Okta provisions by SCIM."""
    return okta_user(LinkSource.SCIM, external_id="00umallory", login_id="mallory@corp.example")


def role_of(user: User) -> tuple[str, str]:
    user.refresh_from_db()
    return user.role, user.role_source


# A mapped role kept by deleting its group ----------------------------------------------------
def test_a_system_admin_cannot_keep_a_mapped_role_by_deleting_its_group(scim, attacker, mallory):
    """Mallory is a System Admin through Okta's "Admins" group. Before Okta takes her out,
    she deletes the group in the console: its memberships went, her mapped role stayed, and
    Okta pushing the group again without her decided nothing for her. Now the console keeps
    a group whose Okta id grants a role, and Okta's removal demotes her."""
    RoleMapping.objects.create(okta_group_id=ADMINS_ID, role=Role.SYSTEM_ADMIN)
    body = {
        "schemas": [GROUP_SCHEMA],
        "displayName": "Admins",
        "externalId": ADMINS_ID,
        "members": [{"value": str(mallory.pk)}],
    }
    group_id = scim.post("/Groups", body).json()["id"]
    assert role_of(mallory) == (Role.SYSTEM_ADMIN, RoleSource.MAPPING)

    attacker.post(reverse("group_delete", args=[group_id]))

    assert Group.objects.filter(pk=group_id).exists()
    refusal = AuditEvent.objects.get(action="group.deleted")
    assert refusal.outcome == "failure"
    assert "role mapping" in refusal.detail["reason"]
    assert scim.put(f"/Groups/{group_id}", {**body, "members": []}).status_code == 200
    assert role_of(mallory) == (Role.USER, RoleSource.MANUAL)
