"""Access reviews (issue 22), attacked with a reviewer's (User role) account and a System
Admin's password: items not assigned to you, closed or draft campaigns, self-review through
reassign, managers and application owners, the chain, an Owner demoted by a System Admin's
campaign. Each test says no; docs/SECURITY.md lists them."""

from datetime import date

import pytest
from django.test import Client

from access_reviews.models import (
    ApplicationOwner,
    Campaign,
    CampaignStatus,
    DecisionRecord,
    ReviewerSource,
    ReviewItem,
    Subject,
)
from access_reviews.service import campaigns, chain, selection
from access_reviews.service.launch import launch
from querypie_admin.models import AuditEvent, Role
from tests.access_reviews.test_campaigns import definition
from tests.factories import UserFactory

from .conftest import campaign, manager_campaign

MY = "/reviews/"
NEW = "/administrator/access-reviews/new/"
OWNERS = "/administrator/access-reviews/application-owners/"


def item_url(item: ReviewItem) -> str:
    return f"/reviews/items/{item.pk}/"


def campaign_url(c: Campaign) -> str:
    return f"/administrator/access-reviews/{c.pk}/"


@pytest.fixture
def slack_review(collected, people):
    """Slack's access (Ada, Alan, Grace), reviewed by the auditor."""
    c = campaign(people, scope_okta_ids=[collected.slack.id])
    launch(c, people.owner)
    return c


@pytest.fixture
def grace_review(collected, people):
    """Another campaign on Slack, reviewed by Margaret: the attacker's target."""
    c = campaign(people, name="Margaret's", scope_okta_ids=[collected.slack.id])
    c.reviewer = people.margaret
    c.save()
    launch(c, people.owner)
    return c


def nothing_decided() -> bool:
    return not DecisionRecord.objects.exists() and not ReviewItem.objects.exclude(decision="")


def test_a_reviewer_cannot_decide_another_reviewers_items_by_id_or_bulk(
    client, slack_review, grace_review, people
):
    client.force_login(people.auditor)
    theirs = grace_review.items.order_by("id").first()
    assert client.get(item_url(theirs)).status_code == 404
    assert client.post(item_url(theirs), {"decision": "keep", "comment": "x"}).status_code == 404
    # Bulk: the other campaign's id in the filters, then a fingerprint of its items.
    ids = list(grace_review.items.values_list("pk", flat=True))
    for op in ("preview", "confirm"):
        response = client.post(
            MY,
            {
                "campaign": grace_review.pk,
                "op": op,
                "bulk-decision": "revoke",
                "bulk-comment": "mine now",
                "bulk-selection": selection.fingerprint(ids),
            },
        )
        assert response.status_code == 302
    # The filters list only the reviewer's own campaigns and accesses.
    listed = client.get(MY, {"campaign": grace_review.pk}).context
    assert grace_review.pk not in [pk for pk, _ in listed["filters"].fields["campaign"].choices]
    assert nothing_decided()


def test_a_reviewer_cannot_decide_on_a_draft_or_closed_campaign(client, collected, people):
    draft = campaign(people, scope_okta_ids=[collected.slack.id])
    draft_item = ReviewItem.objects.create(
        campaign=draft,
        person_login="ada@corp.example",
        access_kind="app",
        access_id=collected.slack.id,
        access_label="Slack",
        reviewer=people.auditor,
    )
    client.force_login(people.auditor)
    response = client.post(item_url(draft_item), {"decision": "keep", "comment": "x"})
    assert response.status_code == 400 and "not active" in response.content.decode()
    closed = campaign(people, name="closed", scope_okta_ids=[collected.slack.id])
    launch(closed, people.owner)
    campaigns.close(closed, people.owner)
    item = closed.items.first()
    response = client.post(item_url(item), {"decision": "revoke", "comment": "late"})
    assert response.status_code == 400 and "not active" in response.content.decode()
    bulk = {"campaign": closed.pk, "op": "preview", "bulk-decision": "keep"}
    assert client.post(MY, bulk).status_code == 302
    assert nothing_decided()


def reassign(client, item, to, comment="ask them"):
    return client.post(
        item_url(item), {"decision": "reassign", "comment": comment, "reassign_to": to}
    )


def test_reassign_to_yourself_or_the_person_reviewed_is_refused(client, slack_review, people):
    client.force_login(people.auditor)
    alan = slack_review.items.get(person_login="alan@corp.example")
    assert reassign(client, alan, "auditor@corp.example").status_code == 400
    assert reassign(client, alan, "ALAN@corp.example").status_code == 400
    assert nothing_decided()


