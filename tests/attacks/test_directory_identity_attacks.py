"""Attacks on who an administrator's account is, and on which group a role mapping follows
(issue 19): a SCIM token renaming an Owner's login ID so that another Okta user signs in as
them, a SCIM PATCH moving a mapped Okta id onto an older group, a group pushed with a mapped
group's name adopted by the sync, and a SCIM token adding its own account to the Owner group.
Each goes through the real entry point (SCIM over HTTP, the sync against the fake Okta, the
console's pages) and checks the directory after."""

from datetime import timedelta

import pytest
from django.urls import reverse
from freezegun import freeze_time

from querypie_admin import models
from querypie_admin.directory import Caller, role_mappings, roles
from querypie_admin.models import (
    AuditEvent,
    GroupMembership,
    LinkSource,
    Role,
    RoleMapping,
    RoleSource,
    User,
)
from sync.models import RunStatus
from tests.factories import okta_group, okta_user
from tests.scim.conftest import GROUP_SCHEMA
from tests.sync.writes import synced

pytestmark = pytest.mark.django_db
ADMINS_ID = "00gAdm1nsGr0up000001"
OWNERS_ID = "00g0wnersGr0up000001"
COMMAND = Caller.command("test")


def role_of(user: User) -> tuple[str, str]:
    user.refresh_from_db()
    return user.role, user.role_source


def member(user: User) -> dict:
    return {"value": str(user.pk)}


# 1. A SCIM token renames an Okta-managed Owner ------------------------------------------------
@pytest.fixture
def okta_owner(db) -> User:
    return okta_user(
        LinkSource.SCIM, external_id="00uboss", login_id="boss@corp.example", role=Role.OWNER
    )


def test_a_scim_token_cannot_rename_an_okta_owners_login_id(scim, okta_owner):
    """The rename is what let an ordinary Okta user with the new login sign in by SAML onto
    the Owner's account: it is held for an Owner; the same PATCH's other change applies."""
    response = scim.patch(
        f"/Users/{okta_owner.pk}",
        {"op": "replace", "path": "userName", "value": "mallory@corp.example"},
        {"op": "replace", "path": "name.givenName", "value": "Boss"},
    )

    assert response.status_code == 200, response.content
    assert response.json()["userName"] == "boss@corp.example"
    okta_owner.refresh_from_db()
    assert (okta_owner.login_id, okta_owner.first_name) == ("boss@corp.example", "Boss")
    pending = models.PendingLoginId.objects.get(user=okta_owner)
    assert (pending.source, pending.login_id) == (LinkSource.SCIM, "mallory@corp.example")
    event = AuditEvent.objects.get(action="user.updated", outcome="failure")
    assert event.detail["asked_login_id"] == "mallory@corp.example"
    assert event.detail["source"] == "scim"


def test_a_scim_token_cannot_rename_a_system_admin_by_a_full_put(scim):
    admin = okta_user(LinkSource.SCIM, login_id="ops@corp.example", role=Role.SYSTEM_ADMIN)
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "mallory@corp.example",
        "active": True,
    }

    assert scim.put(f"/Users/{admin.pk}", body).status_code == 200

    assert User.objects.get(pk=admin.pk).login_id == "ops@corp.example"
    assert models.PendingLoginId.objects.filter(user=admin).count() == 1


def test_a_plain_users_rename_still_applies(scim):
    person = okta_user(LinkSource.SCIM, login_id="ann@corp.example")

    scim.patch(
        f"/Users/{person.pk}", {"op": "replace", "path": "userName", "value": "an@corp.example"}
    )

    assert User.objects.get(pk=person.pk).login_id == "an@corp.example"
    assert not models.PendingLoginId.objects.exists()


def test_the_sync_cannot_rename_a_system_admin_and_lists_the_conflict(run_sync, org):
    assert run_sync().status == RunStatus.SUCCEEDED
    ada = synced(org.ada)
    User.objects.filter(pk=ada.pk).update(role=Role.SYSTEM_ADMIN)
    org.directory.rename_login(org.ada.id, "mallory@corp.example")

    run = run_sync()

    assert run.status == RunStatus.SUCCEEDED, run.error or run.message
    assert synced(org.ada).login_id == "ada@corp.example"
    [held] = [c for c in run.conflicts if c["name"] == "ada@corp.example"]
    assert "Okta asks to change the login ID to mallory@corp.example" in held["reason"]
    pending = models.PendingLoginId.objects.get(user=ada)
    assert (pending.source, pending.login_id) == (LinkSource.OKTA_SYNC, "mallory@corp.example")


