"""Who reviews each item: a named user, the manager from Okta's profile (managerId or
manager, resolved by Okta id, login or email), the application's owner; the fallback for
items that resolve to nobody and for self-review."""

import pytest

from access_reviews.models import ApplicationOwner, ReviewerSource, Subject
from access_reviews.service.launch import LaunchError, launch
from okta_insights.models import OktaApp, OktaUser
from querypie_admin.models import AuditEvent
from tests.factories import UserFactory

from .conftest import campaign

OWNERS = "/administrator/access-reviews/application-owners/"


def reviewers(c) -> dict[str, tuple[str, str]]:
    return {
        login: (reviewer, reason)
        for login, reviewer, reason in c.items.values_list(
            "person_login", "reviewer__login_id", "reviewer_reason"
        )
    }


def test_nobody_reviews_their_own_access(collected, people):
    c = campaign(people, scope_okta_ids=[collected.slack.id], reviewer=people.ada)
    launch(c, people.owner)
    assert reviewers(c) == {
        "ada@corp.example": ("owner@corp.example", "fallback: self-review"),
        "alan@corp.example": ("ada@corp.example", "named"),
        "grace@corp.example": ("ada@corp.example", "named"),
    }


def test_a_fallback_who_would_review_themselves_stops_the_launch(collected, people):
    c = campaign(
        people,
        scope_okta_ids=[collected.slack.id],
        reviewer=people.ada,
        fallback_reviewer=people.ada,
    )
    with pytest.raises(LaunchError, match="fallback reviewer would review their own access"):
        launch(c, people.owner)
    c.refresh_from_db()
    assert c.status == "draft" and not c.items.exists()
    refused = AuditEvent.objects.get(action="access_review.launched")
    assert refused.outcome == "failure" and "Choose another fallback" in refused.detail["reason"]


def test_managers_come_from_okta_profiles_by_id_login_or_email(org, people, collect):
    d = org.directory
    d.update_user(org.alan.id, managerId=org.ada.id)  # an Okta id, linked to a console user
    d.update_user(org.grace.id, manager="MARGARET@corp.example")  # a login, any case
    margaret_email = UserFactory(login_id="m.h", email="mh@corp.example")
    d.update_user(org.ada.id, manager="mh@corp.example")  # an email
    d.update_user(org.margaret.id, managerId=org.linus.id)  # in Okta, not in the console
    collect()
    assert OktaUser.objects.get(okta_id=org.alan.id).manager_id == org.ada.id
    c = campaign(
        people,
        subject=Subject.ADMIN_ROLES,
        reviewer_source=ReviewerSource.MANAGER,
        reviewer=None,
    )
    launch(c, people.owner)
    assert reviewers(c) == {
        "ada@corp.example": (margaret_email.login_id, "manager"),
        "alan@corp.example": ("ada@corp.example", "manager"),
        "margaret@corp.example": (
            "owner@corp.example",
            "fallback: no manager in Okta's profile matches a console user",
        ),
    }


def test_a_manager_known_to_okta_by_login_only_is_found(org, people, collect):
    linus = UserFactory(login_id=org.linus.profile["login"])  # not linked to Okta
    org.directory.update_user(org.grace.id, managerId=org.linus.id)
    collect()
    c = campaign(
        people,
        scope_okta_ids=[org.slack.id],
        reviewer_source=ReviewerSource.MANAGER,
        reviewer=None,
    )
    launch(c, people.owner)
    assert reviewers(c)["grace@corp.example"] == (linus.login_id, "manager")


def test_an_inactive_manager_hands_over_to_the_fallback(org, people, collect):
    org.directory.update_user(org.grace.id, managerId=org.alan.id)
    collect()
    people.alan.is_active = False
    people.alan.save()
    c = campaign(people, scope_okta_ids=[org.slack.id], reviewer_source=ReviewerSource.MANAGER)
    launch(c, people.owner)
    assert reviewers(c)["grace@corp.example"] == (
        "owner@corp.example",
        "fallback: reviewer inactive",
    )


def test_application_owners_review_their_application(client, collected, people):
    client.force_login(people.owner)
    response = client.post(
        OWNERS, {"op": "save", "app": collected.slack.id, "owner": "alan@corp.example"}
    )
    assert response.status_code == 302
    assert ApplicationOwner.objects.get().owner == people.alan
    assert AuditEvent.objects.filter(action="access_review.app_owner_set").count() == 1
    c = campaign(people, reviewer_source=ReviewerSource.APP_OWNER, reviewer=None)
    launch(c, people.owner)
    assert reviewers(c) == {
        "ada@corp.example": ("alan@corp.example", "app_owner"),
        "alan@corp.example": ("owner@corp.example", "fallback: self-review"),
        "grace@corp.example": ("alan@corp.example", "app_owner"),
        "margaret@corp.example": ("owner@corp.example", "fallback: the application has no owner"),
    }
    page = client.get(OWNERS).content.decode()
    assert "Slack" in page and "alan@corp.example" in page


def test_application_owner_form_refuses_unknown_people_and_keeps_the_typing(
    client, collected, people
):
    client.force_login(people.owner)
    response = client.post(
        OWNERS, {"op": "save", "app": collected.slack.id, "owner": "ghost@corp.example"}
    )
    assert response.status_code == 400
    assert "No active console user has this login ID." in response.content.decode()
    assert 'value="ghost@corp.example"' in response.content.decode()
    assert not ApplicationOwner.objects.exists()


def test_application_owners_page_is_for_admins(client, collected, people):
    client.force_login(people.alan)
    assert client.get(OWNERS).status_code == 403
    response = client.post(
        OWNERS, {"op": "save", "app": collected.slack.id, "owner": "alan@corp.example"}
    )
    assert response.status_code == 403 and not ApplicationOwner.objects.exists()


def test_an_application_page_leads_to_setting_its_owner(client, collected, people):
    client.force_login(people.owner)
    slack = OktaApp.objects.get(okta_id=collected.slack.id)
    detail = client.get(f"/administrator/okta/applications/{slack.pk}/").content.decode()
    link = f"{OWNERS}?app={collected.slack.id}"
    assert f'href="{link}"' in detail
    form = client.get(link).context["form"]
    assert form["app"].value() == collected.slack.id
