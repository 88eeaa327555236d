"""Campaigns over HTTP: the definition form, Launch (items frozen with how they are granted,
last sign-in and risk flags), Close early, Extend, progress, and who may do what."""

import socket
from datetime import date

import pytest
from django.core import mail

from access_reviews.models import Campaign, CampaignStatus, Decision, ReviewItem, Subject
from access_reviews.service import decisions
from access_reviews.service.launch import launch
from querypie_admin.models import AuditEvent

from .conftest import campaign

NEW = "/administrator/access-reviews/new/"


def page(pk: int) -> str:
    return f"/administrator/access-reviews/{pk}/"


def definition(**overrides) -> dict:
    data = {
        "name": "Q2 Slack review",
        "subject": "app_access",
        "starts_on": "2026-03-30",
        "due_on": "2026-04-15",
        "reviewer_source": "named",
        "reviewer": "auditor@corp.example",
        "fallback_reviewer": "owner@corp.example",
        "recurrence": "once",
        "remediation_timing": "at_close",
        "guard_percent": "20",
    }
    return data | overrides


def rows(c: Campaign) -> list[tuple]:
    return sorted(
        c.items.values_list("person_login", "access_label", "granted_via", "via_group_name")
    )


def test_owner_defines_a_campaign_on_collected_applications(client, collected, people):
    client.force_login(people.owner)
    form = client.get(NEW)
    assert "Slack" in form.content.decode() and "Engineers" in form.content.decode()
    assert form.context["form"]["guard_percent"].value() == 20
    response = client.post(NEW, definition(scope_apps=[collected.slack.id]))
    c = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == page(c.pk)
    assert (c.status, c.scope_okta_ids, c.reviewer, c.fallback_reviewer) == (
        CampaignStatus.DRAFT,
        [collected.slack.id],
        people.auditor,
        people.owner,
    )
    assert AuditEvent.objects.filter(action="access_review.campaign_created").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"due_on": "2026-03-30"}, "due_on", "The due date must be after the start date."),
        ({"reviewer": ""}, "reviewer", "Name the console user who reviews."),
        ({"reviewer": "nobody@corp.example"}, "reviewer", "No active console user"),
        ({"subject": "admin_roles", "reviewer_source": "app_owner"}, "reviewer_source", "owners"),
        ({"guard_percent": "0"}, "guard_percent", "greater than or equal to 1"),
    ],
)
def test_a_bad_definition_is_refused_and_keeps_what_was_typed(
    client, people, overrides, field, message
):
    client.force_login(people.owner)
    response = client.post(NEW, definition(name="Typed name", **overrides))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert 'value="Typed name"' in response.content.decode()
    assert not Campaign.objects.exists()


def test_launch_freezes_who_can_reach_the_app_and_how(client, collected, people, collect):
    c = campaign(people, scope_okta_ids=[collected.slack.id])
    client.force_login(people.owner)
    response = client.post(page(c.pk), {"op": "launch"})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.status == CampaignStatus.ACTIVE and c.launched_at is not None
    frozen = [
        ("ada@corp.example", "Slack", "direct", ""),
        ("alan@corp.example", "Slack", "group", "Engineers"),
        ("grace@corp.example", "Slack", "group", "Engineers"),
    ]
    assert rows(c) == frozen
    # Okta changes: Ada loses Slack, Linus gains it, Engineers leave it; collected again.
    d = collected.directory
    d.unassign_user(collected.ada.id, app_id=collected.slack.id)
    d.unassign_group(collected.engineers.id, app_id=collected.slack.id)
    d.assign_user(collected.linus.id, app_id=collected.slack.id)
    collect()
    assert rows(Campaign.objects.get(pk=c.pk)) == frozen
    assert AuditEvent.objects.filter(action="access_review.launched").count() == 1


def test_items_carry_last_sign_in_and_risk_flags(collected, people, collect):
    collected.sign_in(collected.ada, collected.slack, days=2)
    collected.sign_in(collected.alan, collected.slack, days=120)
    collect()
    c = campaign(people, scope_okta_ids=[collected.slack.id])

    launch(c, people.owner)
    flags = dict(c.items.values_list("person_login", "flags"))
    assert flags == {
        "ada@corp.example": [],
        "alan@corp.example": ["no_sign_in_for_90_days", "admin_without_mfa"],
        "grace@corp.example": ["never_signed_in"],
    }
    assert c.items.get(person_login="ada@corp.example").last_sign_in.date() == date(2026, 3, 28)


def test_filters_keep_only_matching_items(collected, people):
    c = campaign(people, subject=Subject.ADMIN_ROLES, only_admins_without_mfa=True)
    launch(c, people.owner)
    # Alan's factor is pending, Margaret has none (her role comes through IT Admins); Ada
    # has an active push factor.
    assert rows(c) == [
        ("alan@corp.example", "App Auditor", "direct", ""),
        ("alan@corp.example", "Read Only Administrator", "group", "IT Admins"),
        ("margaret@corp.example", "Read Only Administrator", "group", "IT Admins"),
    ]


