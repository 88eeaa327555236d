"""Incremental runs in the QueryPie-app scope (the default): the app's listings are read whole,
profiles only of users changed since the last run, members only of groups changed since."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from okta.models import OktaOrg, Scope
from querypie_admin.models import Group, User
from sync.engine import app_scope
from sync.models import RunKind, RunMode, RunStatus, SyncSettings
from tests.sync.writes import synced as okta_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def app_sync(run_sync, fake_org):
    """Full app-scope sync first; then each call is a scheduled run that may be incremental."""
    OktaOrg.objects.update(scope=Scope.APP)
    assert run_sync().status == RunStatus.SUCCEEDED
    settle()

    def scheduled():
        fake_org.requests.clear()
        run = run_sync(RunKind.SCHEDULED, full=False)
        assert run.status == RunStatus.SUCCEEDED, run.error or run.message
        assert run.mode == RunMode.INCREMENTAL
        settle()
        return run

    return scheduled


def settle() -> None:
    """As if the last run read five minutes from now: only what changes next is "since"."""
    SyncSettings.objects.update(last_sync_read_at=timezone.now() + timedelta(minutes=5))
    time.sleep(0.01)  # Okta's timestamps have millisecond precision and "gt" is strict


def test_scheduled_app_scope_run_reads_only_changed_profiles(app_sync, org, fake_org):
    ada_pk = okta_user(org.ada).pk
    org.directory.update_user(org.alan.id, firstName="Alan M.")

    run = app_sync()

    assert fake_org.requests_to("app_users") and fake_org.requests_to("app_groups")
    # Besides the connection check (one user, limit=1), users are only searched by change.
    user_reads = [r for r in fake_org.requests_to("users") if r.params["limit"] != "1"]
    assert user_reads and all(r.params["search"].startswith('lastUpdated gt "') for r in user_reads)
    assert not fake_org.requests_to("group_users")
    assert run.counts["users_update"] == 1 and sum(run.counts.values()) == 1
    assert okta_user(org.alan).first_name == "Alan M."
    assert okta_user(org.ada).pk == ada_pk and okta_user(org.ada).member_of.count() == 2


def test_incremental_app_scope_run_deactivates_an_unassigned_user(app_sync, org):
    org.directory.unassign_user(org.linus.id)
    org.directory.remove_member(org.finance.id, org.linus.id)

    app_sync()

    linus = User.objects.get(login_id="linus@corp.example")
    assert not linus.is_active and not linus.member_of.exists()
    assert okta_user(org.ada).is_active


def test_incremental_app_scope_run_deactivates_a_user_unassigned_without_other_change(
    app_sync, org
):
    org.directory.assign_user(org.outsider.id)
    app_sync()
    assert okta_user(org.outsider).is_active
    org.directory.unassign_user(org.outsider.id)

    app_sync()

    assert not User.objects.get(login_id="outsider@corp.example").is_active


def test_incremental_app_scope_run_creates_a_newly_assigned_unchanged_user(app_sync, org, fake_org):
    org.directory.assign_user(org.outsider.id)

    app_sync()

    assert okta_user(org.outsider).login_id == "outsider@corp.example"
    by_id = [r.params.get("filter") for r in fake_org.requests_to("users")]
    assert f'id eq "{org.outsider.id}"' in by_id


def test_incremental_app_scope_run_reactivates_a_user_assigned_again(app_sync, org):
    org.directory.assign_user(org.outsider.id)
    app_sync()
    org.directory.unassign_user(org.outsider.id)
    app_sync()
    org.directory.assign_user(org.outsider.id)

    app_sync()

    assert okta_user(org.outsider).is_active


def test_incremental_app_scope_run_applies_a_changed_app_login(app_sync, org):
    ada_pk = okta_user(org.ada).pk
    org.directory.assign_user(org.ada.id, profile={"loginId": "ada.l@corp.example"})

    app_sync()

    assert okta_user(org.ada).pk == ada_pk
    assert okta_user(org.ada).login_id == "ada.l@corp.example"


def test_incremental_app_scope_run_reads_members_only_of_changed_groups(app_sync, org, fake_org):
    org.directory.add_member(org.finance.id, org.grace.id)

    run = app_sync()

    member_reads = {r.path for r in fake_org.requests_to("group_users")}
    assert member_reads == {f"/api/v1/groups/{org.finance.id}/users"}
    assert run.counts["memberships_add"] == 1 and run.counts["memberships_remove"] == 0
    finance = set(Group.objects.get(name="Finance").members.values_list("login_id", flat=True))
    assert finance == {"ada@corp.example", "grace@corp.example", "linus@corp.example"}
    assert Group.objects.get(name="Engineers").members.count() == 3


def test_incremental_app_scope_run_adds_a_newly_assigned_group_and_deletes_an_unassigned_one(
    run_sync, org, fake_org
):
    design = org.directory.add_group("Design")
    org.directory.add_member(design.id, org.outsider.id)
    OktaOrg.objects.update(scope=Scope.APP)
    run_sync()
    settle()
    org.directory.assign_group(design.id)
    org.directory.unassign_group(org.finance.id)
    fake_org.requests.clear()

    run = run_sync(RunKind.SCHEDULED, full=False)

    assert run.mode == RunMode.INCREMENTAL and run.status == RunStatus.SUCCEEDED, run.error
    by_id = [r.params.get("filter") for r in fake_org.requests_to("groups")]
    assert f'id eq "{design.id}"' in by_id
    assert set(Group.objects.values_list("name", flat=True)) == {"Engineers", "Design"}
    assert list(Group.objects.get(name="Design").members.values_list("login_id", flat=True)) == [
        "outsider@corp.example"
    ]


def test_many_newly_assigned_users_are_read_from_the_full_user_listing(
    run_sync, org, fake_org, monkeypatch
):
    monkeypatch.setattr(app_scope, "MAX_ID_READS", 1)
    newcomer = org.directory.add_user("newcomer@corp.example")
    OktaOrg.objects.update(scope=Scope.APP)
    run_sync()
    settle()
    org.directory.assign_user(org.outsider.id)
    org.directory.assign_user(newcomer.id)
    fake_org.requests.clear()

    run = run_sync(RunKind.SCHEDULED, full=False)

    assert run.mode == RunMode.INCREMENTAL and run.counts["users_create"] == 2
    listings = [r for r in fake_org.requests_to("users") if r.params["limit"] != "1"]
    assert not any("id eq" in r.params.get("filter", "") for r in listings)
    assert any(not r.params.get("search") and not r.params.get("filter") for r in listings)
    assert okta_user(org.outsider).is_active and okta_user(newcomer).is_active


def test_guard_holds_an_incremental_run_that_would_deactivate_most_users(app_sync, org, run_sync):
    OktaOrg.objects.update(deactivation_threshold=20)
    for user in (org.ada, org.alan, org.grace):  # unassigned, directly and through groups
        org.directory.unassign_user(user.id)
        org.directory.remove_member(org.engineers.id, user.id)
    org.directory.remove_member(org.finance.id, org.ada.id)

    run = run_sync(RunKind.SCHEDULED, full=False)

    assert run.mode == RunMode.INCREMENTAL and run.status == RunStatus.NEEDS_CONFIRMATION
    assert "would deactivate 3 of 4 synced users (75%)" in run.message
    assert User.objects.filter(is_active=True).count() == 4
