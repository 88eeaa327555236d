import pytest
from django.db import IntegrityError

from querypie_admin import directory
from querypie_admin.models import AuditEvent, AuthProvider, Group, GroupMembership, User

pytestmark = pytest.mark.django_db


def test_login_id_is_unique_case_insensitively(user_factory):
    user_factory(login_id="Alice@Corp.example")
    with pytest.raises(directory.DirectoryConflict):
        directory.create_user("test", login_id="alice@corp.EXAMPLE")
    with pytest.raises(IntegrityError):
        User.objects.create(login_id="ALICE@corp.example")


def test_group_name_is_unique_case_insensitively(group_factory):
    group_factory(name="Engineers")
    with pytest.raises(directory.DirectoryConflict):
        directory.create_group("test", name="ENGINEERS")


def test_rename_to_a_taken_login_id_is_refused(user_factory):
    user_factory(login_id="taken@corp.example")
    user = user_factory(login_id="free@corp.example")
    with pytest.raises(directory.DirectoryConflict):
        directory.update_user("test", user, login_id="TAKEN@corp.example", first_name="X")
    assert (user.login_id, user.first_name) == ("free@corp.example", "Test")
    user.refresh_from_db()
    assert user.login_id == "free@corp.example"


def test_update_user_writes_only_what_changed_and_audits_it(user_factory):
    user = user_factory(first_name="Ann")
    assert directory.update_user("okta sync", user, first_name="Ann") == []
    assert not AuditEvent.objects.filter(action="user.updated").exists()
    assert directory.update_user("okta sync", user, first_name="Anne", email="a@x.io") == [
        "email",
        "first_name",
    ]
    event = AuditEvent.objects.get(action="user.updated")
    assert (event.actor_label, event.target_label) == ("okta sync", user.login_id)
    assert event.detail == {"fields": ["email", "first_name"]}


def test_created_idp_user_has_no_usable_password():
    user = directory.create_user(
        "scim", login_id="idp@corp.example", auth_provider=AuthProvider.OKTA
    )
    assert not user.has_usable_password()
    assert user.is_managed_externally


def test_deactivation_is_audited_as_such(user_factory):
    user = user_factory()
    assert directory.set_user_active("admin", user, False)
    assert AuditEvent.objects.filter(action="user.deactivated", target_id=str(user.pk)).exists()


def test_set_members_adds_and_removes_without_touching_kept_rows(user_factory, group_factory):
    group = group_factory()
    kept, gone, new = user_factory(), user_factory(), user_factory()
    directory.add_members("t", group, [kept, gone])
    kept_row = GroupMembership.objects.get(group=group, user=kept)
    assert directory.set_members("t", group, [kept, new]) == (1, 1)
    assert set(group.members.all()) == {kept, new}
    assert GroupMembership.objects.get(group=group, user=kept).pk == kept_row.pk
    assert directory.set_members("t", group, [kept, new]) == (0, 0)


def test_deleted_group_stays_in_the_audit_trail(group_factory):
    group = group_factory(name="Contractors")
    directory.delete_group("admin", group)
    assert not Group.objects.filter(name="Contractors").exists()
    assert AuditEvent.objects.get(action="group.deleted").target_label == "Contractors"


def test_login_look_up_uses_the_lower_index(user_factory):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user_factory(login_id="Index@Corp.example")
    with CaptureQueriesContext(connection) as queries:
        found = User.objects.get_by_natural_key("INDEX@corp.EXAMPLE")
    assert found.login_id == "Index@Corp.example"
    sql = queries.captured_queries[0]["sql"]
    assert 'LOWER("querypie_admin_user"."login_id") = LOWER(' in sql
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "user_login_id_ci_unique" in plan
