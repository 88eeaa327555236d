"""My reviews over HTTP: a reviewer sees and decides only their items; the comment rules;
bulk decisions on a filtered selection after a confirmation with the count; reassignment;
decisions change until the campaign closes and every change stays in the chain."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from access_reviews.models import Decision, DecisionRecord, ReviewItem
from access_reviews.service import campaigns, chain, decisions, selection
from access_reviews.service.launch import launch

from .conftest import campaign

MY = "/reviews/"


def item_url(item: ReviewItem) -> str:
    return f"/reviews/items/{item.pk}/"


@pytest.fixture
def slack_review(collected, people, collect):
    """Slack's access, reviewed by the auditor: Ada (direct, signed in), Alan and Grace
    (through Engineers, never signed in to Slack: flagged)."""
    collected.sign_in(collected.ada, collected.slack, days=2)
    collect()
    c = campaign(people, scope_okta_ids=[collected.slack.id])
    launch(c, people.owner)
    return c


def item_of(c, login: str) -> ReviewItem:
    return c.items.get(person_login=login)


def test_a_reviewer_sees_only_their_items(client, slack_review, people):
    other = campaign(people, name="Other", subject="console_admins", reviewer=people.grace)
    launch(other, people.owner)
    client.force_login(people.auditor)
    response = client.get(MY)
    assert [i.person_login for i in response.context["page"]] == [
        "ada@corp.example",
        "alan@corp.example",
        "grace@corp.example",
    ]
    owner_item = other.items.get()
    assert client.get(item_url(owner_item)).status_code == 404
    response = client.post(item_url(owner_item), {"decision": "keep", "comment": "mine now"})
    assert response.status_code == 404 and not DecisionRecord.objects.exists()


def test_admins_see_progress_not_other_peoples_decision_forms(client, slack_review, people):
    client.force_login(people.owner)
    item = item_of(slack_review, "ada@corp.example")
    assert client.get(item_url(item)).status_code == 404
    assert client.post(item_url(item), {"decision": "revoke", "comment": "x"}).status_code == 404
    assert client.get(MY).context["page"].paginator.count == 0
    assert not DecisionRecord.objects.exists()


@pytest.mark.parametrize(
    ("login", "decision", "comment", "error"),
    [
        ("ada@corp.example", "revoke", "", "A comment is required to revoke."),
        ("alan@corp.example", "keep", " ", "A comment is required to keep a flagged item."),
        ("ada@corp.example", "reassign", "on leave", "Choose an active console user"),
        ("ada@corp.example", "maybe", "", "Select a valid choice."),
    ],
)
def test_comment_rules(client, slack_review, people, login, decision, comment, error):
    client.force_login(people.auditor)
    item = item_of(slack_review, login)
    response = client.post(item_url(item), {"decision": decision, "comment": comment})
    assert response.status_code == 400
    assert error in response.content.decode()
    item.refresh_from_db()
    assert item.decision == "" and not DecisionRecord.objects.exists()


def test_keep_an_unflagged_item_without_comment_and_back_to_the_list(client, slack_review, people):
    client.force_login(people.auditor)
    item = item_of(slack_review, "ada@corp.example")
    back = f"{MY}?flag=&decision=none"
    response = client.post(item_url(item), {"decision": "keep", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    item.refresh_from_db()
    assert item.decision == Decision.KEEP


def test_an_outside_next_is_not_followed(client, slack_review, people):
    client.force_login(people.auditor)
    item = item_of(slack_review, "ada@corp.example")
    response = client.post(item_url(item), {"decision": "keep", "next": "https://evil.example/"})
    assert response["Location"] == MY


def test_decisions_change_until_close_and_every_change_is_kept(client, slack_review, people):
    client.force_login(people.auditor)
    item = item_of(slack_review, "grace@corp.example")
    client.post(item_url(item), {"decision": "keep", "comment": "Starts Monday"})
    client.post(item_url(item), {"decision": "revoke", "comment": "Left the team"})
    item.refresh_from_db()
    assert item.decision == Decision.REVOKE
    history = list(item.history.values_list("decision", "comment", "decided_by_label"))
    assert history == [
        ("keep", "Starts Monday", "auditor@corp.example"),
        ("revoke", "Left the team", "auditor@corp.example"),
    ]
    detail = client.get(item_url(item)).content.decode()
    assert "Starts Monday" in detail and "Never signed in" in detail
    campaigns.close(slack_review, people.owner)
    response = client.post(item_url(item), {"decision": "keep", "comment": "Changed my mind"})
    assert "not active" in response.content.decode()
    assert item.history.count() == 2
    check = chain.verify(slack_review.pk)
    assert check.intact and check.rows == 2


def test_reassign_hands_the_item_to_another_reviewer(client, slack_review, people):
    client.force_login(people.auditor)
    item = item_of(slack_review, "alan@corp.example")
    response = client.post(
        item_url(item),
        {
            "decision": "reassign",
            "comment": "Margaret runs Slack",
            "reassign_to": "margaret@corp.example",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.reviewer, item.reviewer_reason, item.decision) == (
        people.margaret,
        "reassigned",
        "",
    )
    assert client.get(item_url(item)).status_code == 404
    client.force_login(people.margaret)
    assert [i.pk for i in client.get(MY).context["page"]] == [item.pk]
    record = item.history.get()
    assert (record.decision, record.reassigned_to) == (Decision.REASSIGN, people.margaret)


def test_reassigning_to_the_person_reviewed_is_refused(client, slack_review, people):
    client.force_login(people.auditor)
    item = item_of(slack_review, "alan@corp.example")
    response = client.post(
        item_url(item),
        {"decision": "reassign", "comment": "ask him", "reassign_to": "alan@corp.example"},
    )
    assert response.status_code == 400
    assert "Reassign to someone other than the reviewer or the person." in response.content.decode()
    assert 'value="alan@corp.example"' in response.content.decode()


def bulk(campaign_pk: int, op: str, **fields) -> dict:
    """The My reviews filters (never signed in, in this campaign) and the bulk form."""
    prefixed = {f"bulk-{name}": value for name, value in fields.items()}
    return {"campaign": campaign_pk, "flag": "never_signed_in", "op": op} | prefixed


def never_signed_in(c) -> str:
    """The fingerprint of the selection the bulk tests filter: Alan's and Grace's items."""
    return selection.fingerprint(
        list(c.items.filter(flags__icontains="never").values_list("pk", flat=True))
    )


def hidden_fields(html: str) -> dict:
    """What the confirmation page's form posts back (its hidden inputs)."""
    form = html[html.index('<form method="post" class="card">') :]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))


