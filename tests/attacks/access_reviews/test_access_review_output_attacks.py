"""Access reviews (issue 22): what an attacker can put in names, labels and comments (an Okta
profile, a SCIM push, a reviewer's comment) shown on pages and in emails, and how many emails
a launch sends. Each test says no; docs/SECURITY.md lists them."""

import pytest
from django.core import mail

from access_reviews.models import ReviewItem
from access_reviews.service import reminders
from access_reviews.service.launch import launch
from tests.factories import UserFactory

from .conftest import campaign

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def slack_review(collected, people):
    c = campaign(people, scope_okta_ids=[collected.slack.id])
    launch(c, people.owner)
    return c


def test_names_labels_and_comments_are_escaped_on_every_page(client, slack_review, people):
    slack_review.name = f"Q1 {SCRIPT}"
    slack_review.save()
    ReviewItem.objects.filter(campaign=slack_review).update(
        person_name=SCRIPT, access_label=SCRIPT, via_group_name=SCRIPT, reviewer_reason=SCRIPT
    )
    item = slack_review.items.get(person_login="ada@corp.example")
    client.force_login(people.auditor)
    client.post(f"/reviews/items/{item.pk}/", {"decision": "revoke", "comment": SCRIPT})
    pages = [
        client.get("/reviews/"),
        client.get(f"/reviews/items/{item.pk}/"),
        client.post(
            "/reviews/",
            {
                "campaign": slack_review.pk,
                "op": "preview",
                "bulk-decision": "revoke",
                "bulk-comment": SCRIPT,
            },
        ),  # fmt: skip
    ]
    client.force_login(people.owner)
    pages += [
        client.get("/administrator/access-reviews/"),
        client.get(f"/administrator/access-reviews/{slack_review.pk}/"),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200, response
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in pages[1].content.decode()  # the comment, shown escaped


def test_a_campaign_name_with_line_breaks_injects_no_email_header(slack_review, people):
    """The form refuses a name on two lines; a name saved by another way (a recurrence copies
    it, an API) must still not add a header such as Bcc to the emails."""
    mail.outbox.clear()
    slack_review.name = "Q1\r\nBcc: everyone@corp.example\rX-Evil: 1"
    slack_review.save()
    assert reminders.send_launch_emails(slack_review) == 1
    sent = mail.outbox[0]
    assert sent.bcc == [] and sent.to == ["auditor@corp.example"]
    message = sent.message()
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert "\r" not in sent.subject and "\n" not in sent.subject


def test_a_reviewer_email_with_line_breaks_adds_no_recipient(collected, people):
    """A SCIM push or a sync sets a reviewer's email: one with CR/LF never becomes a header;
    the launch goes on and the others are emailed."""
    sneaky = UserFactory(
        login_id="sneaky@corp.example", email="sneaky@corp.example\r\nBcc: all@corp.example"
    )
    c = campaign(people, scope_okta_ids=[collected.slack.id], reviewer=sneaky)
    mail.outbox.clear()
    launch(c, people.owner)
    c.refresh_from_db()
    assert c.status == "active" and c.items.count() == 3
    for sent in mail.outbox:
        assert all("\n" not in to and "\r" not in to for to in sent.to)
        assert sent.message()["Bcc"] is None


def test_a_launch_emails_each_reviewer_once_whatever_the_number_of_items(collected, people):
    c = campaign(people, scope_okta_ids=[])  # every application: many items, one reviewer
    mail.outbox.clear()
    launch(c, people.owner)
    assert c.items.count() > 3
    assert [m.to for m in mail.outbox] == [["auditor@corp.example"]]


def test_emails_are_plain_text_and_carry_no_html(slack_review, people):
    slack_review.name = SCRIPT
    slack_review.save()
    mail.outbox.clear()
    reminders.send_launch_emails(slack_review)
    sent = mail.outbox[0]
    assert sent.content_subtype == "plain" and not getattr(sent, "alternatives", [])
