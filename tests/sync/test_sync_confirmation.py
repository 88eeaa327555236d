"""Confirmation is bound to the plan: a held run is confirmed once, within an hour, and the
confirming run writes only the destructive changes that were shown, or fewer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from querypie_admin.models import AuditEvent, AuthProvider, Group, User
from sync.models import DESTRUCTIVE, RunStatus, SyncRun

pytestmark = pytest.mark.django_db


def active_okta_logins() -> set[str]:
    users = User.objects.filter(auth_provider=AuthProvider.OKTA, is_active=True)
    return set(users.values_list("login_id", flat=True))


def pks(*logins: str) -> list[int]:
    return sorted(User.objects.filter(login_id__in=logins).values_list("pk", flat=True))


@pytest.fixture
def confirm(admin_client, eager_celery, django_capture_on_commit_callbacks):
    """Press "Confirm and synchronize" on a run's page; the worker runs in-process."""

    def press(run: SyncRun, client=admin_client):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("okta_sync_confirm", args=[run.pk]), follow=True)

    return press


def confirming_runs(held: SyncRun) -> list[SyncRun]:
    return list(SyncRun.objects.filter(confirms=held))


def test_the_guard_holds_a_run_with_the_changes_it_shows(admin_client, held):
    assert held.held_changes["users_deactivate"] == pks("ada@corp.example", "alan@corp.example")
    assert held.held_counts["users_deactivate"] == 2
    assert len(active_okta_logins()) == 5

    page = admin_client.get(reverse("okta_sync_run", args=[held.pk])).content.decode()

    assert "Held changes: 2 users deactivated" in page
    assert "Confirm and synchronize: deactivate 2 users" in page


def test_confirming_after_okta_shrank_further_stops_again_and_deactivates_nobody(
    admin_client, held, org, confirm
):
    org.directory.delete_user(org.grace.id)  # one more than the administrator was shown

    confirm(held)

    (again,) = confirming_runs(held)
    assert again.status == RunStatus.NEEDS_CONFIRMATION
    assert f"Okta changed since the plan confirmed in run #{held.pk}" in again.message
    assert "1 more user deactivated" in again.message
    assert len(active_okta_logins()) == 5  # nobody, Ada and Alan included, was deactivated
    assert again.held_changes["users_deactivate"] == pks(
        "ada@corp.example", "alan@corp.example", "grace@corp.example"
    )
    page = admin_client.get(reverse("okta_sync_run", args=[again.pk])).content.decode()
    assert "Confirm and synchronize: deactivate 3 users" in page  # the new plan is shown


def test_the_new_plan_shown_after_okta_changed_can_be_confirmed_in_turn(held, org, confirm):
    org.directory.delete_user(org.grace.id)
    confirm(held)
    (again,) = confirming_runs(held)

    confirm(again)

    (done,) = confirming_runs(again)
    assert done.status == RunStatus.SUCCEEDED
    assert active_okta_logins() == {"linus@corp.example", "outsider@corp.example"}


def test_a_group_deleted_in_okta_after_the_guard_stops_the_confirmation(held, org, confirm):
    org.directory.delete_group(org.finance.id)

    confirm(held)

    (again,) = confirming_runs(held)
    assert again.status == RunStatus.NEEDS_CONFIRMATION
    assert "1 more group deleted" in again.message
    assert Group.objects.filter(name="Finance").exists()
    assert len(active_okta_logins()) == 5


def test_confirming_an_unchanged_okta_writes_exactly_the_shown_changes(held, confirm, owner):
    confirm(held)

    (done,) = confirming_runs(held)
    assert done.status == RunStatus.SUCCEEDED
    assert {kind: done.counts[kind] for kind in DESTRUCTIVE} == held.held_counts
    assert active_okta_logins() == {"grace@corp.example", "linus@corp.example",
                                    "outsider@corp.example"}  # fmt: skip
    held.refresh_from_db()
    assert held.confirmed_by == owner and held.confirmed_at is not None
    event = AuditEvent.objects.get(action="okta_sync.run_confirmed")
    assert event.actor == owner and event.detail["held_run"] == held.pk
    assert event.detail["confirming_run"] == done.pk


def test_confirming_after_okta_shrank_back_writes_only_what_is_still_asked(held, org, confirm):
    org.directory.unsuspend_user(org.alan.id)

    confirm(held)

    (done,) = confirming_runs(held)
    assert done.status == RunStatus.SUCCEEDED
    assert done.counts["users_deactivate"] == 1
    assert "alan@corp.example" in active_okta_logins()
    assert "ada@corp.example" not in active_okta_logins()


def test_a_held_run_can_be_confirmed_only_once(held, confirm):
    confirm(held)

    page = confirm(held).content.decode()

    assert "already confirmed by owner@corp.example" in page
    assert len(confirming_runs(held)) == 1
    confirmations = AuditEvent.objects.filter(action="okta_sync.run_confirmed")
    assert list(confirmations.order_by("id").values_list("outcome", flat=True)) == [
        "success",
        "failure",
    ]


def test_a_held_run_older_than_an_hour_cannot_be_confirmed(held, confirm):
    SyncRun.objects.filter(pk=held.pk).update(finished_at=held.finished_at - timedelta(minutes=61))

    page = confirm(held).content.decode()

    assert "This plan is more than an hour old: run Synchronize again" in page
    assert confirming_runs(held) == [] and len(active_okta_logins()) == 5
    held.refresh_from_db()
    assert held.confirmed_at is None


def test_only_the_newest_held_run_can_be_confirmed(held, run_sync, confirm):
    newer = run_sync()
    assert newer.status == RunStatus.NEEDS_CONFIRMATION

    page = confirm(held).content.decode()

    assert f"A newer synchronization (#{newer.pk}) replaced this plan" in page
    assert confirming_runs(held) == [] and len(active_okta_logins()) == 5


def test_a_system_admin_can_confirm(held, client, system_admin, confirm):
    client.force_login(system_admin)

    confirm(held, client)

    held.refresh_from_db()
    assert held.confirmed_by == system_admin
    assert "ada@corp.example" not in active_okta_logins()


def test_a_user_role_account_gets_403_and_confirms_nothing(held, client, plain_user, confirm):
    client.force_login(plain_user)

    assert confirm(held, client).status_code == 403

    held.refresh_from_db()
    assert held.confirmed_at is None and confirming_runs(held) == []
    assert len(active_okta_logins()) == 5


def test_run_page_and_history_say_who_confirmed_and_link_the_runs(admin_client, held, confirm):
    confirm(held)
    (done,) = confirming_runs(held)

    page = admin_client.get(reverse("okta_sync_run", args=[held.pk])).content.decode()
    history = admin_client.get(reverse("okta_sync_history")).content.decode()
    done_page = admin_client.get(reverse("okta_sync_run", args=[done.pk])).content.decode()

    assert "Confirmed by owner@corp.example at" in page and f"run #{done.pk}" in page
    assert "Confirm and synchronize:" not in page
    assert "Held: 2 users deactivated" in history and "confirmed by owner@corp.example" in history
    assert f"Confirms #{held.pk}" in history
    assert "Confirms the plan held in" in done_page and f"run #{held.pk}" in done_page