def test_bulk_revoke_asks_with_the_count_then_records_each(client, slack_review, people):
    client.force_login(people.auditor)
    preview = client.post(
        MY, bulk(slack_review.pk, op="preview", decision="revoke", comment="Never used")
    )
    assert preview.status_code == 200
    assert "Revoke 2 items?" in preview.content.decode()
    assert not DecisionRecord.objects.exists()
    done = client.post(MY, hidden_fields(preview.content.decode()))  # Revoke 2 items
    assert done.status_code == 302
    decided = dict(slack_review.items.values_list("person_login", "decision"))
    assert decided == {
        "ada@corp.example": "",
        "alan@corp.example": "revoke",
        "grace@corp.example": "revoke",
    }
    assert DecisionRecord.objects.filter(comment="Never used").count() == 2
    assert chain.verify(slack_review.pk).intact


def test_bulk_confirmation_of_a_changed_selection_asks_again(client, slack_review, people):
    client.force_login(people.auditor)
    response = client.post(
        MY,
        bulk(slack_review.pk, op="confirm", decision="revoke", comment="x", selection="stale"),
    )
    assert "The selection changed: it now has 2 items." in response.content.decode()
    assert "Revoke 2 items?" in response.content.decode()
    assert not DecisionRecord.objects.exists()


