"""The access review REST API (admins with personal tokens, reviewers signed in): campaigns
and evidence for Owner and System Admin only; a reviewer lists and decides only their own
items (another's is a 404, admins' included) by the pages' rules; a bulk decision by filter
needs the count; the endpoints are in the OpenAPI schema."""

import csv
import io

import pytest
from django.core.management import call_command

from access_reviews.models import AccessKind, Decision, DecisionRecord
from access_reviews.service import campaigns

from .remediation_fixtures import active_campaign, decide, item, slack_items

API = "/api/v1/access-reviews/"


def bearer(user) -> dict:
    """A personal token's header (tokens are issued to Owners and System Admins)."""
    out = io.StringIO()
    call_command("api_token", "create", "--login-id", user.login_id, stdout=out)
    return {"HTTP_AUTHORIZATION": f"Bearer {out.getvalue().strip().splitlines()[-1]}"}


@pytest.fixture
def review(collected, people):
    """Slack's three items for the auditor; a fourth (Margaret's GitHub) for Grace."""
    c = active_campaign(people)
    items = slack_items(c, people, collected)
    items["github"] = item(
        c, people, collected.margaret, AccessKind.APP, collected.github.id, "GitHub"
    )
    items["github"].reviewer = people.grace
    items["github"].save()
    return c, items


def test_a_reviewer_lists_only_their_items_and_cannot_reach_anothers(client, review, people):
    c, items = review
    client.force_login(people.auditor)
    auth = {}
    listed = client.get(f"{API}items/", **auth).json()
    assert [i["person_login"] for i in listed["results"]] == [
        "ada@corp.example",
        "alan@corp.example",
        "grace@corp.example",
    ]
    other = items["github"].pk
    assert client.get(f"{API}items/{other}/", **auth).status_code == 404
    response = client.post(
        f"{API}items/{other}/decision/", {"decision": "keep", "comment": "x"}, **auth
    )
    assert response.status_code == 404
    assert client.get(f"{API}campaigns/", **auth).status_code == 403
    assert not DecisionRecord.objects.exists()


def test_a_reviewer_decides_by_the_pages_rules(client, review, people):
    c, items = review
    client.force_login(people.auditor)
    auth = {}
    url = f"{API}items/{items['ada'].pk}/decision/"
    refused = client.post(url, {"decision": "revoke", "comment": ""}, **auth)
    assert refused.status_code == 400 and "A comment is required" in refused.json()["detail"]
    done = client.post(url, {"decision": "revoke", "comment": "left"}, **auth)
    assert done.status_code == 201 and done.json()["decided_by_label"] == people.auditor.login_id
    history = client.get(f"{API}items/{items['ada'].pk}/history/", **auth).json()
    assert [(h["decision"], h["comment"]) for h in history] == [("revoke", "left")]


def test_admins_read_every_item_but_decide_none_of_others(client, review, people):
    c, items = review
    auth = bearer(people.owner)
    listed = client.get(f"{API}items/", {"campaign": c.pk, "decision": "none"}, **auth).json()
    assert listed["count"] == 4
    response = client.post(
        f"{API}items/{items['ada'].pk}/decision/", {"decision": "keep", "comment": "x"}, **auth
    )
    assert response.status_code == 404
    assert client.get(f"{API}campaigns/{c.pk}/", **auth).json()["name"] == "Q1 review"
    assert client.get(f"{API}items/", {"campaign": "x"}, **auth).status_code == 400


def test_a_bulk_decision_needs_the_count_of_the_filtered_items(client, review, people):
    c, _ = review
    client.force_login(people.auditor)
    auth = {}
    url = f"{API}campaigns/{c.pk}/decisions/"
    body = {"decision": "keep", "comment": "fine", "access": "", "count": 2}
    wrong = client.post(url, body, **auth)
    assert wrong.status_code == 409 and wrong.json()["count"] == 3
    assert not DecisionRecord.objects.exists()
    done = client.post(url, body | {"count": 3}, **auth)
    assert done.status_code == 201 and len(done.json()) == 3
    assert set(DecisionRecord.objects.values_list("decision", flat=True)) == {Decision.KEEP}
    # Grace's one item is hers: the auditor's bulk never touched it.
    client.force_login(people.grace)
    assert client.post(url, body | {"count": 1}).status_code == 201


def test_evidence_csv_for_admins_only(client, review, people):
    c, items = review
    decide(items["ada"], people)
    campaigns.close(c, people.owner)
    client.force_login(people.auditor)
    assert client.get(f"{API}campaigns/{c.pk}/evidence/").status_code == 403
    client.logout()
    response = client.get(f"{API}campaigns/{c.pk}/evidence/", **bearer(people.owner))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert ["Chain", "Decision chain verified: 1 rows"] in rows


def test_the_schema_lists_the_access_review_endpoints(admin_client):
    schema = admin_client.get("/api/v1/schema/").content.decode()
    for path in (
        "/api/v1/access-reviews/items/{id}/decision/",
        "/api/v1/access-reviews/campaigns/{id}/evidence/",
    ):
        assert path in schema
