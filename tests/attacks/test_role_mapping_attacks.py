"""Attacks on Okta group → console role mappings: a SCIM token claiming the Okta id of a
mapped group it does not manage, an Okta admin stepping System Admins up to Owner past the
promotion guard, and a membership or mapping removal racing the write of a promotion. Each
goes through the real entry point (SCIM over HTTP, the sync against the fake Okta) and
checks the roles after."""

import threading

import pytest
import requests
from django.db import connection, transaction

from querypie_admin.directory import Caller, role_mappings, roles
from querypie_admin.models import (
    GroupMembership,
    LinkSource,
    Role,
    RoleMapping,
    RoleMappingSettings,
    RoleSource,
    User,
)
from sync.models import RunStatus
from tests.factories import okta_group, okta_user
from tests.scim.conftest import GROUP_SCHEMA, PATCH_SCHEMA
from tests.sync.writes import synced
from tests.waiting import lock_waits, wait_until

pytestmark = pytest.mark.django_db
ADMINS_ID = "00gAdm1nsGr0up000001"
COMMAND = Caller.command("test")


@pytest.fixture
def admins(db):
    """The Okta group "Admins", linked by the Okta sync under its Okta id, mapped to System
    Admin; Ada is in it (and a System Admin by it)."""
    RoleMapping.objects.create(okta_group_id=ADMINS_ID, role=Role.SYSTEM_ADMIN, group_name="Admins")
    group = okta_group(LinkSource.OKTA_SYNC, external_id=ADMINS_ID, name="Admins")
    ada = okta_user(LinkSource.OKTA_SYNC, external_id="00uada", login_id="ada@corp.example")
    GroupMembership.objects.create(group=group, user=ada)
    roles.apply_from_directory(Caller.okta_sync(), [ada.pk])
    return group


@pytest.fixture
def mallory(db) -> User:
    return okta_user(LinkSource.SCIM, external_id="00umallory", login_id="mallory@corp.example")


def role_of(user: User) -> tuple[str, str]:
    user.refresh_from_db()
    return user.role, user.role_source


def member(user: User) -> dict:
    return {"value": str(user.pk)}


# A SCIM token claiming a mapped group's Okta id ---------------------------------------------
def test_a_scim_group_claiming_the_syncs_mapped_okta_id_promotes_nobody(scim, admins, mallory):
    """The sync read "Admins" from Okta's API by its id: a pushed group whose externalId says
    it is that group too is not, and its members get nothing from the mapping."""
    body = {
        "schemas": [GROUP_SCHEMA],
        "displayName": "Lunch club",
        "externalId": ADMINS_ID,
        "members": [member(mallory)],
    }
    assert scim.post("/Groups", body).status_code in (201, 409)

    assert role_of(mallory) == (Role.USER, RoleSource.MANUAL)
    assert role_mappings.group_names([ADMINS_ID]) == {ADMINS_ID: "Admins"}
    [row] = role_mappings.listing()
    assert (row.name, row.note, row.members) == ("Admins", "", 1)
    roles.apply_from_directory(Caller.okta_sync())  # and Admins' own member keeps her role
    assert User.objects.get(login_id="ada@corp.example").role == Role.SYSTEM_ADMIN


def test_scim_patching_a_groups_externalid_to_the_syncs_mapped_id_promotes_nobody(
    scim, admins, mallory
):
    body = {"schemas": [GROUP_SCHEMA], "displayName": "Lunch club", "members": [member(mallory)]}
    group_id = scim.post("/Groups", body).json()["id"]

    response = scim.patch(
        f"/Groups/{group_id}", {"op": "replace", "path": "externalId", "value": ADMINS_ID}
    )

    assert response.status_code in (200, 204, 409)
    assert role_of(mallory) == (Role.USER, RoleSource.MANUAL)


def test_the_sync_never_counts_a_scim_groups_claim_to_its_mapped_okta_id(scim, run_sync, org):
    """Okta's Admins group is mapped and empty; a pushed group claims its id and holds Ada.
    Neither the push nor the next sync run makes Ada a System Admin."""
    admins = org.directory.add_group("Admins")
    RoleMapping.objects.create(okta_group_id=admins.id, role=Role.SYSTEM_ADMIN)
    assert run_sync().status == RunStatus.SUCCEEDED
    ada = synced(org.ada)
    body = {
        "schemas": [GROUP_SCHEMA],
        "displayName": "Lunch club",
        "externalId": admins.id,
        "members": [member(ada)],
    }
    scim.post("/Groups", body)

    run = run_sync()

    assert run.status == RunStatus.SUCCEEDED, run.error or run.message
    assert role_of(ada) == (Role.USER, RoleSource.MANUAL)
    assert run.counts["roles_promote"] == 0


def test_the_first_sync_run_overrules_a_scim_claim_made_before_it(scim, run_sync, org):
    """Before the sync ever ran, a pushed group's externalId was the only word on a mapped
    id, and its member got the role; once the sync reads the real group by that id from
    Okta's API, the claim counts no more and the role goes."""
    admins = org.directory.add_group("Admins")
    RoleMapping.objects.create(okta_group_id=admins.id, role=Role.SYSTEM_ADMIN)
    mallory = okta_user(LinkSource.SCIM, login_id="mallory@corp.example")
    body = {
        "schemas": [GROUP_SCHEMA],
        "displayName": "Lunch club",
        "externalId": admins.id,
        "members": [member(mallory)],
    }
    assert scim.post("/Groups", body).status_code == 201
    assert role_of(mallory)[0] == Role.SYSTEM_ADMIN

    run = run_sync()

    assert run.status == RunStatus.SUCCEEDED, run.error or run.message
    assert role_of(mallory) == (Role.USER, RoleSource.MANUAL)
    assert run.counts["roles_demote"] == 1


