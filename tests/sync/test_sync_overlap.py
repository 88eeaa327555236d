"""Writing while Okta is still read (issue 14): a run that owns its transactions (a worker,
`okta_sync run`) writes the users and groups it creates while the member lists are read,
in a transaction of its own. Nothing of it is committed when a read fails or the guard
holds the plan, and the run's progress stays visible to everyone meanwhile.

These tests commit for real (transaction=True): the writes go through a second connection.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from okta.models import OktaOrg
from querypie_admin.directory import batch
from querypie_admin.models import AuditEvent, AuthProvider, DirectoryLink, GroupMembership, User
from sync.engine import plan_users
from sync.engine.runs import execute_run, start_saved_run
from sync.models import RunKind, RunStatus, SyncRun
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def members_in_child(settings, fake_org):
    """As in production: the members are read in the run's child process, on a real clock."""
    settings.OKTA_SYNC_CLIENT = {"jitter_seconds": 0.0, "backoff_seconds": 0.01}
    settings.OKTA_SYNC_MEMBERS_IN_CHILD = True


def writing_elsewhere(table: str, seconds: float = 10.0) -> bool:
    """Wait until another session of this database holds an uncommitted write on `table`."""

    def held() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = %s AND l.mode = 'RowExclusiveLock' AND l.granted "
                "AND l.pid <> pg_backend_pid() "
                "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                [table],
            )
            return bool(cursor.fetchone()[0])

    return wait_until(held, seconds)


def phase_seen_elsewhere(run_id: int) -> str:
    """The run's phase as another session (the console's progress poll) reads it."""
    seen: list[str] = []

    def read() -> None:
        try:
            seen.append(SyncRun.objects.get(pk=run_id).phase)
        finally:
            connection.close()

    reader = threading.Thread(target=read)
    reader.start()
    reader.join()
    return seen[0]


def run_watching(watch) -> SyncRun:
    """A run of the saved settings in this process, its listener told each phase."""
    return execute_run(start_saved_run(RunKind.MANUAL, label="test").pk, listener=watch)


def test_users_are_written_while_members_are_read_and_committed_after(sync_settings, monkeypatch):
    monkeypatch.setattr(batch, "BATCH", 2)  # users and memberships go in several batches
    monkeypatch.setattr(plan_users, "CREATE_CHUNK", 2)  # and users as they are checked
    seen: list[tuple[bool, str]] = []

    def watch(phase: str, _values: dict) -> None:
        if phase.startswith("Reading group memberships") and not seen:
            run_id = SyncRun.objects.get(in_progress=True).pk
            seen.append((writing_elsewhere("querypie_admin_user"), phase_seen_elsewhere(run_id)))

    run = run_watching(watch)

    assert run.status == RunStatus.SUCCEEDED, run.error
    [(writing, phase)] = seen
    assert writing, "the new users were not written while the members were read"
    assert phase.startswith("Reading group memberships"), phase  # progress stays live
    assert User.objects.filter(auth_provider=AuthProvider.OKTA).count() == 5
    assert GroupMembership.objects.count() == 5
    assert DirectoryLink.objects.filter(user__isnull=False).count() == 5
    actions = AuditEvent.objects.exclude(action="okta_sync.run_finished").values_list(
        "action", flat=True
    )
    assert sorted(set(actions)) == ["group.created", "group.members_added", "user.created"]
    assert sum(1 for action in actions if action == "user.created") == 3  # batches of 2


def test_a_member_read_failing_after_users_were_written_leaves_nothing_written(
    sync_settings, fake_org
):
    fake_org.faults.fail_page("group_users", 1, status=503, times=100)
    writing: list[bool] = []

    def watch(phase: str, _values: dict) -> None:
        if phase.startswith("Reading group memberships") and not writing:
            writing.append(writing_elsewhere("querypie_admin_user"))

    run = run_watching(watch)

    assert writing == [True], "the new users were not being written when the read failed"
    assert run.status == RunStatus.FAILED and "Nothing was changed" in run.error
    assert not User.objects.filter(auth_provider=AuthProvider.OKTA).exists()
    assert not DirectoryLink.objects.exists()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["okta_sync.run_finished"]


def test_a_held_run_that_started_writing_writes_nothing(sync_settings, org, run_sync):
    run_sync()
    before = sorted(User.objects.values_list("login_id", flat=True))
    for user in (org.ada, org.alan, org.grace):  # 3 of the 5 synced memberships: over 50%
        org.directory.remove_member(org.engineers.id, user.id)
    newcomer = org.directory.add_user("newcomer@corp.example")
    team = org.directory.add_group("Newcomers")
    org.directory.add_member(team.id, newcomer.id)
    writing: list[bool] = []

    def watch(phase: str, _values: dict) -> None:
        if phase.startswith("Reading group memberships") and not writing:
            writing.append(writing_elsewhere("querypie_admin_user"))

    run = run_watching(watch)

    assert writing == [True], "the newcomer was not being written while members were read"
    assert run.status == RunStatus.NEEDS_CONFIRMATION, run.error
    assert run.counts["users_create"] == 1 and run.counts["memberships_remove"] == 3
    assert sorted(User.objects.values_list("login_id", flat=True)) == before
    assert not GroupMembership.objects.filter(group__name="Newcomers").exists()
    assert GroupMembership.objects.filter(group__name="Engineers").count() == 3


def test_a_run_that_waited_on_rate_limits_writes_after_reading(sync_settings, fake_org):
    """Reading is as slow as Okta's limits then: writing early would only keep a transaction
    open all along."""
    fake_org.faults.throttle(1, endpoint="users", reset_in=1.0)
    writing: list[bool] = []

    def watch(phase: str, _values: dict) -> None:
        if phase.startswith("Reading group memberships") and not writing:
            writing.append(writing_elsewhere("querypie_admin_user", seconds=1.0))

    run = run_watching(watch)

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.progress["rate_limit_waits"] >= 1 and writing == [False]
    assert User.objects.filter(auth_provider=AuthProvider.OKTA).count() == 5


def test_changes_to_rows_that_exist_are_written_after_reading_in_the_same_transaction(
    sync_settings, org, run_sync
):
    """Updates, deactivations, a deleted group and its memberships: written by the run's
    writer once reading is done, with every foreign key checked as each batch is written."""
    OktaOrg.objects.update(deactivation_threshold=100)
    run_sync()
    org.directory.update_user(org.grace.id, firstName="Amazing Grace")
    org.directory.suspend_user(org.alan.id)
    org.directory.delete_group(org.finance.id)
    newcomer = org.directory.add_user("newcomer@corp.example")
    org.directory.add_member(org.engineers.id, newcomer.id)

    run = run_sync()

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.counts["groups_delete"] == 1 and run.counts["memberships_remove"] == 2
    assert User.objects.get(login_id="grace@corp.example").first_name == "Amazing Grace"
    assert not User.objects.get(login_id="alan@corp.example").is_active
    assert not GroupMembership.objects.filter(group__name="Finance").exists()
    engineers = GroupMembership.objects.filter(group__name="Engineers")
    assert sorted(engineers.values_list("user__login_id", flat=True)) == [
        "ada@corp.example", "alan@corp.example", "grace@corp.example", "newcomer@corp.example"
    ]  # fmt: skip
