"""Collection of every dataset from the fake Okta: what is stored, a 403 read as "not readable
with this token", one dataset's failure leaving the others collected, nothing written to Okta,
progress and history like the sync's."""

from __future__ import annotations

import pytest

from fake_okta.roles import forbid_role_reads
from okta_insights.collect.runs import CollectionAlreadyRunning, start_run
from okta_insights.models import (
    AdminRole,
    AppAssignment,
    AppGroupAssignment,
    CollectionRun,
    DatasetState,
    MfaFactor,
    OktaApp,
    OktaGroup,
    OktaUser,
    Readability,
    RunKind,
    RunStatus,
)
from querypie_admin.models import AuditEvent
from tests.okta_insights.fixtures import days_ago

pytestmark = pytest.mark.django_db


def test_a_collection_stores_users_groups_apps_assignments_roles_and_factors(org, collect):
    run = collect()

    assert run.status == RunStatus.SUCCEEDED, run.results
    assert set(run.results) == {
        "users",
        "groups",
        "applications",
        "admin_roles",
        "mfa_factors",
        "system_log",
    }
    ada = OktaUser.objects.get(okta_id=org.ada.id)
    assert (ada.login, ada.status, ada.last_login is not None) == (
        "ada@corp.example",
        "ACTIVE",
        True,
    )
    assert OktaGroup.objects.get(okta_id=org.it_admins.id).name == "IT Admins"
    slack = OktaApp.objects.get(okta_id=org.slack.id)
    assert (slack.label, slack.sign_on_mode) == ("Slack", "OPENID_CONNECT")
    assert (slack.users_count, slack.direct_count, slack.groups_count) == (3, 1, 1)
    reach = {a.login: (a.scope, a.group_name) for a in AppAssignment.objects.filter(app=slack)}
    assert reach == {
        "ada@corp.example": ("USER", ""),
        "alan@corp.example": ("GROUP", "Engineers"),
        "grace@corp.example": ("GROUP", "Engineers"),
    }
    assert AppGroupAssignment.objects.get(app=slack).group_okta_id == org.engineers.id
    roles = {
        (r.principal_okta_id, r.role_type, r.via_group_okta_id)
        for r in AdminRole.objects.filter(principal="user")
    }
    assert roles == {
        (org.ada.id, "SUPER_ADMIN", ""),
        (org.alan.id, "CUSTOM", ""),
        (org.alan.id, "READ_ONLY_ADMIN", org.it_admins.id),
        (org.margaret.id, "READ_ONLY_ADMIN", org.it_admins.id),
    }
    assert AdminRole.objects.get(principal="group").principal_okta_id == org.it_admins.id
    factors = {(f.user_okta_id, f.factor_type, f.status) for f in MfaFactor.objects.all()}
    assert factors == {(org.ada.id, "push", "ACTIVE"), (org.alan.id, "sms", "PENDING_ACTIVATION")}


def test_collection_only_ever_reads_from_okta(org, collect, connected):
    run = collect()

    # The fake answers GET only; anything else is refused before it is recorded, so every
    # request the client made was a GET if the fake recorded them all.
    assert len(connected.requests) == run.progress["requests"] > 0
    assert all(r.status == 200 for r in connected.requests)


def test_a_read_only_admin_token_reads_not_readable_and_the_rest_is_collected(
    org, collect, connected
):
    forbid_role_reads(connected.faults)

    run = collect()

    assert run.status == RunStatus.PARTIAL
    assert run.results["admin_roles"] == {
        "status": "not_readable",
        "seconds": 0.0,
        "error": "Not readable with this token",
    }
    assert run.results["mfa_factors"]["status"] == "skipped"
    assert "not readable with this token" in run.results["mfa_factors"]["error"]
    for name in ("users", "groups", "applications", "system_log"):
        assert run.results[name]["status"] == "collected"
    state = DatasetState.objects.get(dataset="admin_roles")
    assert state.readability == Readability.NOT_READABLE and state.collected_at is None
    assert not AdminRole.objects.exists()


def test_a_dataset_failing_midway_does_not_stop_the_others(org, collect, connected):
    connected.faults.fail_page("app_users", page=1, status=503, times=100)

    run = collect()

    assert run.status == RunStatus.PARTIAL
    assert run.results["applications"]["status"] == "failed"
    assert "HTTP 503" in run.results["applications"]["error"]
    for name in ("users", "groups", "admin_roles", "mfa_factors", "system_log"):
        assert run.results[name]["status"] == "collected", name
    assert DatasetState.objects.get(dataset="applications").readability == Readability.FAILED


def test_what_okta_no_longer_has_is_removed_by_the_next_collection(org, collect):
    collect()
    org.directory.unassign_group(org.engineers.id, app_id=org.slack.id)
    org.directory.delete_user(org.grace.id)

    collect()

    assert not OktaUser.objects.filter(okta_id=org.grace.id).exists()
    slack = OktaApp.objects.get(okta_id=org.slack.id)
    assert list(slack.assignments.values_list("login", flat=True)) == ["ada@corp.example"]
    assert not slack.group_assignments.exists() and slack.users_count == 1


def test_one_collection_per_lane_at_a_time(connected):
    start_run(RunKind.MANUAL, label="first")

    with pytest.raises(CollectionAlreadyRunning):
        start_run(RunKind.MANUAL, label="second")
    assert start_run(RunKind.SCHEDULED, lane="system_log", label="poll").lane == "system_log"


def test_a_finished_collection_is_in_the_history_and_the_audit_log(collect):
    run = collect()

    assert CollectionRun.objects.get() == run and run.progress["pages"] > 0
    assert [r["label"] for r in run.result_rows] == [
        "Users",
        "Groups",
        "Applications",
        "Admin roles",
        "MFA factors",
        "System Log",
    ]
    event = AuditEvent.objects.get(action="okta_insights.collection_finished")
    assert event.detail["status"] == "succeeded" and event.target_label.endswith(f"#{run.pk}")


def test_an_invalid_token_fails_every_dataset_with_okta_s_reason(org, collect, connected):
    connected.token = "another-token"  # the saved one is no longer valid

    run = collect()

    assert run.status == RunStatus.FAILED
    statuses = {name: result["status"] for name, result in run.results.items()}
    assert statuses.pop("mfa_factors") == "skipped"  # it needs the admin roles
    assert set(statuses.values()) == {"failed"}
    assert "invalid" in run.results["users"]["error"]


def test_an_assignment_shows_the_latest_sign_in_whenever_either_arrives(org, collect):
    org.sign_in(org.linus, org.github, days=2)  # before Linus is assigned to GitHub
    collect()
    org.directory.assign_user(org.linus.id, app_id=org.github.id)

    collect()
    org.sign_in(org.linus, org.github, days=1)
    collect("system_log")

    github = OktaApp.objects.get(okta_id=org.github.id)
    linus = github.assignments.get(user_okta_id=org.linus.id)
    assert abs((linus.last_sign_in - days_ago(1)).total_seconds()) < 60
    margaret = github.assignments.get(user_okta_id=org.margaret.id)
    assert margaret.last_sign_in is None


def test_a_sign_in_collected_before_the_assignment_is_found_by_it(org, collect):
    org.sign_in(org.linus, org.github, days=2)
    collect()
    org.directory.assign_user(org.linus.id, app_id=org.github.id)

    collect("applications")

    linus = AppAssignment.objects.get(user_okta_id=org.linus.id, app__okta_id=org.github.id)
    assert abs((linus.last_sign_in - days_ago(2)).total_seconds()) < 60
