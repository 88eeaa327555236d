"""SCIM group pushes move roles when the group's Okta id is known: a member added to a mapped
group is promoted in the same request, a member removed is demoted, their session ends and
their API token stops opening administrator endpoints. A refusal never fails the request."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from querypie_admin.directory import Caller, held_promotions
from querypie_admin.models import (
    AuditEvent,
    Group,
    LinkSource,
    Role,
    RoleMapping,
    RoleMappingSettings,
    RoleSource,
    User,
)
from tests.factories import okta_user
from tests.scim.conftest import GROUP_SCHEMA

from .conftest import ADMINS_ID, OWNERS_ID

pytestmark = pytest.mark.django_db
ADMIN_PAGE = "/administrator/users/"
ADMIN_API = "/api/v1/users/"


def push_group(scim, name: str, external_id: str | None = None, members=()) -> str:
    body = {"schemas": [GROUP_SCHEMA], "displayName": name, "members": members}
    if external_id is not None:
        body["externalId"] = external_id
    response = scim.post("/Groups", body)
    assert response.status_code == 201, response.content
    return response.json()["id"]


def add_member(scim, group_id: str, user: User):
    return scim.patch(
        f"/Groups/{group_id}", {"op": "add", "path": "members", "value": [{"value": str(user.pk)}]}
    )


def remove_member(scim, group_id: str, user: User):
    return scim.patch(
        f"/Groups/{group_id}", {"op": "remove", "path": f'members[value eq "{user.pk}"]'}
    )


def role_of(user: User) -> tuple[str, str]:
    user.refresh_from_db()
    return user.role, user.role_source


def api_token(user: User) -> str:
    out = io.StringIO()
    call_command("api_token", "create", "--login-id", user.login_id, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


@pytest.fixture
def mapped_admins(db):
    RoleMapping.objects.create(okta_group_id=ADMINS_ID, role=Role.SYSTEM_ADMIN, group_name="Admins")


@pytest.fixture
def alice(db) -> User:
    return okta_user(LinkSource.SCIM, external_id="00ualice", login_id="alice@corp.example")


def test_a_member_pushed_into_a_mapped_group_is_promoted_and_removal_ends_their_access(
    scim, mapped_admins, alice
):
    group_id = push_group(scim, "Admins", external_id=ADMINS_ID)
    assert add_member(scim, group_id, alice).status_code == 204
    assert role_of(alice) == (Role.SYSTEM_ADMIN, RoleSource.MAPPING)
    promoted = AuditEvent.objects.get(action="user.role_changed", target_id=str(alice.pk))
    assert promoted.actor_label.startswith("SCIM (token ")
    assert (promoted.detail["source"], promoted.detail["scim_group"]) == ("scim", ADMINS_ID)
    browser = Client()
    browser.force_login(User.objects.get(pk=alice.pk))
    token = {"HTTP_AUTHORIZATION": f"Bearer {api_token(alice)}"}
    assert browser.get(ADMIN_PAGE).status_code == 200
    assert browser.get(ADMIN_API, **token).status_code == 200

    assert remove_member(scim, group_id, alice).status_code == 204

    assert role_of(alice) == (Role.USER, RoleSource.MANUAL)
    response = browser.get(ADMIN_PAGE)
    assert response.status_code == 302 and "/login" in response["Location"]
    assert browser.get(ADMIN_API, **token).status_code == 403


def test_an_okta_group_pushed_without_its_id_grants_nothing(scim, mapped_admins, alice):
    group_id = push_group(scim, "Admins", members=[{"value": str(alice.pk)}])
    assert Group.objects.get(pk=group_id).links.get().external_id == ""
    assert role_of(alice) == (Role.USER, RoleSource.MANUAL)


def test_a_mapped_group_is_never_adopted_by_its_name(scim, admins, alice):
    """Okta renamed the mapped group and made a new one with the old name: its push must not
    land in the mapped group. The next sync renames the old one; then the push creates its
    own group, which grants nothing."""
    body = {"schemas": [GROUP_SCHEMA], "displayName": "Admins",
            "members": [{"value": str(alice.pk)}]}  # fmt: skip
    refused = scim.post("/Groups", body)
    assert refused.status_code == 409 and "adopted only by that Okta id" in refused.json()["detail"]
    assert role_of(alice) == (Role.USER, RoleSource.MANUAL)
    assert not admins.memberships.exists()

    admins.name = "Admins (old)"  # the next sync's rename
    admins.save()
    group_id = push_group(scim, "Admins", members=[{"value": str(alice.pk)}])
    assert int(group_id) != admins.pk
    assert role_of(alice) == (Role.USER, RoleSource.MANUAL)


def test_a_mapped_group_pushed_with_its_okta_id_is_adopted(scim, admins, alice):
    group_id = push_group(scim, "Admins", external_id=ADMINS_ID)
    assert int(group_id) == admins.pk
    add_member(scim, group_id, alice)
    assert role_of(alice) == (Role.SYSTEM_ADMIN, RoleSource.MAPPING)


def test_put_replacing_the_members_and_delete_demote_those_who_left(scim, mapped_admins, alice):
    bob = okta_user(LinkSource.SCIM, login_id="bob@corp.example")
    members = [{"value": str(alice.pk)}, {"value": str(bob.pk)}]
    group_id = push_group(scim, "Admins", external_id=ADMINS_ID, members=members)
    assert role_of(alice)[0] == role_of(bob)[0] == Role.SYSTEM_ADMIN

    body = {
        "schemas": [GROUP_SCHEMA],
        "displayName": "Admins",
        "externalId": ADMINS_ID,
        "members": [{"value": str(bob.pk)}],
    }
    assert scim.put(f"/Groups/{group_id}", body).status_code == 200
    assert (role_of(alice)[0], role_of(bob)[0]) == (Role.USER, Role.SYSTEM_ADMIN)

    assert scim.delete(f"/Groups/{group_id}").status_code == 204
    assert role_of(bob) == (Role.USER, RoleSource.MANUAL)


def test_the_last_owner_stays_and_the_scim_request_still_succeeds(scim, alice):
    RoleMappingSettings.objects.update_or_create(pk=1, defaults={"owner_mappable": True})
    RoleMapping.objects.create(okta_group_id=OWNERS_ID, role=Role.OWNER)
    group_id = push_group(scim, "Owners", external_id=OWNERS_ID, members=[{"value": str(alice.pk)}])
    held_promotions.confirm(Caller.command("test"), alice)  # a push to Owner waits for this
    assert role_of(alice)[0] == Role.OWNER  # the only Owner there is

    assert remove_member(scim, group_id, alice).status_code == 204

    assert role_of(alice)[0] == Role.OWNER
    event = AuditEvent.objects.filter(action="user.role_changed", outcome="failure").first()
    assert event.detail["reason"] == "alice@corp.example is the last active Owner."
    assert not Group.objects.get(pk=group_id).memberships.exists()  # the write stands
