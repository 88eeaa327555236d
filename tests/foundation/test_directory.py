"""The directory API: uniqueness, the one validator, ownership and the Owner rules."""

import threading

import pytest
from django.db import IntegrityError, connection

from querypie_admin import directory
from querypie_admin.directory import Caller, Sent
from querypie_admin.models import AuditEvent, Group, GroupMembership, LinkSource, Role, User
from tests.factories import UserFactory, okta_group, okta_user

pytestmark = pytest.mark.django_db
COMMAND = Caller.command("test")
SCIM = Caller.scim("SCIM (token ab12…)")
SYNC = Caller.okta_sync("Okta sync (test)")


def as_console(user: User) -> Caller:
    return Caller(directory.Source.CONSOLE, user)


def test_login_id_is_unique_case_insensitively(user_factory):
    user_factory(login_id="Alice@Corp.example")
    with pytest.raises(directory.DirectoryConflict):
        directory.create_user(COMMAND, {"login_id": "alice@corp.EXAMPLE"})
    with pytest.raises(IntegrityError):
        User.objects.create(login_id="ALICE@corp.example")


def test_group_name_is_unique_case_insensitively(group_factory):
    group_factory(name="Engineers")
    with pytest.raises(directory.DirectoryConflict):
        directory.create_group(COMMAND, {"name": "ENGINEERS"})


def test_rename_to_a_taken_login_id_is_refused(user_factory):
    user_factory(login_id="taken@corp.example")
    user = user_factory(login_id="free@corp.example")
    with pytest.raises(directory.DirectoryConflict):
        directory.update_user(COMMAND, user, {"login_id": "TAKEN@corp.example", "first_name": "X"})
    assert (user.login_id, user.first_name) == ("free@corp.example", "Test")
    user.refresh_from_db()
    assert user.login_id == "free@corp.example"


@pytest.mark.parametrize(
    "fields",
    [
        {"login_id": ""},
        {"login_id": "a\x00b"},
        {"first_name": "x" * 151},
        {"email": "not an email"},
        {"is_active": "yes"},
        {"role": "root"},
        {"password": "set me"},
    ],
)
def test_the_one_validator_refuses_bad_values_and_changes_nothing(user_factory, fields):
    user = user_factory(first_name="Ann")
    with pytest.raises(directory.DirectoryInvalid):
        directory.update_user(COMMAND, user, fields)
    with pytest.raises(directory.DirectoryInvalid):
        directory.create_user(COMMAND, {"login_id": "new@corp.example", **fields})
    assert list(User.objects.values_list("login_id", "first_name")) == [(user.login_id, "Ann")]


def test_update_writes_only_what_changed_and_audits_it_with_its_source():
    user = okta_user(LinkSource.SCIM, first_name="Ann")
    assert directory.update_user(SCIM, user, {"first_name": "Ann"}) == []
    assert not AuditEvent.objects.filter(action="user.updated").exists()
    changes = {"first_name": "Anne", "email": "a@x.io"}
    assert directory.update_user(SCIM, user, changes) == ["email", "first_name"]
    event = AuditEvent.objects.get(action="user.updated")
    assert (event.actor_label, event.target_label) == ("SCIM (token ab12…)", user.login_id)
    assert event.detail == {"source": "scim", "fields": ["email", "first_name"]}


def test_an_integration_creates_an_okta_account_linked_to_itself():
    sent = Sent("00u1", {"userName": "idp@corp.example"})
    user = directory.create_user(SCIM, {"login_id": "idp@corp.example"}, sent=sent)
    assert not user.has_usable_password() and user.is_managed_externally
    [link] = user.links.all()
    assert (link.source, link.external_id, link.attributes) == ("scim", "00u1", sent.attributes)
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["user.created", "user.linked"]


def test_an_integration_cannot_set_a_console_role():
    with pytest.raises(directory.DirectoryInvalid):
        directory.create_user(SCIM, {"login_id": "x@corp.example", "role": Role.OWNER})
    assert not User.objects.exists()


def test_an_integration_cannot_reach_a_local_account(owner):
    for write in (
        lambda: directory.set_user_active(SCIM, owner, False),
        lambda: directory.update_user(SCIM, owner, {"email": "evil@attacker.example"}),
        lambda: directory.delete_user(SCIM, owner),
        lambda: directory.update_user(SYNC, owner, {}, sent=Sent("00uEVIL")),
    ):
        with pytest.raises(directory.Refused, match="local account"):
            write()
    owner.refresh_from_db()
    assert owner.is_active and owner.email == "owner@corp.example"
    assert not owner.links.exists()