def test_only_an_owner_accepts_a_held_login_id(client, scim, okta_owner, owner, system_admin):
    scim.patch(
        f"/Users/{okta_owner.pk}", {"op": "replace", "path": "userName", "value": "b@corp.example"}
    )
    pending = models.PendingLoginId.objects.get(user=okta_owner)
    url = reverse("user_okta_asks", args=[okta_owner.pk])
    detail = reverse("user_detail", args=[okta_owner.pk])
    accept = {"op": "accept_login_id", "pending": str(pending.pk)}

    client.force_login(system_admin)
    page = client.get(detail).content.decode()
    assert "Okta asks to change the login ID to <code>b@corp.example</code>" in page
    assert "Only an Owner can accept or confirm these." in page
    assert client.post(url, accept).status_code == 403
    assert User.objects.get(pk=okta_owner.pk).login_id == "boss@corp.example"

    client.force_login(owner)
    assert 'value="accept_login_id"' in client.get(detail).content.decode()
    assert client.post(url, accept).status_code == 302

    assert User.objects.get(pk=okta_owner.pk).login_id == "b@corp.example"
    assert not models.PendingLoginId.objects.exists()
    event = AuditEvent.objects.filter(action="user.updated", outcome="success").first()
    assert event.detail == {
        "source": "console",
        "fields": ["login_id"],
        "before": "boss@corp.example",
        "after": "b@corp.example",
        "accepted_from": "scim",
    }


# 2. A SCIM PATCH moves a mapped Okta id onto an older group -----------------------------------
@pytest.fixture
def pushed_admins(db):
    """An older pushed group "Lunch club" (Mallory in it), then "Admins" pushed with its
    mapped Okta id (Ada in it, a System Admin by it)."""
    lunch = okta_group(LinkSource.SCIM, external_id="00gLunchC1ub00000001", name="Lunch club")
    mallory = okta_user(LinkSource.SCIM, login_id="mallory@corp.example")
    GroupMembership.objects.create(group=lunch, user=mallory)
    RoleMapping.objects.create(okta_group_id=ADMINS_ID, role=Role.SYSTEM_ADMIN)
    admins = okta_group(LinkSource.SCIM, external_id=ADMINS_ID, name="Admins")
    ada = okta_user(LinkSource.SCIM, login_id="ada@corp.example")
    GroupMembership.objects.create(group=admins, user=ada)
    roles.apply_from_directory(COMMAND, [ada.pk])
    return lunch, mallory, admins, ada


def test_a_scim_patch_cannot_move_a_mapped_okta_id_onto_an_older_group(scim, pushed_admins):
    lunch, mallory, _, ada = pushed_admins

    response = scim.patch(
        f"/Groups/{lunch.pk}", {"op": "replace", "path": "externalId", "value": ADMINS_ID}
    )

    assert response.status_code == 409, response.content
    assert response.json()["scimType"] == "mutability"
    assert ADMINS_ID in response.json()["detail"]
    assert lunch.links.get().external_id == "00gLunchC1ub00000001"
    assert role_of(mallory) == (Role.USER, RoleSource.MANUAL)
    assert role_of(ada)[0] == Role.SYSTEM_ADMIN
    refused = AuditEvent.objects.get(action="group.updated", outcome="failure")
    assert refused.target_id == str(lunch.pk)


def test_a_scim_patch_cannot_take_the_mapped_okta_id_off_its_group(scim, pushed_admins):
    _, _, admins, ada = pushed_admins

    response = scim.patch(
        f"/Groups/{admins.pk}", {"op": "replace", "path": "externalId", "value": "00gOther"}
    )

    assert response.status_code == 409
    assert response.json()["scimType"] == "mutability"
    assert admins.links.get().external_id == ADMINS_ID
    assert role_of(ada)[0] == Role.SYSTEM_ADMIN


def test_every_change_of_a_links_external_id_is_audited(scim, pushed_admins):
    lunch, *_ = pushed_admins

    response = scim.patch(
        f"/Groups/{lunch.pk}", {"op": "replace", "path": "externalId", "value": "00gLunch2"}
    )

    assert response.status_code == 204
    event = AuditEvent.objects.get(action="group.external_id_changed")
    assert (event.detail["before"], event.detail["after"]) == ("00gLunchC1ub00000001", "00gLunch2")
    person = okta_user(LinkSource.SCIM, external_id="00uold", login_id="p@corp.example")
    scim.patch(f"/Users/{person.pk}", {"op": "replace", "path": "externalId", "value": "00unew"})
    event = AuditEvent.objects.get(action="user.external_id_changed")
    assert (event.detail["before"], event.detail["after"]) == ("00uold", "00unew")


# 3. A pushed group named like a mapped Okta group, adopted by the sync ------------------------
def test_the_sync_does_not_adopt_by_name_a_scim_group_with_its_own_members(scim, run_sync, org):
    admins = org.directory.add_group("Admins")
    org.directory.assign_group(admins.id)
    RoleMapping.objects.create(okta_group_id=admins.id, role=Role.SYSTEM_ADMIN)
    mallory = okta_user(LinkSource.SCIM, login_id="mallory@corp.example")
    body = {"schemas": [GROUP_SCHEMA], "displayName": "Admins", "members": [member(mallory)]}
    assert scim.post("/Groups", body).status_code == 201

    run = run_sync()
    roles.apply_from_directory(COMMAND)

    assert run.status == RunStatus.SUCCEEDED, run.error or run.message
    assert role_of(mallory) == (Role.USER, RoleSource.MANUAL)
    [conflict] = [c for c in run.conflicts if c["okta_id"] == admins.id]
    assert "adopts it only if SCIM pushes it with this Okta id" in conflict["reason"]


