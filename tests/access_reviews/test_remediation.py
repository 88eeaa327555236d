"""Remediation over HTTP with the fake Okta: the plan made at close or at once, its dry run,
the calls made (counted in the fake's request log), the guard's second confirmation, the
Owner rule for demoting a console admin, a failed call kept and retried, the CSV of manual
tasks without a write token, and verification after the next collection."""

import pytest

from access_reviews.models import AccessKind, Remediation, RemediationTiming
from access_reviews.models import RemediationStatus as Status
from access_reviews.service import campaigns, execution, remediation, verification
from access_reviews.service.decisions import decide as decide_for_real
from access_reviews.service.decisions import decide_many
from access_reviews.tasks import execute_remediations
from querypie_admin.models import AuditEvent, Role, RoleMapping
from querypie_admin.roles import OwnerRequired
from tests.factories import UserFactory

from .remediation_fixtures import (
    active_campaign,
    decide,
    deletes,
    item,
    save_write_token,
    slack_items,
    super_admin_item,
)


@pytest.fixture
def review(collected, people):
    """Slack's three people and Ada's Super Administrator role; the guard at 100%."""
    c = active_campaign(people, guard_percent=100)
    items = slack_items(c, people, collected) | {"role": super_admin_item(c, people, collected)}
    return c, items


def status_of(it) -> str:
    return Remediation.objects.get(item=it).status


def test_closing_plans_each_revocation_and_the_confirmed_plan_makes_those_calls(
    review, people, connected, collected
):
    c, items = review
    save_write_token()
    for name in ("ada", "alan", "role"):
        decide(items[name], people)
    decide(items["grace"], people, "keep", "")
    campaigns.close(c, people.owner)

    plan = remediation.dry_run(c)
    assert sorted(call.call for call in plan.calls) == sorted(
        [
            f"DELETE /api/v1/apps/{collected.slack.id}/users/{collected.ada.id}",
            f"DELETE /api/v1/groups/{collected.engineers.id}/users/{collected.alan.id}",
            f"DELETE /api/v1/users/{collected.ada.id}/roles/{items['role'].assignment_id}",
        ]
    )
    via_group = next(call for call in plan.calls if call.row.item == items["alan"])
    assert via_group.also_removes == ["App: Slack"]  # what else Engineers grants
    assert deletes(connected) == {
        "remove_app_user": 0,
        "remove_group_member": 0,
        "unassign_user_role": 0,
    }

    confirmed = remediation.confirm(c, people.owner)
    assert execute_remediations(confirmed.queued) == {"done": 3, "failed": 0}
    assert deletes(connected) == {
        "remove_app_user": 1,
        "remove_group_member": 1,
        "unassign_user_role": 1,
    }
    directory = collected.directory
    assert collected.ada.id not in directory.app_users[collected.slack.id]
    assert collected.alan.id not in directory.groups[collected.engineers.id].members
    assert {status_of(items[n]) for n in ("ada", "alan", "role")} == {Status.DONE}
    calls = AuditEvent.objects.filter(action="access_review.remediation_called")
    assert calls.count() == 3


def test_at_once_a_revocation_is_planned_with_its_decision(review, people, connected):
    c, items = review
    c.remediation_timing = RemediationTiming.AT_ONCE
    c.save()
    decide_for_real(items["ada"], people.auditor, "revoke", "left the team")
    assert status_of(items["ada"]) == Status.MANUAL  # no write token saved: a manual task


def test_at_once_a_bulk_revocation_is_planned_in_one_go(review, people, connected):
    c, items = review
    c.remediation_timing = RemediationTiming.AT_ONCE
    c.save()
    save_write_token()
    ids = [items[n].pk for n in ("ada", "alan", "grace")]
    decide_many(c, people.auditor, ids, "revoke", "contractors left")
    assert Remediation.objects.filter(item_id__in=ids, status=Status.PLANNED).count() == 3
    assert AuditEvent.objects.filter(action="access_review.remediation_planned").count() == 1


def test_a_plan_over_the_guard_is_held_until_its_count_is_typed(review, people, connected):
    c, items = review
    c.guard_percent = 50
    c.save()
    save_write_token()
    for name in ("ada", "alan", "grace"):  # all of Slack's three people
        decide(items[name], people)
    campaigns.close(c, people.owner)

    plan = remediation.dry_run(c)
    assert plan.guarded_apps == {"Slack": (3, 3)} and plan.guarded_count == 3
    first = remediation.confirm(c, people.owner)
    assert (first.queued, first.held) == ([], 3)
    assert {status_of(items[n]) for n in ("ada", "alan", "grace")} == {Status.HELD}
    with pytest.raises(remediation.RemediationError, match="Type 3"):
        remediation.confirm(c, people.owner, typed_count="2")
    assert {status_of(items[n]) for n in ("ada", "alan", "grace")} == {Status.HELD}

    second = remediation.confirm(c, people.owner, typed_count="3")
    assert len(second.queued) == 3 and second.held == 0
    execute_remediations(second.queued)
    assert deletes(connected)["remove_app_user"] == 1
    assert deletes(connected)["remove_group_member"] == 2


