"""Okta group → console role: the rule in querypie_admin.directory.roles, on stored memberships."""

import pytest

from querypie_admin.directory import Caller, Refused, roles, update_user
from querypie_admin.models import (
    AuditEvent,
    GroupMembership,
    LinkSource,
    Role,
    RoleMapping,
    RoleMappingSettings,
    RoleSource,
    User,
)
from tests.factories import UserFactory, okta_group, okta_user

pytestmark = pytest.mark.django_db
ADMINS = "00gadmins000000000001"
ENGINEERS = "00gengineers000000002"
SYNC = Caller.okta_sync()


@pytest.fixture
def admins_group():
    RoleMapping.objects.create(okta_group_id=ADMINS, role=Role.SYSTEM_ADMIN, group_name="Admins")
    return okta_group(LinkSource.OKTA_SYNC, external_id=ADMINS, name="Admins")


def join(user, group):
    GroupMembership.objects.create(user=user, group=group)


def test_a_member_of_a_mapped_group_is_promoted_with_the_cause_audited(owner, admins_group):
    alice = okta_user(LinkSource.OKTA_SYNC, external_id="00ualice")
    join(alice, admins_group)
    done = roles.apply_from_directory(SYNC, [alice.pk], run=7)
    alice.refresh_from_db()
    assert (alice.role, alice.role_source, alice.role_groups) == (
        Role.SYSTEM_ADMIN,
        RoleSource.MAPPING,
        [ADMINS],
    )
    assert [c.is_promotion for c in done.changed] == [True]
    event = AuditEvent.objects.get(action="user.role_changed", target_id=str(alice.pk))
    assert event.detail["okta_groups"] == [ADMINS] and event.detail["run"] == 7


def test_a_group_with_the_mapped_name_but_another_id_grants_nothing(owner, admins_group):
    admins_group.name = "Old admins"
    admins_group.save()
    impostor = okta_group(LinkSource.OKTA_SYNC, external_id="00gimpostor0000000003", name="Admins")
    bob = okta_user(LinkSource.OKTA_SYNC)
    join(bob, impostor)
    assert roles.apply_from_directory(SYNC, [bob.pk]).changed == []
    assert User.objects.get(pk=bob.pk).role == Role.USER


def test_leaving_every_mapped_group_returns_the_default_role_and_ends_sessions(
    client, owner, admins_group
):
    carol = okta_user(LinkSource.OKTA_SYNC)
    join(carol, admins_group)
    roles.apply_from_directory(SYNC, [carol.pk])
    carol.refresh_from_db()
    client.force_login(carol)
    assert client.get("/administrator/users/").status_code == 200
    GroupMembership.objects.filter(user=carol).delete()
    roles.apply_from_directory(SYNC, [carol.pk])
    carol.refresh_from_db()
    assert (carol.role, carol.role_source) == (Role.USER, RoleSource.MANUAL)
    response = client.get("/administrator/users/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_highest_mapped_role_wins_and_owner_needs_the_owner_switch(owner, admins_group):
    RoleMapping.objects.create(okta_group_id=ENGINEERS, role=Role.OWNER)
    engineers = okta_group(LinkSource.OKTA_SYNC, external_id=ENGINEERS)
    dave = okta_user(LinkSource.OKTA_SYNC)
    join(dave, admins_group)
    join(dave, engineers)
    roles.apply_from_directory(SYNC, [dave.pk])
    assert User.objects.get(pk=dave.pk).role == Role.SYSTEM_ADMIN  # Owner mapping is off
    RoleMappingSettings.objects.update_or_create(pk=1, defaults={"owner_mappable": True})
    roles.apply_from_directory(SYNC, [dave.pk], planned=True)  # as a run's confirmed plan
    assert User.objects.get(pk=dave.pk).role == Role.OWNER


def test_local_accounts_keep_their_role_whatever_their_groups(owner, admins_group):
    join(owner, admins_group)
    assert roles.apply_from_directory(SYNC, [owner.pk]).changed == []
    assert User.objects.get(pk=owner.pk).role == Role.OWNER


def test_an_owner_set_by_hand_is_never_demoted_by_a_mapping(owner, admins_group):
    handed = okta_user(LinkSource.OKTA_SYNC, role=Role.OWNER)
    join(handed, admins_group)
    done = roles.apply_from_directory(SYNC, [handed.pk])
    assert User.objects.get(pk=handed.pk).role == Role.OWNER
    assert len(done.refused) == 1
    assert AuditEvent.objects.filter(action="user.role_changed", outcome="failure").exists()


def test_the_last_active_owner_is_never_demoted(admins_group):
    RoleMappingSettings.objects.update_or_create(pk=1, defaults={"owner_mappable": True})
    RoleMapping.objects.create(okta_group_id=ENGINEERS, role=Role.OWNER)
    engineers = okta_group(LinkSource.OKTA_SYNC, external_id=ENGINEERS)
    only = okta_user(LinkSource.OKTA_SYNC)
    join(only, engineers)
    roles.apply_from_directory(SYNC, [only.pk], planned=True)  # as a run's confirmed plan
    assert User.objects.get(pk=only.pk).role == Role.OWNER
    GroupMembership.objects.filter(user=only).delete()
    done = roles.apply_from_directory(SYNC, [only.pk])
    assert User.objects.get(pk=only.pk).role == Role.OWNER
    assert "last active Owner" in done.refused[0][1]


def test_a_mapped_role_cannot_be_edited_by_hand(owner, admins_group):
    erin = okta_user(LinkSource.OKTA_SYNC)
    join(erin, admins_group)
    roles.apply_from_directory(SYNC, [erin.pk])
    erin.refresh_from_db()
    console = Caller("console", owner)
    with pytest.raises(Refused, match="Okta group mapping"):
        update_user(console, erin, {"role": Role.USER})


def test_every_okta_user_is_reconsidered_when_asked_for_all(owner, admins_group):
    users = [okta_user(LinkSource.OKTA_SYNC) for _ in range(3)]
    for user in users:
        join(user, admins_group)
    UserFactory()  # a local user, not considered
    done = roles.apply_from_directory(SYNC)
    assert sorted(c.user_id for c in done.changed) == sorted(u.pk for u in users)
