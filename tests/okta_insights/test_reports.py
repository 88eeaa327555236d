"""Each access review report equals what the fake Okta's data says, and a report whose data
the token cannot read says so instead of showing nobody."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fake_okta.roles import forbid_role_reads
from okta_insights.models import CollectionSettings, OktaApp
from okta_insights.reports.catalog import REPORTS
from okta_insights.reports.labels import ACTIVE_STATUSES

pytestmark = pytest.mark.django_db


def report(slug: str, **params) -> tuple[list[dict], object]:
    chosen = REPORTS[slug]
    form = chosen.bound_form({k: str(v) for k, v in params.items()})
    assert form.is_valid(), form.errors
    outcome = chosen.run(form.cleaned_data)
    return [chosen.row(item) for item in outcome.rows], outcome


def when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def test_stale_accounts_are_the_active_okta_users_without_a_recent_sign_in(org, collect):
    collect()
    cutoff = datetime.now(UTC) - timedelta(days=90)
    expected = sorted(
        u.profile["login"]
        for u in org.directory.users.values()
        if u.status in ACTIVE_STATUSES and (when(u.last_login) or when(u.created)) < cutoff
    )

    rows, _ = report("stale-accounts")

    assert (
        sorted(r["login"] for r in rows) == expected == ["grace@corp.example", "linus@corp.example"]
    )
    assert [r["login"] for r in rows][0] == "linus@corp.example"  # never signed in first
    assert [r["login"] for r in report("stale-accounts", days=5)[0]] == [
        "linus@corp.example",
        "grace@corp.example",
        "alan@corp.example",
    ]


def test_admins_without_mfa_are_the_role_holders_without_an_active_factor(org, collect):
    collect()
    roles = org.directory.admin_roles
    admins = {uid for uid in roles.assignee_ids() if roles.roles_of_user(uid)}
    expected = sorted(
        org.directory.users[uid].profile["login"]
        for uid in admins
        if not any(f.status == "ACTIVE" for f in roles.factors.get(uid, []))
    )

    rows, _ = report("admins-without-mfa")

    assert [r["login"] for r in rows] == expected == ["alan@corp.example", "margaret@corp.example"]
    alan = rows[0]
    assert alan["roles"] == "App Auditor (custom role), Read-Only Administrator"
    assert alan["factors"] == "sms (PENDING_ACTIVATION)"


def test_super_admins_directly_or_through_a_group_with_the_warning_above_the_count(org, collect):
    org.directory.admin_roles.grant_group(org.engineers.id, "SUPER_ADMIN")
    collect()
    CollectionSettings.objects.filter(pk=1).update(super_admin_warning=2)

    rows, outcome = report("super-admins")

    assert [(r["login"], r["how"]) for r in rows] == [
        ("ada@corp.example", "Directly; Through group Engineers"),
        ("alan@corp.example", "Through group Engineers"),
        ("grace@corp.example", "Through group Engineers"),
    ]
    assert outcome.warning.startswith("3 people are super admins, more than the 2 you set")


def test_who_can_reach_an_application_directly_or_through_which_group(org, collect):
    org.sign_in(org.alan, org.slack, days=2)
    collect()
    slack = OktaApp.objects.get(okta_id=org.slack.id)

    rows, _ = report("app-access", app=slack.pk)

    assert [(r["login"], r["how"], r["last_sign_in"] is not None) for r in rows] == [
        ("ada@corp.example", "Directly", False),
        ("alan@corp.example", "Through group Engineers", True),
        ("grace@corp.example", "Through group Engineers", False),
    ]


def test_unused_assignments_are_those_without_a_sign_in_to_the_app_in_n_days(org, collect):
    org.sign_in(org.ada, org.slack, days=1)
    org.sign_in(org.margaret, org.github, days=5)
    org.sign_in(org.margaret)  # a sign-in to Okta is not a sign-in to GitHub
    collect()

    rows, outcome = report("unused-assignments", days=3)

    assert [(r["app"], r["login"]) for r in rows] == [
        ("GitHub", "margaret@corp.example"),
        ("Slack", "alan@corp.example"),
        ("Slack", "grace@corp.example"),
    ]
    assert [r["login"] for r in report("unused-assignments", days=7)[0]] == [
        "alan@corp.example",
        "grace@corp.example",
    ]
    assert outcome.notes == []  # the log covers the whole 3 days


def test_privilege_changes_list_roles_granted_and_removed_from_the_system_log(org, collect):
    collect()

    rows, _ = report("privilege-changes")

    assert [(r["change"], r["role"], r["target"], r["actor"]) for r in rows] == [
        ("Removed", "Help Desk Administrator", "grace@corp.example", "ada@corp.example"),
        ("Granted", "Help Desk Administrator", "grace@corp.example", "ada@corp.example"),
        ("Granted", "Read only admin", "IT Admins", "ada@corp.example"),
        ("Granted", "App Auditor", "alan@corp.example", "ada@corp.example"),
        ("Granted", "Super administrator", "ada@corp.example", "Okta"),
    ]
    past = datetime.now(UTC).date() - timedelta(days=40)
    assert report("privilege-changes", since=past, until=past)[0] == []


@pytest.mark.parametrize("slug", ["admins-without-mfa", "super-admins"])
def test_a_report_the_token_cannot_read_says_not_readable_never_none(org, collect, connected, slug):
    forbid_role_reads(connected.faults)
    collect()

    rows, outcome = report(slug)

    assert rows == [] and not outcome.readable
    assert "Admin roles: not readable with this token." in outcome.notes