def test_an_integration_cannot_change_a_local_groups_members(group_factory):
    group = group_factory()
    member = okta_user(LinkSource.SCIM)
    with pytest.raises(directory.Refused):
        directory.set_members(SCIM, group, [member])
    assert not GroupMembership.objects.exists()


def test_an_integration_cannot_put_a_local_account_in_its_group(owner):
    group = okta_group(LinkSource.SCIM)
    with pytest.raises(directory.Refused):
        directory.add_members(SCIM, group, [owner])
    assert not GroupMembership.objects.exists()


def test_the_console_cannot_change_an_okta_account(owner):
    user = okta_user(LinkSource.SCIM)
    with pytest.raises(directory.Refused, match="managed by Okta"):
        directory.set_user_active(as_console(owner), user, False)
    user.refresh_from_db()
    assert user.is_active


def test_the_last_local_owner_cannot_be_lost(owner):
    for write in (
        lambda: directory.set_user_active(COMMAND, owner, False),
        lambda: directory.update_user(COMMAND, owner, {"role": Role.SYSTEM_ADMIN}),
        lambda: directory.delete_user(COMMAND, owner),
        lambda: directory.hand_over(COMMAND, owner),
    ):
        with pytest.raises(directory.Refused, match="last active local Owner"):
            write()
    owner.refresh_from_db()
    assert owner.is_active and owner.role == Role.OWNER and not owner.is_managed_externally


def test_an_owner_handed_to_okta_does_not_count_as_a_local_owner(owner):
    second = UserFactory(role=Role.OWNER)
    directory.hand_over(COMMAND, second)
    with pytest.raises(directory.Refused, match="last active local Owner"):
        directory.set_user_active(COMMAND, owner, False)


def test_an_owner_may_remove_another_owner_while_a_local_owner_remains(owner):
    second = UserFactory(role=Role.OWNER)
    assert directory.set_user_active(as_console(owner), second, False)


def test_a_system_admin_cannot_touch_an_owner_or_make_one(owner, system_admin):
    UserFactory(role=Role.OWNER)  # so the last-Owner rule is not what refuses
    console = as_console(system_admin)
    with pytest.raises(directory.Refused, match="Only an Owner"):
        directory.set_user_active(console, owner, False)
    with pytest.raises(directory.Refused, match="Only an Owner"):
        directory.update_user(console, system_admin, {"role": Role.OWNER})
    with pytest.raises(directory.Refused, match="Only an Owner"):
        directory.create_user(console, {"login_id": "boss@corp.example", "role": Role.OWNER})
    owner.refresh_from_db()
    system_admin.refresh_from_db()
    assert owner.is_active and system_admin.role == Role.SYSTEM_ADMIN


def test_nobody_deactivates_or_demotes_themselves_from_the_console(owner, system_admin):
    console = as_console(system_admin)
    with pytest.raises(directory.Refused, match="your own account"):
        directory.set_user_active(console, system_admin, False)
    with pytest.raises(directory.Refused, match="your own account"):
        directory.update_user(console, system_admin, {"role": Role.USER})