# The promotion guard: System Admin → Owner is a promotion too --------------------------------
def test_a_run_moving_system_admins_into_an_owner_group_is_held(run_sync, org, owner):
    """Ada and Alan are System Admins by "Admins"; an Okta admin then puts both in the
    Owner-mapped group. Two new Owners at once is over a threshold of 1: the run waits."""
    d = org.directory
    admins, owners = d.add_group("Admins"), d.add_group("Owners")
    role_mappings.set_owner_mappable(COMMAND, True)
    RoleMapping.objects.create(okta_group_id=admins.id, role=Role.SYSTEM_ADMIN)
    RoleMapping.objects.create(okta_group_id=owners.id, role=Role.OWNER)
    for person in (org.ada, org.alan):
        d.add_member(admins.id, person.id)
    assert run_sync().status == RunStatus.SUCCEEDED
    assert synced(org.ada).role == synced(org.alan).role == Role.SYSTEM_ADMIN
    role_mappings.set_promotion_threshold(COMMAND, 1)
    for person in (org.ada, org.alan):
        d.add_member(owners.id, person.id)

    run = run_sync()

    assert run.status == RunStatus.NEEDS_CONFIRMATION, run.message
    assert "promote 2 users to an administrator role" in run.message
    assert synced(org.ada).role == synced(org.alan).role == Role.SYSTEM_ADMIN


# A removal racing the write of a promotion ----------------------------------------------------
def _patch(live_server, token: str, group_pk: int, operation: dict, statuses: list[int]) -> None:
    response = requests.patch(
        f"{live_server.url}/api/scim/v2/Groups/{group_pk}",
        json={"schemas": [PATCH_SCHEMA], "Operations": [operation]},
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"},
        timeout=30,
    )
    statuses.append(response.status_code)


@pytest.mark.django_db(transaction=True)
def test_a_member_removed_while_their_promotion_is_written_keeps_no_role(live_server, scim_token):
    """Okta adds Alice to the mapped group and, a moment later, removes her, in two parallel
    PATCHes. The add's role write is held up (a row lock, as any busy moment would) after
    it read her memberships; the removal commits meanwhile. She must end as a User."""
    RoleMapping.objects.create(okta_group_id=ADMINS_ID, role=Role.SYSTEM_ADMIN)
    group = okta_group(LinkSource.SCIM, external_id=ADMINS_ID, name="Admins")
    alice = okta_user(LinkSource.SCIM, login_id="alice@corp.example")
    add = {"op": "add", "path": "members", "value": [member(alice)]}
    remove = {"op": "remove", "path": f'members[value eq "{alice.pk}"]'}
    statuses: list[int] = []
    adding = threading.Thread(
        target=_patch, args=(live_server, scim_token, group.pk, add, statuses)
    )
    removing = threading.Thread(
        target=_patch, args=(live_server, scim_token, group.pk, remove, statuses)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # Blocks a role write on Alice's row (FOR UPDATE), not a membership write.
        cursor.execute("SELECT 1 FROM querypie_admin_user WHERE id = %s FOR KEY SHARE", [alice.pk])
        adding.start()
        wait_until(lambda: GroupMembership.objects.filter(user=alice).exists() and lock_waits())
        removing.start()
        wait_until(lambda: len(statuses) == 1 or lock_waits() > 1)
    adding.join()
    removing.join()

    assert sorted(statuses) == [204, 204]
    assert not GroupMembership.objects.filter(user=alice).exists()
    assert role_of(alice) == (Role.USER, RoleSource.MANUAL)


@pytest.mark.django_db(transaction=True)
def test_a_member_pushed_while_their_groups_mapping_is_removed_keeps_no_role(
    live_server, scim_token
):
    """The Owner removes the Admins mapping; before that commits, Okta pushes Alice into
    Admins. Her push must not promote her by the mapping being removed."""
    RoleMappingSettings.load()
    RoleMapping.objects.create(okta_group_id=ADMINS_ID, role=Role.SYSTEM_ADMIN)
    group = okta_group(LinkSource.SCIM, external_id=ADMINS_ID, name="Admins")
    alice = okta_user(LinkSource.SCIM, login_id="alice@corp.example")
    removed, finish = threading.Event(), threading.Event()
    statuses: list[int] = []

    def owner_removes_the_mapping() -> None:
        try:
            with transaction.atomic():
                role_mappings.remove_mapping(COMMAND, ADMINS_ID)
                removed.set()
                finish.wait(10)
        finally:
            connection.close()

    owner = threading.Thread(target=owner_removes_the_mapping)
    owner.start()
    removed.wait(10)
    add = {"op": "add", "path": "members", "value": [member(alice)]}
    pushing = threading.Thread(
        target=_patch, args=(live_server, scim_token, group.pk, add, statuses)
    )
    pushing.start()
    wait_until(lambda: len(statuses) == 1 or lock_waits())
    finish.set()
    owner.join()
    pushing.join()

    assert statuses == [204] and not RoleMapping.objects.exists()
    assert GroupMembership.objects.filter(user=alice).exists()
    assert role_of(alice) == (Role.USER, RoleSource.MANUAL)
