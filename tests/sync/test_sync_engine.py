"""The sync against the fake Okta, through the real client, on PostgreSQL."""

from __future__ import annotations

import pytest

from okta.models import OktaOrg, Scope
from querypie_admin.models import AuditEvent, AuthProvider, Group, User
from sync.models import RunStatus
from tests.sync.conftest import save_settings
from tests.sync.writes import RUN_AUDIT_ACTION, directory_writes, sync_link
from tests.sync.writes import synced as okta_user

pytestmark = pytest.mark.django_db


def members(name: str) -> set[str]:
    return set(Group.objects.get(name=name).members.values_list("login_id", flat=True))


def test_full_sync_creates_users_groups_and_memberships(run_sync, org):
    run = run_sync()

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.counts == {
        "users_create": 5, "users_update": 0, "users_deactivate": 0,
        "users_link": 0, "users_release": 0,
        "groups_create": 2, "groups_update": 0, "groups_delete": 0,
        "groups_link": 0, "groups_release": 0,
        "memberships_add": 5, "memberships_remove": 0,
        "roles_promote": 0, "roles_demote": 0, "roles_change": 0, "roles_renamed": 0,
    }  # fmt: skip
    ada = okta_user(org.ada)
    assert (ada.login_id, ada.first_name, ada.last_name) == ("ada@corp.example", "Ada", "Lovelace")
    assert (ada.email, ada.mobile_phone, ada.static_ip) == (
        "ada@corp.example",
        "+1 555 0100",
        "10.0.0.7",
    )
    assert ada.is_active and not ada.has_usable_password()
    engineers = Group.objects.get(name="Engineers")
    assert engineers.auth_provider == AuthProvider.OKTA
    assert sync_link(engineers).external_id == org.engineers.id
    assert sync_link(engineers).attributes == {"name": "Engineers", "description": "Builds things"}
    assert sync_link(ada).attributes == {
        "login": "ada@corp.example", "firstName": "Ada", "lastName": "Lovelace",
        "email": "ada@corp.example", "mobilePhone": "+1 555 0100", "staticIp": "10.0.0.7",
        "status": "ACTIVE",
    }  # fmt: skip
    assert engineers.description == "Builds things"
    assert members("Engineers") == {"ada@corp.example", "alan@corp.example", "grace@corp.example"}
    assert members("Finance") == {"ada@corp.example", "linus@corp.example"}


def test_resync_with_no_change_makes_zero_writes(run_sync):
    run_sync()
    stamps = dict(User.objects.values_list("pk", "updated_at"))
    changes = AuditEvent.objects.exclude(action=RUN_AUDIT_ACTION)
    events = changes.count()

    with directory_writes() as writes:
        again = run_sync()

    assert again.status == RunStatus.SUCCEEDED
    assert set(again.counts.values()) == {0}
    assert writes == []
    assert dict(User.objects.values_list("pk", "updated_at")) == stamps
    assert changes.count() == events


def test_profile_update_changes_only_that_field(run_sync, org):
    run_sync()
    org.directory.update_user(org.alan.id, lastName="Turing-Smith", secondEmail="a@home.example")

    run = run_sync()

    assert run.counts["users_update"] == 1
    alan = okta_user(org.alan)
    assert (alan.last_name, alan.second_email) == ("Turing-Smith", "a@home.example")
    assert run.samples["users_update"] == ["alan@corp.example (last_name, second_email)"]


def test_login_change_keeps_the_same_user(run_sync, org):
    run_sync()
    before = okta_user(org.grace)
    org.directory.rename_login(org.grace.id, "grace.hopper@corp.example")

    run_sync()

    after = okta_user(org.grace)
    assert after.pk == before.pk and after.login_id == "grace.hopper@corp.example"
    assert "grace.hopper@corp.example" in members("Engineers")


def test_removed_user_is_deactivated_never_deleted_and_leaves_every_synced_group(run_sync, org):
    run_sync()
    local_group = Group.objects.create(name="Local reviewers")
    local_group.members.add(okta_user(org.ada))
    org.directory.delete_user(org.ada.id)

    run = run_sync()

    ada = User.objects.get(login_id="ada@corp.example")
    assert not ada.is_active and not ada.links.exists()  # the sync let go of it
    assert run.counts["users_deactivate"] == 1 and run.samples["users_deactivate"] == [
        "ada@corp.example"
    ]
    assert run.counts["users_release"] == 1
    assert "ada@corp.example" not in members("Engineers") | members("Finance")
    assert members("Local reviewers") == {"ada@corp.example"}  # not a synced group


def test_suspension_deactivates_and_unsuspension_reactivates(run_sync, org):
    run_sync()
    org.directory.suspend_user(org.linus.id)

    run_sync()
    assert not okta_user(org.linus).is_active
    assert "linus@corp.example" in members("Finance")  # still a member in Okta

    org.directory.unsuspend_user(org.linus.id)
    run_sync()
    assert okta_user(org.linus).is_active


def test_deprovisioned_user_is_deactivated_and_reactivation_restores(run_sync, org):
    run_sync()
    org.directory.deactivate_user(org.alan.id)
    run_sync()
    assert not okta_user(org.alan).is_active
    assert "alan@corp.example" not in members("Engineers")

    org.directory.activate_user(org.alan.id)
    run_sync()
    assert okta_user(org.alan).is_active
    assert "alan@corp.example" in members("Engineers")


