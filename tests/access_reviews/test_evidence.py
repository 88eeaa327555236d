"""A closed campaign's evidence: the CSV (streamed) and the printable page carry the
definition, every decision of the full history with who/when/why, each remediation and its
verification, and the chain's check; a tampered decision row is reported; each export is
audited; Owner and System Admin only."""

import csv
import io

import pytest

from access_reviews.models import DecisionRecord, Remediation
from access_reviews.service import campaigns, remediation
from access_reviews.tasks import execute_remediations
from querypie_admin.models import AuditEvent

from .remediation_fixtures import active_campaign, decide, save_write_token, slack_items


@pytest.fixture
def closed(collected, people, connected, collect):
    """Ada kept then revoked (removed and verified), Alan kept, Grace undecided."""
    c = active_campaign(people, guard_percent=100)
    items = slack_items(c, people, collected)
    save_write_token()
    decide(items["ada"], people, "keep", "")
    decide(items["ada"], people, "revoke", "left the company")
    decide(items["alan"], people, "keep", '=HYPERLINK("http://evil.example","on call")')
    campaigns.close(c, people.owner)
    execute_remediations(remediation.confirm(c, people.owner).queued)
    collect()
    return c, items


def read_csv(client, c) -> tuple[list[list[str]], list[dict]]:
    response = client.get(f"/administrator/access-reviews/{c.pk}/evidence.csv")
    assert response.status_code == 200 and response.streaming
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    blank = lines.index([])
    header, rows = lines[blank + 1], lines[blank + 2 :]
    return lines[:blank], [dict(zip(header, row, strict=True)) for row in rows]


def test_the_csv_has_the_definition_every_decision_and_the_verified_removal(client, closed, people):
    c, items = closed
    client.force_login(people.owner)
    preamble, rows = read_csv(client, c)

    assert ["Campaign", "Q1 review"] in preamble
    assert ["Chain", "Decision chain verified: 3 rows"] in preamble
    ada = [r for r in rows if r["Person"] == "ada@corp.example"]
    assert [(r["Decision"], r["Comment"], r["Decided by"]) for r in ada] == [
        ("Keep", "", "auditor@corp.example"),
        ("Revoke", "left the company", "auditor@corp.example"),
    ]
    assert {r["Remediation status"] for r in ada} == {"Removed, verified in Okta"}
    assert all(r["Verified at"] for r in ada)
    grace = next(r for r in rows if r["Person"] == "grace@corp.example")
    assert grace["Decision"] == "" and grace["Remediation"] == ""
    assert len(rows) == 4  # Ada twice, Alan, Grace undecided
    alan = next(r for r in rows if r["Person"] == "alan@corp.example")
    assert alan["Comment"].startswith("'=HYPERLINK")  # text to a spreadsheet, not a formula
    exported = AuditEvent.objects.get(action="access_review.evidence_exported")
    assert exported.detail["chain_rows"] == 3 and exported.outcome == "success"


def test_a_tampered_decision_is_reported_by_both_exports(client, closed, people):
    c, items = closed
    edited = DecisionRecord.objects.get(item=items["alan"])
    DecisionRecord.objects.filter(pk=edited.pk).update(comment="approved by the CEO")
    client.force_login(people.owner)

    preamble, _ = read_csv(client, c)
    page = client.get(f"/administrator/access-reviews/{c.pk}/evidence/").content.decode()

    broken = f"Decision chain broken: 1 of 3 rows do not match (rows {edited.pk})"
    assert ["Chain", broken] in preamble
    assert broken in page
    assert "<script" not in page and "@media print" in page
    outcomes = AuditEvent.objects.filter(action="access_review.evidence_exported")
    assert list(outcomes.values_list("outcome", flat=True)) == ["failure", "failure"]


def test_the_printable_page_lists_each_decision(client, closed, people):
    c, _ = closed
    client.force_login(people.owner)
    page = client.get(f"/administrator/access-reviews/{c.pk}/evidence/").content.decode()
    assert "Decision chain verified: 3 rows" in page
    assert "left the company" in page and "HYPERLINK" in page
    assert page.count("ada@corp.example") == 2


def test_reviewers_get_no_evidence_and_open_campaigns_have_none(client, closed, people):
    c, _ = closed
    client.force_login(people.auditor)
    assert client.get(f"/administrator/access-reviews/{c.pk}/evidence.csv").status_code == 403
    open_one = active_campaign(people, name="Still open")
    client.force_login(people.owner)
    assert client.get(f"/administrator/access-reviews/{open_one.pk}/evidence/").status_code == 404
    assert Remediation.objects.count() == 1