def test_the_same_count_of_other_items_is_another_selection(client, slack_review, people):
    client.force_login(people.auditor)
    preview = client.post(MY, bulk(slack_review.pk, op="preview", decision="revoke", comment="x"))
    asked = hidden_fields(preview.content.decode())
    # Meanwhile Grace's item is reassigned to Margaret and Ada's enters the filter (as another
    # item reassigned to the auditor would): still two items, not the same two.
    grace = item_of(slack_review, "grace@corp.example")
    decisions.decide(grace, people.auditor, Decision.REASSIGN, "hers", people.margaret)
    ReviewItem.objects.filter(person_login="ada@corp.example").update(flags=["never_signed_in"])
    again = client.post(MY, asked)
    assert "The selection changed: it now has 2 items." in again.content.decode()
    assert not DecisionRecord.objects.exists()


def test_bulk_keep_of_flagged_items_needs_a_comment_and_changes_nothing(
    client, slack_review, people
):
    client.force_login(people.auditor)
    response = client.post(
        MY,
        bulk(
            slack_review.pk, op="confirm", decision="keep", selection=never_signed_in(slack_review)
        ),
        follow=True,
    )
    assert "A comment is required to keep a flagged item." in response.content.decode()
    assert not DecisionRecord.objects.exists()


def test_bulk_needs_a_campaign(client, slack_review, people):
    client.force_login(people.auditor)
    response = client.post(
        MY, {"op": "preview", "bulk-decision": "revoke", "bulk-comment": "x"}, follow=True
    )
    assert "Choose a campaign to decide in bulk." in response.content.decode()
    assert not DecisionRecord.objects.exists()


def test_filters_by_flag_decision_and_access(client, slack_review, people):
    client.force_login(people.auditor)
    item = item_of(slack_review, "grace@corp.example")
    client.post(item_url(item), {"decision": "revoke", "comment": "gone"})

    def logins(**query) -> list[str]:
        return [i.person_login for i in client.get(MY, query).context["page"]]

    assert logins(flag="never_signed_in") == ["alan@corp.example", "grace@corp.example"]
    assert logins(decision="none") == ["ada@corp.example", "alan@corp.example"]
    assert logins(decision="revoke") == ["grace@corp.example"]
    assert logins(app=slack_review.scope_okta_ids[0], flag="flagged", decision="none") == [
        "alan@corp.example"
    ]
    assert logins(app="0oanotthere") == logins()  # an unknown value is not applied…
    refused = client.get(MY, {"app": "0oanotthere"}).content.decode()
    assert "The filter was not applied, showing everything." in refused  # …and it says so


def test_my_reviews_queries_do_not_grow_with_items(client, slack_review, people):
    client.force_login(people.auditor)
    with CaptureQueriesContext(connection) as few:
        client.get(MY, {"campaign": slack_review.pk})
    ReviewItem.objects.bulk_create(
        [
            ReviewItem(
                campaign=slack_review,
                person_login=f"p{n}@corp.example",
                access_kind="app",
                access_id=f"0oa{n}",
                access_label=f"App {n}",
                reviewer=people.auditor,
                flags=["never_signed_in"],
            )
            for n in range(300)
        ]
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get(MY, {"campaign": slack_review.pk})
    assert len(response.context["page"]) == 50
    assert len(many) == len(few) <= 8


def test_the_home_page_and_sidebar_link_my_reviews(client, people):
    client.force_login(people.alan)
    assert 'href="/reviews/"' in client.get("/me/").content.decode()
    client.force_login(people.owner)
    page = client.get("/administrator/users/").content.decode()
    assert 'href="/reviews/"' in page and 'href="/administrator/access-reviews/"' in page