def test_console_admins_are_reviewed_with_their_console_role(people):
    c = campaign(people, subject=Subject.CONSOLE_ADMINS, fallback_reviewer=people.auditor)
    launch(c, people.owner)
    assert list(c.items.values_list("person_login", "access_label", "person")) == [
        ("owner@corp.example", "Owner", people.owner.pk)
    ]


def test_reviewers_are_emailed_at_launch(client, collected, people):
    c = campaign(people, scope_okta_ids=[collected.slack.id])
    client.force_login(people.owner)
    client.post(page(c.pk), {"op": "launch"})
    assert [m.to for m in mail.outbox] == [["auditor@corp.example"]]
    assert "3 items to review" in mail.outbox[0].subject
    assert f"http://testserver/reviews/?campaign={c.pk}" in mail.outbox[0].body


def test_launching_twice_freezes_once(client, collected, people):
    c = campaign(people, scope_okta_ids=[collected.slack.id])
    client.force_login(people.owner)
    client.post(page(c.pk), {"op": "launch"})
    response = client.post(page(c.pk), {"op": "launch"}, follow=True)
    assert "already launched" in response.content.decode()
    assert c.items.count() == 3


def test_progress_per_reviewer_overdue_and_items_left(client, collected, people):
    c = campaign(people, scope_okta_ids=[collected.slack.id], due_on=date(2026, 3, 29))
    Campaign.objects.filter(pk=c.pk).update(starts_on=date(2026, 3, 1))
    launch(c, people.owner)
    ada = c.items.get(person_login="ada@corp.example")
    decisions.decide(ada, people.auditor, Decision.KEEP, "Needs it")
    client.force_login(people.owner)
    response = client.get(page(c.pk))
    progress = response.context["progress"]
    assert [(r.login, r.total, r.decided, r.overdue) for r in progress.reviewers] == [
        ("auditor@corp.example", 3, 1, True)
    ]
    assert (progress.left, progress.percent) == (2, 33)
    assert "Overdue reviewers: auditor@corp.example (2 left)" in response.content.decode()


def test_close_early_plans_remediation_and_records_who(client, collected, people):
    c = campaign(people, scope_okta_ids=[collected.slack.id])
    launch(c, people.owner)
    client.force_login(people.owner)
    client.post(page(c.pk), {"op": "close"})
    c.refresh_from_db()
    assert (c.status, c.closed_by) == (CampaignStatus.CLOSED, people.owner)
    event = AuditEvent.objects.get(action="access_review.closed")
    assert event.detail == {"early": True, "undecided": 3}
    item = c.items.first()
    with pytest.raises(decisions.DecisionError, match="not active"):
        decisions.decide(item, people.auditor, Decision.KEEP)


def test_extend_moves_the_due_date_later_only(client, collected, people):
    c = campaign(people, scope_okta_ids=[collected.slack.id])
    launch(c, people.owner)
    client.force_login(people.owner)
    client.post(page(c.pk), {"op": "extend", "due_on": "2026-04-05"}, follow=True)
    c.refresh_from_db()
    assert c.due_on == date(2026, 4, 10)
    client.post(page(c.pk), {"op": "extend", "due_on": "2026-04-30"})
    c.refresh_from_db()
    assert c.due_on == date(2026, 4, 30)
    assert AuditEvent.objects.get(action="access_review.extended").detail == {
        "from": "2026-04-10",
        "to": "2026-04-30",
    }


def test_a_bad_extend_date_is_a_clear_error(client, collected, people):
    c = campaign(people, scope_okta_ids=[collected.slack.id])
    launch(c, people.owner)
    client.force_login(people.owner)
    response = client.post(page(c.pk), {"op": "extend", "due_on": "not a date"})
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()


@pytest.mark.parametrize("who", ["plain", "reviewer"])
def test_campaign_pages_are_for_owner_and_system_admin(client, collected, people, who):
    c = campaign(people, scope_okta_ids=[collected.slack.id])
    client.force_login(people.auditor if who == "reviewer" else people.grace)
    for url in ("/administrator/access-reviews/", NEW, page(c.pk)):
        assert client.get(url).status_code == 403
    assert client.post(page(c.pk), {"op": "launch"}).status_code == 403
    assert client.post(NEW, definition()).status_code == 403
    c.refresh_from_db()
    assert c.status == CampaignStatus.DRAFT and Campaign.objects.count() == 1
    assert not ReviewItem.objects.exists()


def test_a_system_admin_runs_campaigns(client, collected, people, system_admin):
    c = campaign(people, scope_okta_ids=[collected.slack.id])
    client.force_login(system_admin)
    assert client.post(page(c.pk), {"op": "launch"}).status_code == 302
    assert client.post(page(c.pk), {"op": "close"}).status_code == 302
    c.refresh_from_db()
    assert (c.status, c.closed_by) == (CampaignStatus.CLOSED, system_admin)


def test_an_unreachable_mail_server_does_not_stop_the_launch(
    client, collected, people, settings, caplog
):
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    c = campaign(people, scope_okta_ids=[collected.slack.id])
    client.force_login(people.owner)
    response = client.post(page(c.pk), {"op": "launch"}, follow=True)
    assert "Launched: 3 items frozen" in response.content.decode()
    assert "emails not sent" in caplog.text
