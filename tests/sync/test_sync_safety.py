"""Safety first: failures deactivate nobody, 429s are waited out, the mass-deactivation guard."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from okta.models import OktaOrg
from okta.token_crypto import encrypt_token
from querypie_admin.models import AuthProvider, Group, LinkSource, User
from sync.models import RunKind, RunMode, RunStatus, SyncSettings
from tests.factories import okta_user
from tests.sync.writes import directory_writes, synced

pytestmark = pytest.mark.django_db


def active_okta_logins() -> set[str]:
    users = User.objects.filter(auth_provider=AuthProvider.OKTA, is_active=True)
    return set(users.values_list("login_id", flat=True))


def test_sync_failure_midway_on_page_3_deactivates_nobody(run_sync, org, fake_org):
    for number in range(450):  # three pages of 200 users
        org.directory.add_user(f"person{number:03d}@corp.example")
    run_sync()
    before = active_okta_logins()
    org.directory.delete_user(org.ada.id)
    fake_org.faults.fail_page("users", 3, status=503, times=50)

    with directory_writes() as writes:
        run = run_sync()

    assert run.status == RunStatus.FAILED
    assert "HTTP 503" in run.error and "Nothing was changed" in run.error
    assert run.stopped_at == "Stopped during “Reading users” at /api/v1/users, page 3"
    assert writes == []
    assert active_okta_logins() == before


def test_sync_timeout_deactivates_nobody(run_sync, org, fake_org, settings):
    run_sync()
    org.directory.delete_user(org.ada.id)
    settings.OKTA_SYNC_CLIENT |= {"read_timeout": 0.2, "max_retries": 1}
    fake_org.faults.delay(1.0, endpoint="group_users", times=5)

    run = run_sync()

    assert run.status == RunStatus.FAILED and run.error_kind == "timeout"
    assert "Reading group memberships" in run.stopped_at
    assert "ada@corp.example" in active_okta_logins()


def test_429s_are_waited_out_and_the_run_completes(run_sync, fake_org, sync_clock):
    fake_org.faults.throttle(3, endpoint="users", reset_in=30)

    run = run_sync()

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.progress["rate_limit_waits"] >= 3
    assert sum(sync_clock.sleeps) >= 90  # waited until each reset (on the fake clock)
    assert len(active_okta_logins()) == 5


def test_rate_limit_beyond_retries_fails_and_says_so(run_sync, fake_org):
    fake_org.faults.throttle(100, endpoint="groups", reset_in=5)

    run = run_sync()

    assert run.status == RunStatus.FAILED and run.error_kind == "rate_limited"
    assert "E0000047" in run.error


def test_invalid_token_gives_a_clear_error(run_sync, sync_settings):
    OktaOrg.objects.update(api_token_encrypted=encrypt_token("not-the-token"))

    run = run_sync()

    assert run.status == RunStatus.FAILED and run.error_kind == "invalid_token"
    assert "The API token is invalid (E0000011)" in run.error
    assert "not-the-token" not in run.error + run.stopped_at


def test_token_without_permission_names_E0000006(run_sync, sync_settings):
    OktaOrg.objects.update(api_token_encrypted=encrypt_token("read-nothing"))

    run = run_sync()

    assert run.error_kind == "permission" and "E0000006" in run.error


def test_mass_deactivation_guard_stops_before_writing_and_confirm_proceeds(run_sync, org):
    OktaOrg.objects.update(deactivation_threshold=20)
    run_sync()
    org.directory.delete_user(org.ada.id)
    org.directory.suspend_user(org.alan.id)  # 2 of 5 = 40%

    with directory_writes() as writes:
        stopped = run_sync()

    assert stopped.status == RunStatus.NEEDS_CONFIRMATION
    assert "would deactivate 2 of 5 synced users (40%)" in stopped.message
    assert stopped.counts["users_deactivate"] == 2
    assert writes == []
    assert len(active_okta_logins()) == 5

    confirmed = run_sync(allow=True)

    assert confirmed.status == RunStatus.SUCCEEDED
    assert active_okta_logins() == {"grace@corp.example", "linus@corp.example",
                                    "outsider@corp.example"}  # fmt: skip


def test_guard_holds_the_first_sync_when_okta_lost_most_migrated_users(run_sync):
    """Rows the sync linked before links existed (migrated) are measured on the first run."""
    OktaOrg.objects.update(deactivation_threshold=20)
    for number in range(10):  # synced by the old version; this Okta org no longer has them
        okta_user(LinkSource.OKTA_SYNC, external_id=f"00uold{number}",
                  login_id=f"old{number}@corp.example")  # fmt: skip

    with directory_writes() as writes:
        run = run_sync()

    assert run.status == RunStatus.NEEDS_CONFIRMATION
    assert "would deactivate 10 of 10 synced users (100%)" in run.message
    assert writes == []
    assert User.objects.filter(is_active=True).count() == 10
    assert not User.objects.filter(login_id="ada@corp.example").exists()


def test_first_sync_leaves_accounts_it_never_linked_alone(run_sync, user_factory):
    """Accounts SAML sign-in created and local accounts are not the sync's to deactivate."""
    OktaOrg.objects.update(deactivation_threshold=0)
    signed_in = [okta_user(LinkSource.SAML, login_id=f"saml{n}@corp.example") for n in range(3)]
    local = user_factory(login_id="local@corp.example")

    run = run_sync()

    assert run.status == RunStatus.SUCCEEDED, run.message
    assert run.counts["users_deactivate"] == 0 and run.counts["users_create"] == 5
    assert all(User.objects.get(pk=u.pk).is_active for u in [*signed_in, local])