@pytest.mark.parametrize("status", ["PROVISIONED", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT"])
def test_okta_statuses_that_count_as_active(run_sync, org, status):
    org.directory.set_status(org.alan.id, status)
    run_sync()
    assert okta_user(org.alan).is_active


def test_app_scope_reads_only_the_querypie_app(run_sync, org, fake_org):
    OktaOrg.objects.update(scope=Scope.APP)
    org.directory.assign_user(org.ada.id, profile={"loginId": "ada.l@corp.example"})

    run = run_sync()

    assert run.status == RunStatus.SUCCEEDED, run.error
    logins = set(User.objects.filter(auth_provider="okta").values_list("login_id", flat=True))
    assert logins == {"ada.l@corp.example", "alan@corp.example", "grace@corp.example",
                      "linus@corp.example"}  # fmt: skip
    assert fake_org.requests_to("app_users") and fake_org.requests_to("app_groups")


def test_app_scope_unassigned_user_is_deactivated(run_sync, org):
    OktaOrg.objects.update(scope=Scope.APP)
    run_sync()
    org.directory.unassign_user(org.grace.id)
    org.directory.remove_member(org.engineers.id, org.grace.id)

    run = run_sync()

    assert run.status == RunStatus.SUCCEEDED, run.message
    assert not User.objects.get(login_id="grace@corp.example").is_active


def test_app_scope_without_id_asks_for_it_when_several_apps_match(run_sync, org):
    OktaOrg.objects.update(scope=Scope.APP)
    org.directory.add_app("QueryPie")

    run = run_sync()

    assert run.status == RunStatus.FAILED
    assert "enter the Application ID" in run.error
    assert not User.objects.filter(auth_provider="okta").exists()


def test_app_scope_with_application_id_uses_that_app(run_sync, org):
    second = org.directory.add_app("QueryPie")
    org.directory.assign_user(org.outsider.id, app_id=second.id)
    OktaOrg.objects.update(scope=Scope.APP, app_id=second.id)

    run_sync()

    assert set(User.objects.filter(auth_provider="okta").values_list("login_id", flat=True)) == {
        "outsider@corp.example"
    }


def test_directory_scope_reads_every_user_and_only_okta_groups(run_sync, org):
    org.directory.add_group("Made by an app", type="APP_GROUP")

    run_sync()

    assert User.objects.filter(auth_provider="okta").count() == 5
    assert set(Group.objects.values_list("name", flat=True)) == {"Engineers", "Finance"}


def test_group_rename_and_deletion_follow_okta(run_sync, org):
    OktaOrg.objects.update(deactivation_threshold=100)  # half the groups go
    run_sync()
    org.directory.update_group(org.finance.id, name="Finance & Legal")
    org.directory.delete_group(org.engineers.id)

    run = run_sync()

    assert run.counts["groups_update"] == 1 and run.counts["groups_delete"] == 1
    assert run.counts["memberships_remove"] == 3  # Engineers' members go with it
    assert set(Group.objects.values_list("name", flat=True)) == {"Finance & Legal"}


def test_local_user_with_same_login_is_not_touched_and_reported(run_sync, org, user_factory):
    local = user_factory(login_id="Alan@corp.example", first_name="Local", last_name="Alan")

    run = run_sync()

    local.refresh_from_db()
    assert (local.auth_provider, local.first_name) == ("querypie", "Local")
    assert not local.links.exists()
    assert [c["name"] for c in run.conflicts] == ["alan@corp.example"]
    assert run.conflicts[0]["reason"] == (
        "login ID belongs to a local account; an Owner must hand it over before the sync "
        "can manage it"
    )
    assert "Alan@corp.example" not in members("Engineers")


def test_local_group_with_same_name_is_not_touched(run_sync, group_factory):
    local = group_factory(name="finance", description="ours")

    run = run_sync()

    local.refresh_from_db()
    assert (local.auth_provider, local.description) == ("querypie", "ours")
    assert not local.links.exists() and not local.members.exists()
    assert [(c["kind"], c["name"]) for c in run.conflicts] == [("group", "Finance")]
    assert "belongs to a local group; an Owner must hand it over" in run.conflicts[0]["reason"]


def test_sync_writes_a_summarising_audit_trail_without_the_token(run_sync, fake_org):
    run_sync()

    events = AuditEvent.objects.filter(actor_label__startswith="Okta sync")
    assert set(events.values_list("action", flat=True)) == {
        "user.created", "group.created", "group.members_added",
    }  # fmt: skip
    assert {e.detail["source"] for e in events} == {"okta_sync"}
    assert fake_org.token not in str(list(events.values_list("detail", flat=True)))


def test_sync_settings_are_needed(db):
    from sync.engine.runs import SyncNotConfigured, start_saved_run

    with pytest.raises(SyncNotConfigured):
        start_saved_run("manual", label="test")


def test_first_sync_then_renamed_okta_user_adopts_a_same_login_okta_user(run_sync, org):
    """An Okta user recreated in Okta with the same login takes over the old account."""
    run_sync()
    old = okta_user(org.linus)
    org.directory.delete_user(org.linus.id)
    again = org.directory.add_user("linus@corp.example", first_name="Linus")

    run_sync()

    old.refresh_from_db()
    assert sync_link(old).external_id == again.id and old.is_active


def test_settings_helper_rejects_nothing(fake_org, db):
    assert save_settings(fake_org).enabled


def test_every_run_is_recorded_in_the_audit_log(run_sync, fake_org):
    run = run_sync()

    event = AuditEvent.objects.get(action="okta_sync.run_finished")
    assert (event.target_id, event.outcome) == (str(run.pk), "success")
    assert event.detail["status"] == "succeeded"
    assert event.detail["counts"]["users_create"] == run.counts["users_create"] > 0
    assert fake_org.token not in str(event.detail)
