"""Attacks through the Okta sync, as a careless (or hostile) Okta admin would make them:
logins and group names that equal a local one in another case or script, explicit
negatives for rows the sync may not touch, and two confirmations of one held run at once.
Each runs the sync against the fake Okta over HTTP and checks the directory afterwards."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from okta.models import OktaOrg
from querypie_admin import directory
from querypie_admin.directory import batch
from querypie_admin.models import AuthProvider, Group, LinkSource, Role, User
from sync.engine.confirmation import ConfirmationRefused, confirm_held_run
from sync.models import RunStatus, SyncRun
from tests.factories import GroupFactory, UserFactory, okta_user
from tests.sync.writes import synced
from tests.waiting import lock_waits, wait_until

pytestmark = pytest.mark.django_db
DOTTED_I = "\u0130"  # PostgreSQL's LOWER() gives "i"; Python's str.lower() gives "i" + U+0307
COMMAND = directory.Caller.command("test")


def conflict_names(run: SyncRun) -> list[str]:
    return [c["name"] for c in run.conflicts]


def assert_conflict_or_own_row(run: SyncRun, okta_object, model: type) -> None:
    """A name in another script is either the local row's (a conflict, left alone) or a name
    of its own (a new Okta row); never the local row adopted."""
    linked = model.objects.filter(links__external_id=okta_object.id).first()
    if linked is None:
        assert okta_object.id in [c["okta_id"] for c in run.conflicts], run.conflicts
    else:
        assert linked.auth_provider == AuthProvider.OKTA and linked.created_at >= run.created_at


def active_logins() -> set[str]:
    return set(User.objects.filter(is_active=True).values_list("login_id", flat=True))


# Unicode case variants of local names -------------------------------------------------
def test_okta_login_that_lowercases_to_a_local_login_is_a_conflict_not_a_stuck_sync(
    run_sync, org, owner
):
    """Okta user `ADMİN@corp.example`: PostgreSQL's unique LOWER(login_id) says it is the
    local `admin@corp.example`; the planner (Python's lower()) thinks it is new. One such
    login must not stop the run, or Alan's suspension is never applied."""
    local = UserFactory(login_id="admin@corp.example", first_name="Local")
    run_sync()
    org.directory.suspend_user(org.alan.id)
    mallory = org.directory.add_user(f"ADM{DOTTED_I}N@corp.example", email="m@corp.example")
    org.directory.assign_user(mallory.id)

    run = run_sync()

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert not User.objects.get(login_id="alan@corp.example").is_active
    assert_conflict_or_own_row(run, mallory, User)
    local.refresh_from_db()
    assert (local.auth_provider, local.first_name, local.is_active) == ("querypie", "Local", True)
    assert not local.links.exists() and owner.is_local_owner


def test_okta_group_that_lowercases_to_a_local_group_is_a_conflict_not_a_stuck_sync(run_sync, org):
    local = GroupFactory(name="Admins", description="Local")
    local.members.add(UserFactory(login_id="lee@corp.example"))
    shadow = org.directory.add_group(f"ADM{DOTTED_I}NS")
    org.directory.add_member(shadow.id, org.ada.id)
    org.directory.assign_group(shadow.id)

    run = run_sync()

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert_conflict_or_own_row(run, shadow, Group)
    assert (Group.objects.get(pk=local.pk).members.count(), local.links.count()) == (1, 0)
    assert set(Group.objects.get(name="Engineers").members.values_list("login_id", flat=True)) == {
        "ada@corp.example",
        "alan@corp.example",
        "grace@corp.example",
    }


@pytest.mark.parametrize(
    ("local_login", "new_login"),
    [
        ("hopper@corp.example", "HOPPER@corp.example"),
        ("hopperi@corp.example", f"HOPPER{DOTTED_I}@corp.example"),
    ],
)
def test_rename_in_okta_onto_a_local_login_leaves_the_local_account_alone(
    run_sync, org, local_login, new_login
):
    local = UserFactory(login_id=local_login, first_name="Local")
    run_sync()
    org.directory.rename_login(org.grace.id, new_login)

    run = run_sync()

    assert run.status == RunStatus.SUCCEEDED, run.error
    grace = synced(org.grace)
    assert grace.pk != local.pk
    if DOTTED_I not in new_login:  # the dotted I may make a name of its own
        assert new_login in conflict_names(run) and grace.login_id == "grace@corp.example"
    local.refresh_from_db()
    assert (local.auth_provider, local.first_name, local.links.count()) == ("querypie", "Local", 0)


@pytest.mark.parametrize("negative", ["suspend_user", "deactivate_user"])
def test_okta_negative_for_a_local_login_never_deactivates_the_local_account(
    run_sync, org, negative
):
    local = UserFactory(login_id="grace@corp.example", role=Role.SYSTEM_ADMIN)
    getattr(org.directory, negative)(org.grace.id)

    run = run_sync()

    assert run.status == RunStatus.SUCCEEDED, run.error
    local.refresh_from_db()
    assert local.is_active and local.auth_provider == AuthProvider.QUERYPIE
    assert not local.links.exists()


# The Owner rule holds for the sync as for SCIM ----------------------------------------
@pytest.mark.parametrize("negative", ["suspend_user", "delete_user"])
def test_sync_cannot_deactivate_an_owner_handed_over_to_okta(run_sync, org, owner, negative):
    """SCIM gets 403 "Only an Owner can change an Owner" for this (tests/scim/test_ownership);
    the sync's batch deactivation must follow the same rule."""
    grace = UserFactory(login_id="grace@corp.example", role=Role.OWNER)
    directory.hand_over(COMMAND, grace)
    run_sync()
    assert synced(org.grace).pk == grace.pk
    getattr(org.directory, negative)(org.grace.id)

    run_sync()

    grace.refresh_from_db()
    assert grace.is_active and grace.role == Role.OWNER, "the sync deactivated an Owner"


# Two confirmations of one held run at once ---------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_two_confirmations_of_one_held_run_at_once_start_one_run(run_sync, org, system_admin):
    OktaOrg.objects.update(deactivation_threshold=20)
    run_sync()
    org.directory.delete_user(org.ada.id)
    org.directory.suspend_user(org.alan.id)
    held = run_sync()
    assert held.status == RunStatus.NEEDS_CONFIRMATION
    callers = [COMMAND, directory.Caller(directory.Source.CONSOLE, system_admin, "10.0.0.9")]
    barrier = threading.Barrier(len(callers))
    outcomes: list[str] = []

    def confirm(caller: directory.Caller) -> None:
        barrier.wait()
        try:
            confirm_held_run(caller, held.pk)
            outcomes.append("confirmed")
        except ConfirmationRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(c,)) for c in callers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["confirmed", "refused"]
    assert SyncRun.objects.filter(confirms=held).count() == 1
    assert "ada@corp.example" in active_logins()  # nothing written until the new run runs