def test_demoting_a_console_admin_needs_an_owner(collected, people):
    c = active_campaign(people)
    admin = UserFactory(login_id="sysadmin@corp.example", role=Role.SYSTEM_ADMIN)
    it = item(c, people, collected.alan, AccessKind.CONSOLE_ROLE, "system_admin", "System Admin")
    it.person = people.alan
    it.save()
    people.alan.role = Role.SYSTEM_ADMIN
    people.alan.save()
    decide(it, people)
    campaigns.close(c, people.owner)

    with pytest.raises(OwnerRequired):
        remediation.confirm(c, admin)
    confirmed = remediation.confirm(c, people.owner)
    execute_remediations(confirmed.queued)
    people.alan.refresh_from_db()
    assert people.alan.role == Role.USER
    assert status_of(it) == Status.VERIFIED


def test_removing_an_owner_from_a_mapped_group_needs_an_owner(review, people, connected):
    """A System Admin's campaign must not take an Owner's role through Okta: removing the
    Owner from a group a role mapping names would demote them at the next sync or hook."""
    c, items = review
    save_write_token()
    alan = items["alan"]  # on Slack through Engineers
    RoleMapping.objects.create(okta_group_id=alan.via_group_okta_id, role=Role.OWNER)
    people.alan.role = Role.OWNER
    people.alan.save()
    admin = UserFactory(login_id="sysadmin@corp.example", role=Role.SYSTEM_ADMIN)
    decide(alan, people)
    campaigns.close(c, people.owner)

    assert remediation.dry_run(c).needs_owner
    with pytest.raises(OwnerRequired):
        remediation.confirm(c, admin)
    assert deletes(connected)["remove_group_member"] == 0
    assert remediation.confirm(c, people.owner).queued


def test_a_failed_call_keeps_oktas_error_and_is_retried(review, people, connected):
    c, items = review
    save_write_token()
    decide(items["ada"], people)
    campaigns.close(c, people.owner)
    connected.faults.fail_page("remove_app_user", status=500)

    confirmed = remediation.confirm(c, people.owner)
    assert execute_remediations(confirmed.queued) == {"done": 0, "failed": 1}
    row = Remediation.objects.get(item=items["ada"])
    assert row.status == Status.FAILED and row.okta_error.startswith("500 E0000009")
    assert AuditEvent.objects.filter(action="access_review.remediation_failed").count() == 1

    execution.retry(row, people.owner)
    assert execute_remediations([row.pk]) == {"done": 1, "failed": 0}
    row.refresh_from_db()
    assert (row.status, row.attempts, row.okta_error) == (Status.DONE, 2, "")
    assert [r.status for r in connected.requests_to("remove_app_user")] == [500, 204]
    with pytest.raises(remediation.RemediationError):
        execution.retry(row, people.owner)


def test_a_read_only_token_saved_as_write_token_fails_with_oktas_403(review, people, connected):
    c, items = review
    save_write_token(connected.token)
    decide(items["role"], people)
    campaigns.close(c, people.owner)
    execute_remediations(remediation.confirm(c, people.owner).queued)
    row = Remediation.objects.get(item=items["role"])
    assert row.status == Status.FAILED and "E0000006" in row.okta_error


def test_without_a_write_token_the_plan_is_a_csv_of_manual_tasks(review, people, connected):
    c, items = review
    decide(items["ada"], people)
    decide(items["alan"], people)
    campaigns.close(c, people.owner)

    lines = execution.manual_csv(c).splitlines()
    assert lines[0] == "task,person,access,how granted,what to do,status"
    assert len(lines) == 3
    assert "ada@corp.example,Slack,direct,Remove the app assignment in Okta" in lines[1]
    assert "alan@corp.example,Slack,through group Engineers,Remove from the Okta group" in lines[2]
    assert lines[1].endswith("Manual task open")

    row = Remediation.objects.get(item=items["ada"])
    execution.mark_done(row, people.owner)
    assert status_of(items["ada"]) == Status.MANUAL_DONE
    assert AuditEvent.objects.filter(action="access_review.manual_done").count() == 1
    assert sum(deletes(connected).values()) == 0


def test_the_next_collection_verifies_each_removal(review, people, connected, collected, collect):
    c, items = review
    save_write_token()
    for name in ("ada", "alan", "role"):
        decide(items[name], people)
    campaigns.close(c, people.owner)
    execute_remediations(remediation.confirm(c, people.owner).queued)
    # Someone puts Alan back in Engineers in Okta before the next collection.
    collected.directory.add_member(collected.engineers.id, collected.alan.id)

    collect()

    assert status_of(items["ada"]) == Status.VERIFIED
    assert status_of(items["role"]) == Status.VERIFIED
    assert status_of(items["alan"]) == Status.STILL_PRESENT
    assert Status.VERIFIED.label == "Removed, verified in Okta"
    assert AuditEvent.objects.filter(action="access_review.still_present").count() == 1
    # Removed again by hand: the next collection verifies it after all.
    collected.directory.remove_member(collected.engineers.id, collected.alan.id)
    assert verification.verify([]) == {"verified": 1, "still_present": 0}
    assert status_of(items["alan"]) == Status.VERIFIED