def test_the_sync_adopts_a_scim_group_pushed_with_its_okta_id(scim, run_sync, org):
    admins = org.directory.add_group("Admins")
    org.directory.assign_group(admins.id)
    org.directory.add_member(admins.id, org.alan.id)
    pushed = okta_user(LinkSource.SCIM, login_id="alan@corp.example")
    body = {
        "schemas": [GROUP_SCHEMA],
        "displayName": "Admins",
        "externalId": admins.id,
        "members": [member(pushed)],
    }
    group_id = scim.post("/Groups", body).json()["id"]

    run = run_sync()

    assert run.status == RunStatus.SUCCEEDED, run.error or run.message
    assert synced_group_pk(admins.id) == int(group_id)


def synced_group_pk(okta_id: str) -> int:
    return models.DirectoryLink.objects.get(
        source=LinkSource.OKTA_SYNC, external_id=okta_id
    ).group_id


# 4. A SCIM token adds its own account to the Owner group -------------------------------------
@pytest.fixture
def owner_group(db):
    role_mappings.set_owner_mappable(COMMAND, True)
    RoleMapping.objects.create(okta_group_id=OWNERS_ID, role=Role.OWNER)
    return okta_group(LinkSource.SCIM, external_id=OWNERS_ID, name="Owners")


def test_a_scim_patch_into_the_owner_group_is_held_for_an_owner(
    scim, owner_group, client, owner, system_admin
):
    mallory = okta_user(LinkSource.SCIM, login_id="mallory@corp.example")

    response = scim.patch(
        f"/Groups/{owner_group.pk}", {"op": "add", "path": "members", "value": [member(mallory)]}
    )

    assert response.status_code == 204
    assert role_of(mallory) == (Role.USER, RoleSource.MANUAL)
    held = models.HeldPromotion.objects.get(user=mallory)
    assert (held.role, held.okta_groups, held.source) == (Role.OWNER, [OWNERS_ID], "scim")
    event = AuditEvent.objects.get(action="user.role_changed", outcome="failure")
    assert event.detail["held"] is True and event.detail["after"] == Role.OWNER

    url = reverse("user_okta_asks", args=[mallory.pk])
    client.force_login(system_admin)
    assert client.post(url, {"op": "confirm_promotion"}).status_code == 403
    assert role_of(mallory)[0] == Role.USER
    client.force_login(owner)
    assert client.post(url, {"op": "confirm_promotion"}).status_code == 302
    assert role_of(mallory) == (Role.OWNER, RoleSource.MAPPING)
    assert not models.HeldPromotion.objects.exists()


def test_a_held_promotion_goes_when_okta_takes_the_member_out_again(scim, owner_group):
    mallory = okta_user(LinkSource.SCIM, login_id="mallory@corp.example")
    path = f"/Groups/{owner_group.pk}"
    scim.patch(path, {"op": "add", "path": "members", "value": [member(mallory)]})
    assert models.HeldPromotion.objects.filter(user=mallory).exists()

    scim.patch(path, {"op": "remove", "path": f'members[value eq "{mallory.pk}"]'})

    assert not models.HeldPromotion.objects.exists()
    assert role_of(mallory)[0] == Role.USER


def test_a_saml_groups_attribute_naming_the_owner_group_is_held(owner_group):
    mallory = okta_user(LinkSource.SAML, login_id="mallory@corp.example")

    done = roles.apply_asserted(Caller.saml(), mallory, [OWNERS_ID], saml_assertion="id-1")

    assert not done.changed and [c.after for c, _ in done.held] == [Role.OWNER]
    assert role_of(mallory)[0] == Role.USER


def test_scim_promotions_past_the_threshold_within_the_window_are_held(scim, pushed_admins):
    """One by one, each request under the threshold: the window counts them together, and
    once it has passed, a promotion is written again."""
    role_mappings.set_promotion_threshold(COMMAND, 1)
    _, _, admins, _ = pushed_admins
    first, second, third = (
        okta_user(LinkSource.SCIM, login_id=f"p{n}@corp.example") for n in (1, 2, 3)
    )

    def push(person: User) -> None:
        scim.patch(
            f"/Groups/{admins.pk}", {"op": "add", "path": "members", "value": [member(person)]}
        )

    with freeze_time("2026-03-02 09:00:00") as clock:
        push(first)
        clock.tick(timedelta(minutes=5))
        push(second)
        assert role_of(first)[0] == Role.SYSTEM_ADMIN
        assert role_of(second)[0] == Role.USER
        assert models.HeldPromotion.objects.get().user_id == second.pk
        clock.tick(timedelta(minutes=11))
        push(third)

    assert role_of(third)[0] == Role.SYSTEM_ADMIN


def test_a_new_scim_group_cannot_claim_a_mapped_okta_id_another_group_carries(scim, pushed_admins):
    _, mallory, _, _ = pushed_admins
    body = {
        "schemas": [GROUP_SCHEMA],
        "displayName": "Admins 2",
        "externalId": ADMINS_ID,
        "members": [member(mallory)],
    }

    response = scim.post("/Groups", body)

    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"
    assert role_of(mallory) == (Role.USER, RoleSource.MANUAL)