def test_a_reassign_loop_never_hands_the_person_their_own_item(client, slack_review, people):
    """The auditor hands Alan's item to Grace, Grace to Ada, Ada tries Alan: refused."""
    alan = slack_review.items.get(person_login="alan@corp.example")
    client.force_login(people.auditor)
    assert reassign(client, alan, "grace@corp.example").status_code == 302
    client.force_login(people.grace)
    assert reassign(client, alan, "ada@corp.example").status_code == 302
    client.force_login(people.ada)
    assert reassign(client, alan, "alan@corp.example").status_code == 400
    alan.refresh_from_db()
    assert alan.reviewer == people.ada and alan.decision == ""


def test_a_reviewer_cannot_keep_their_own_access_by_being_reassigned_it_in_bulk(
    client, slack_review, people
):
    """A bulk reassign whose selection contains the new reviewer's own item is refused whole."""
    client.force_login(people.auditor)
    ids = list(slack_review.items.values_list("pk", flat=True))
    response = client.post(
        MY,
        {
            "campaign": slack_review.pk,
            "op": "confirm",
            "bulk-decision": "reassign",
            "bulk-comment": "yours",
            "bulk-reassign_to": "grace@corp.example",
            "bulk-selection": selection.fingerprint(ids),
        },
    )
    assert response.status_code == 302
    assert not slack_review.items.filter(reviewer=people.grace).exists()
    assert nothing_decided()


def test_being_your_own_manager_in_okta_does_not_make_you_your_reviewer(org, people, collect):
    org.directory.update_user(org.alan.id, managerId=org.alan.id)
    collect()
    c = manager_campaign(people, org.slack.id)
    launch(c, people.owner)
    alan = c.items.get(person_login="alan@corp.example")
    assert (alan.reviewer, alan.reviewer_reason) == (people.owner, "fallback: self-review")


def test_owning_the_application_does_not_make_you_your_own_reviewer(collected, people):
    ApplicationOwner.objects.create(app_okta_id=collected.slack.id, owner=people.grace)
    c = campaign(people, reviewer_source=ReviewerSource.APP_OWNER, reviewer=None)
    launch(c, people.owner)
    grace = c.items.get(person_login="grace@corp.example", access_id=collected.slack.id)
    assert (grace.reviewer, grace.reviewer_reason) == (people.owner, "fallback: self-review")


def test_changing_application_owners_after_launch_does_not_reroute_frozen_items(
    client, collected, people, system_admin
):
    ApplicationOwner.objects.create(app_okta_id=collected.slack.id, owner=people.margaret)
    c = campaign(people, reviewer_source=ReviewerSource.APP_OWNER, reviewer=None)
    launch(c, people.owner)
    before = dict(c.items.values_list("pk", "reviewer_id"))
    client.force_login(system_admin)
    client.post(OWNERS, {"op": "save", "app": collected.slack.id, "owner": system_admin.login_id})
    assert dict(c.items.values_list("pk", "reviewer_id")) == before
    client.force_login(system_admin)
    assert client.get(MY).context["page"].paginator.count == 0


def test_an_edited_decision_breaks_the_chain(client, slack_review, people):
    client.force_login(people.auditor)
    ada = slack_review.items.get(person_login="ada@corp.example")
    client.post(item_url(ada), {"decision": "keep", "comment": "needed"})
    client.post(item_url(ada), {"decision": "revoke", "comment": "left"})
    first = DecisionRecord.objects.order_by("id").first()
    DecisionRecord.objects.filter(pk=first.pk).update(comment="approved by the CISO")
    check = chain.verify(slack_review.pk)
    assert not check.intact and check.broken_at == [first.pk]


def test_a_posted_decision_cannot_name_its_decider_or_time(client, slack_review, people):
    client.force_login(people.auditor)
    ada = slack_review.items.get(person_login="ada@corp.example")
    client.post(
        item_url(ada),
        {
            "decision": "keep",
            "comment": "ok",
            "decided_by": people.owner.pk,
            "decided_by_label": "owner@corp.example",
            "decided_at": "2020-01-01T00:00:00Z",
        },
    )
    record = DecisionRecord.objects.get()
    assert (record.decided_by, record.decided_by_label) == (people.auditor, people.auditor.login_id)
    assert record.decided_at.date() == date(2026, 3, 30)