@pytest.mark.django_db(transaction=True)
def test_two_owners_removing_each_other_at_once_leave_one(owner):
    second = UserFactory(role=Role.OWNER)
    barrier = threading.Barrier(2)
    outcomes = []

    def deactivate(actor: User, target: User) -> None:
        barrier.wait()
        try:
            outcomes.append(directory.set_user_active(as_console(actor), target, False))
        except directory.Refused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=deactivate, args=(owner, second)),
        threading.Thread(target=deactivate, args=(second, owner)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(map(str, outcomes)) == ["True", "refused"]
    assert User.objects.filter(role=Role.OWNER, is_active=True).count() == 1


def test_an_integration_sharing_a_user_only_lets_go_of_it():
    user = okta_user(LinkSource.SCIM, LinkSource.OKTA_SYNC)
    assert directory.delete_user(SCIM, user) is False
    assert User.objects.filter(pk=user.pk).exists()
    assert directory.sources_of(user) == ["okta_sync"]
    assert directory.delete_user(SYNC, user) is True
    assert not User.objects.filter(pk=user.pk).exists()


def test_release_deactivates_only_when_no_provisioning_source_remains():
    shared = okta_user(LinkSource.SCIM, LinkSource.OKTA_SYNC)
    signed_in = okta_user(LinkSource.OKTA_SYNC, LinkSource.SAML)
    assert directory.release_user(SYNC, shared) is False
    assert directory.release_user(SYNC, signed_in) is True
    shared.refresh_from_db()
    signed_in.refresh_from_db()
    assert shared.is_active and not signed_in.is_active
    assert directory.sources_of(signed_in) == ["saml"]


def test_hand_over_lets_okta_link_a_local_account_and_take_back_ends_it(owner):
    user = UserFactory(login_id="carol@corp.example")
    directory.hand_over(as_console(owner), user)
    directory.update_user(SYNC, user, {}, sent=Sent("00uCAROL"))  # the sync adopts it
    assert directory.sources_of(user) == ["okta_sync"]

    assert directory.take_back(as_console(owner), user) == 1
    assert directory.sources_of(user) == [] and not user.is_managed_externally
    with pytest.raises(directory.Refused):
        directory.update_user(SYNC, user, {"first_name": "Mallory"})
    actions = AuditEvent.objects.filter(target_id=str(user.pk)).values_list("action", flat=True)
    assert list(actions.order_by("id")) == ["user.handed_over", "user.linked", "user.taken_back"]


def test_only_an_owner_hands_over_or_takes_back(system_admin, group_factory):
    group = group_factory()
    with pytest.raises(directory.Refused, match="Only an Owner"):
        directory.hand_over(as_console(system_admin), group)
    group.refresh_from_db()
    assert not group.is_managed_externally


def test_a_refusal_is_audited_by_the_entry_point(owner):
    with pytest.raises(directory.Refused), directory.refusals_audited():
        directory.set_user_active(SCIM, owner, False)
    event = AuditEvent.objects.get(outcome="failure")
    assert (event.action, event.target_label, event.detail["source"]) == (
        "user.deactivated",
        owner.login_id,
        "scim",
    )
    assert "local account" in event.detail["reason"]


def test_set_members_adds_and_removes_without_touching_kept_rows():
    group = okta_group(LinkSource.SCIM)
    kept, gone, new = (okta_user(LinkSource.SCIM) for _ in range(3))
    directory.add_members(SCIM, group, [kept, gone])
    kept_row = GroupMembership.objects.get(group=group, user=kept)
    assert directory.set_members(SCIM, group, [kept, new]) == (1, 1)
    assert set(group.members.all()) == {kept, new}
    assert GroupMembership.objects.get(group=group, user=kept).pk == kept_row.pk
    assert directory.set_members(SCIM, group, [kept, new]) == (0, 0)


def test_deleted_group_stays_in_the_audit_trail(group_factory, owner):
    group = group_factory(name="Contractors")
    directory.delete_group(as_console(owner), group)
    assert not Group.objects.filter(name="Contractors").exists()
    assert AuditEvent.objects.get(action="group.deleted").target_label == "Contractors"


def test_login_look_up_uses_the_comparison_key_index(user_factory):
    from django.test.utils import CaptureQueriesContext

    user_factory(login_id="Index@Corp.example")
    with CaptureQueriesContext(connection) as queries:
        found = User.objects.get_by_natural_key("ＩＮＤＥＸ@corp.EXAMPLE")
    assert found.login_id == "Index@Corp.example"
    sql = queries.captured_queries[0]["sql"]
    assert '"querypie_admin_user"."login_key" = ' in sql
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "Index Scan using querypie_admin_user_login_key" in plan


@pytest.mark.parametrize("external_id", ["x" * 256, "a\x00b", 42])
def test_an_external_id_the_link_cannot_hold_is_refused(external_id):
    with pytest.raises(directory.DirectoryInvalid):
        directory.create_user(SCIM, {"login_id": "x@corp.example"}, sent=Sent(external_id))
    assert not User.objects.exists()


def test_an_owner_cannot_hand_over_their_own_account(owner):
    UserFactory(role=Role.OWNER)
    with pytest.raises(directory.Refused, match="your own account"):
        directory.hand_over(as_console(owner), owner)
    owner.refresh_from_db()
    assert not owner.is_managed_externally
