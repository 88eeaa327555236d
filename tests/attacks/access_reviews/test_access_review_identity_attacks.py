"""Access reviews (issue 22): self-review through identities an attacker can shape with a
SCIM token or Okta's profile (a second console account claiming your Okta id, a manager
field naming you). Each test says no; docs/SECURITY.md lists them."""

from access_reviews.service.launch import launch
from querypie_admin.models import LinkSource, User
from tests.factories import okta_user
from tests.scim.conftest import user_body

from .conftest import campaign, manager_campaign


def test_a_scim_account_claiming_your_okta_id_does_not_let_you_review_yourself(
    scim, collected, people
):
    """Ada reviews Slack; a SCIM push of another userName with Ada's Okta id as its
    externalId tries to make a second account that Ada's own item would name as the person.
    (SCIM links it to Ada's account instead.) Ada still never reviews her own access."""
    response = scim.post("/Users", user_body("decoy@corp.example", externalId=collected.ada.id))
    assert response.status_code == 201
    claiming = User.objects.filter(links__external_id=collected.ada.id).distinct()
    c = campaign(people, scope_okta_ids=[collected.slack.id], reviewer=people.ada)
    launch(c, people.owner)
    ada_item = c.items.get(person_login="ada@corp.example")
    assert (ada_item.reviewer, ada_item.reviewer_reason) == (people.owner, "fallback: self-review")
    assert ada_item.reviewer_id not in claiming.values_list("pk", flat=True)


def test_a_scim_account_claiming_a_managers_okta_id_does_not_become_the_reviewer(
    scim, org, people, collect
):
    """Alan's manager in Okta is Ada; a SCIM push creates an account with Ada's Okta id as
    its externalId: Alan's item still goes to Ada, the account Okta's sync linked."""
    org.directory.update_user(org.alan.id, managerId=org.ada.id)
    collect()
    scim.post("/Users", user_body("decoy@corp.example", externalId=org.ada.id))
    c = manager_campaign(people, org.slack.id)
    launch(c, people.owner)
    alan = c.items.get(person_login="alan@corp.example")
    assert (alan.reviewer, alan.reviewer_reason) == (people.ada, "manager")


def test_a_manager_field_naming_you_by_login_does_not_make_you_your_own_reviewer(
    org, people, collect
):
    """Grace writes her own login, in other case and with spaces, as her manager."""
    org.directory.update_user(org.grace.id, manager="  GRACE@corp.example ")
    collect()
    c = manager_campaign(people, org.slack.id)
    launch(c, people.owner)
    grace = c.items.get(person_login="grace@corp.example")
    assert (grace.reviewer, grace.reviewer_reason) == (people.owner, "fallback: self-review")


def test_a_person_without_an_account_at_launch_cannot_be_handed_their_own_item(
    client, org, people, collect
):
    """Linus had no console account at launch; the sync creates one later. Reassigning his
    item to that account, by its login or another login linked to his Okta id, is refused."""
    org.directory.assign_user(org.linus.id, app_id=org.slack.id)
    collect()
    c = campaign(people, scope_okta_ids=[org.slack.id])
    launch(c, people.owner)
    item = c.items.get(person_login="linus@corp.example")
    assert item.person is None
    okta_user(LinkSource.OKTA_SYNC, external_id=org.linus.id, login_id="linus@corp.example")
    okta_user(LinkSource.SCIM, external_id=org.linus.id, login_id="l.torvalds")
    client.force_login(people.auditor)
    for login in ("linus@corp.example", "l.torvalds"):
        response = client.post(
            f"/reviews/items/{item.pk}/",
            {"decision": "reassign", "comment": "his call", "reassign_to": login},
        )
        assert response.status_code == 400, login
        assert "someone other than the reviewer or the person" in response.content.decode()
    item.refresh_from_db()
    assert item.reviewer == people.auditor and not item.history.exists()