def test_guard_threshold_is_configurable(run_sync, org):
    OktaOrg.objects.update(deactivation_threshold=50)
    run_sync()
    org.directory.delete_user(org.grace.id)
    org.directory.delete_user(org.linus.id)  # 2 of 5 users, 2 of 5 memberships: 40% <= 50%

    run = run_sync()

    assert run.status == RunStatus.SUCCEEDED, run.message
    assert run.counts["users_deactivate"] == 2 and run.counts["memberships_remove"] == 2


def test_dry_run_writes_nothing_and_reports_the_plan(run_sync, org):
    with directory_writes() as writes:
        run = run_sync(RunKind.DRY_RUN)

    assert run.status == RunStatus.SUCCEEDED
    assert writes == []
    assert run.counts["users_create"] == 5 and run.counts["memberships_add"] == 5
    assert "ada@corp.example" in run.samples["users_create"]
    assert "Engineers ← ada@corp.example" in run.samples["memberships_add"]
    assert SyncSettings.load().last_full_sync_at is None


def test_scheduled_run_after_a_full_one_is_incremental(run_sync, org, fake_org):
    run_sync()
    # As if the last run read five minutes ago, so only what changes next is "since".
    SyncSettings.objects.update(last_sync_read_at=timezone.now() + timedelta(minutes=5))
    time.sleep(0.01)  # Okta's timestamps have millisecond precision and "gt" is strict
    org.directory.update_user(org.alan.id, firstName="Alan M.")
    org.directory.add_member(org.finance.id, org.grace.id)
    org.directory.delete_user(org.linus.id)  # a hard delete shows only in a full run
    fake_org.requests.clear()

    run = run_sync(RunKind.SCHEDULED, full=False)

    assert run.mode == RunMode.INCREMENTAL and run.status == RunStatus.SUCCEEDED, run.error
    users_query = fake_org.requests_to("users")[-1].params
    assert users_query["search"].startswith('lastUpdated gt "')
    groups_query = fake_org.requests_to("groups")[0].params
    assert 'lastMembershipUpdated gt "' in groups_query["filter"]
    assert 'type eq "OKTA_GROUP"' in groups_query["filter"]
    member_reads = {r.path for r in fake_org.requests_to("group_users")}
    assert member_reads == {f"/api/v1/groups/{org.finance.id}/users"}
    assert synced(org.alan).first_name == "Alan M."
    assert synced(org.grace).member_of.filter(name="Finance").exists()
    assert synced(org.linus).is_active


def test_incremental_run_reads_a_few_minutes_behind_the_last_run(run_sync, fake_org):
    run_sync()
    last_read = SyncSettings.load().last_sync_read_at

    run = run_sync(RunKind.SCHEDULED, full=False)

    since = run.config["since"]
    assert timezone.datetime.fromisoformat(since) == last_read - timedelta(minutes=5)


def test_a_full_run_happens_at_least_daily(run_sync):
    run_sync()
    day_ago = timezone.now() - timedelta(hours=25)
    SyncSettings.objects.update(last_full_sync_at=day_ago)

    assert run_sync(RunKind.SCHEDULED, full=False).mode == RunMode.FULL


def test_incremental_run_deactivates_a_deprovisioned_user(run_sync, org):
    run_sync()
    org.directory.deactivate_user(org.grace.id)

    run = run_sync(RunKind.SCHEDULED, full=False)

    assert run.mode == RunMode.INCREMENTAL
    grace = synced(org.grace)
    assert not grace.is_active and not grace.member_of.exists()


def test_dry_run_shows_every_deactivation_and_group_deletion_before_anything_is_removed(
    run_sync, org
):
    """authentik #19295: a sync without a dry run once emptied a directory. Here the admin
    sees who would be deactivated and which groups deleted, and the Dry Run removes nothing."""
    run_sync()
    org.directory.delete_user(org.linus.id)
    org.directory.delete_group(org.finance.id)

    with directory_writes() as writes:
        run = run_sync(RunKind.DRY_RUN)

    assert writes == []
    assert run.counts["users_deactivate"] == 1 and run.counts["groups_delete"] == 1
    assert run.samples["users_deactivate"] == ["linus@corp.example"]
    assert run.samples["groups_delete"] == ["Finance"]
    assert User.objects.get(login_id="linus@corp.example").is_active
    assert Group.objects.filter(name="Finance").exists()