def console_admins() -> dict:
    """The campaign form, reviewing the console's Owners and System Admins."""
    return definition(
        name="Console admins",
        subject="console_admins",
        reviewer="grace@corp.example",
        fallback_reviewer="sysadmin@corp.example",
    )


def test_a_system_admin_cannot_create_a_campaign_that_reviews_the_owners(
    client, people, system_admin
):
    client.force_login(system_admin)
    response = client.post(NEW, console_admins())
    assert response.status_code == 400
    assert "Only an Owner" in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_system_admin_cannot_launch_or_close_a_campaign_that_reviews_the_owners(
    client, people, system_admin
):
    c = campaign(people, subject=Subject.CONSOLE_ADMINS, reviewer=people.grace)
    client.force_login(system_admin)
    html = client.get(campaign_url(c)).content.decode()
    assert "Only an Owner can launch or close" in html and 'value="launch"' not in html
    for op in ("launch", "close"):
        assert client.post(campaign_url(c), {"op": op}).status_code == 403
    c.refresh_from_db()
    assert c.status == CampaignStatus.DRAFT and not c.items.exists()
    launch(c, people.owner)
    assert client.post(campaign_url(c), {"op": "close"}).status_code == 403
    c.refresh_from_db()
    assert c.status == CampaignStatus.ACTIVE
    refused = AuditEvent.objects.filter(action="console.owner_only_refused", outcome="failure")
    assert list(refused.values_list("actor_id", flat=True)) == [system_admin.pk] * 3


def test_an_owner_still_runs_a_console_admins_campaign(client, people, system_admin):
    client.force_login(people.owner)
    assert client.post(NEW, console_admins()).status_code == 302
    c = Campaign.objects.get()
    assert client.post(campaign_url(c), {"op": "launch"}).status_code == 302
    c.refresh_from_db()
    assert c.status == CampaignStatus.ACTIVE
    assert not AuditEvent.objects.filter(action="console.owner_only_refused").exists()
    assert sorted(c.items.values_list("person_login", flat=True)) == [
        "owner@corp.example",
        "sysadmin@corp.example",
    ]


def test_an_outside_or_script_next_is_not_followed(client, slack_review, people):
    client.force_login(people.auditor)
    ada = slack_review.items.get(person_login="ada@corp.example")
    for target in (
        "javascript:alert(1)",
        "//evil.example/",
        "/\\evil.example",
        "https://evil.example",
    ):
        response = client.post(item_url(ada), {"decision": "keep", "comment": "ok", "next": target})
        assert response["Location"] == MY, target


def test_my_reviews_forms_need_the_csrf_token(slack_review, people):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.auditor)
    ada = slack_review.items.get(person_login="ada@corp.example")
    assert browser.post(item_url(ada), {"decision": "keep"}).status_code == 403
    bulk = {"campaign": slack_review.pk, "op": "preview", "bulk-decision": "keep"}
    assert browser.post(MY, bulk).status_code == 403
    browser.force_login(people.owner)
    c = campaign(people, name="csrf")
    assert browser.post(campaign_url(c), {"op": "launch"}).status_code == 403
    assert browser.post(NEW, console_admins()).status_code == 403
    assert browser.post(OWNERS, {"op": "save"}).status_code == 403
    c.refresh_from_db()
    assert c.status == CampaignStatus.DRAFT and nothing_decided()


def test_a_user_role_account_is_refused_every_admin_page(client, slack_review, people):
    assert people.grace.role == Role.USER
    client.force_login(people.grace)
    for url in ("/administrator/access-reviews/", NEW, OWNERS, campaign_url(slack_review)):
        assert client.get(url).status_code == 403
    assert client.post(campaign_url(slack_review), {"op": "close"}).status_code == 403
    slack_review.refresh_from_db()
    assert slack_review.status == CampaignStatus.ACTIVE


def test_an_inactive_reviewer_is_signed_out_of_their_items(client, slack_review, people):
    client.force_login(people.auditor)
    people.auditor.is_active = False
    people.auditor.save()
    ada = slack_review.items.get(person_login="ada@corp.example")
    client.post(item_url(ada), {"decision": "keep", "comment": "still here"})
    assert nothing_decided()


def test_a_new_reviewer_account_sees_nothing(client, slack_review):
    stranger = UserFactory(login_id="stranger@corp.example")
    client.force_login(stranger)
    assert client.get(MY).context["page"].paginator.count == 0