# An Owner takes an account back while a sync batch writes it ---------------------------
SYNC = directory.Caller.okta_sync("Okta sync (racing)")
SYNC_BATCHES: dict[str, Callable[[int], object]] = {
    "deactivate": lambda pk: batch.deactivate_users(SYNC, [pk]),
    "update": lambda pk: batch.update_users(SYNC, [(pk, "alice", {"first_name": "Okta"})]),
    "adopt": lambda pk: batch.link_users(SYNC, [(pk, directory.Sent("00u1"))]),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", SYNC_BATCHES)
def test_a_sync_batch_racing_a_take_back_never_writes_the_now_local_account(write):
    """Alice was SCIM's. The Owner's take-back has locked and changed her row but not yet
    committed when the sync's batch checks ownership: the batch must not write her once
    she is local (the per-row directory functions lock the row; the batches do not)."""
    alice = okta_user(LinkSource.SCIM, external_id="00u1", login_id="alice@corp.example",
                      first_name="Alice")  # fmt: skip
    taken, finish = threading.Event(), threading.Event()
    outcomes: list[str] = []

    def owner_takes_back() -> None:
        try:
            with transaction.atomic():
                directory.take_back(COMMAND, User.objects.get(pk=alice.pk), password="Pass-1234")
                taken.set()
                finish.wait(10)
        finally:
            connection.close()

    def sync_writes() -> None:
        taken.wait(10)
        try:
            SYNC_BATCHES[write](alice.pk)
            outcomes.append("written")
        except directory.Refused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=owner_takes_back), threading.Thread(target=sync_writes)]
    for thread in threads:
        thread.start()
    taken.wait(10)
    wait_until(lock_waits, seconds=5)  # the sync batch waits on her row
    finish.set()
    for thread in threads:
        thread.join()

    alice.refresh_from_db()
    assert alice.auth_provider == AuthProvider.QUERYPIE
    assert (alice.is_active, alice.first_name) == (True, "Alice"), outcomes
    assert not alice.links.exists(), "a sync link on a local account"
