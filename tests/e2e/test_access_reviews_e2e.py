"""Access review campaigns in a browser: an Owner defines and launches a campaign on the
collected Slack access; the reviewer revokes two items (one alone, one in bulk after the
"Revoke 1 item?" confirmation) and keeps the rest; the Owner sees the progress and closes."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from access_reviews.models import Campaign, CampaignStatus
from tests.e2e.conftest import sign_in
from tests.factories import UserFactory
from tests.okta_insights.fixtures import (  # noqa: F401 - fixtures used by name
    collect_fixture,
    connected_fixture,
    fake_fixture,
    okta_clock_fixture,
    org_fixture,
)

pytestmark = pytest.mark.django_db(transaction=True)


def define_and_launch(page: Page, console_url: str, shot) -> None:
    page.goto(f"{console_url}/administrator/users/")
    page.get_by_role("navigation", name="Administrator").get_by_role(
        "link", name="Access reviews"
    ).click()
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name", exact=True).fill("Quarterly Slack review")
    page.get_by_label("Who can reach an application").check()
    page.get_by_label("Applications").select_option(label="Slack")
    today = timezone.localdate()
    page.get_by_label("Start date").fill(today.isoformat())
    page.get_by_label("Due date").fill((today + timedelta(days=14)).isoformat())
    page.get_by_label("Recurrence").select_option(label="Quarterly")
    page.get_by_label("A named console user").check()
    page.get_by_label("Reviewer (login ID)", exact=True).fill("reviewer@corp.example")
    page.get_by_label("Fallback reviewer (login ID)").fill("owner@corp.example")
    shot(page, "07-access-review-new-campaign")
    page.get_by_role("button", name="Save campaign").click()
    expect(page.get_by_role("heading", name="Quarterly Slack review")).to_be_visible()
    page.get_by_role("button", name="Launch").click()
    expect(page.locator(".messages")).to_contain_text("Launched: 3 items frozen")


def test_a_campaign_from_definition_to_close(
    page, browser, console_url, owner, password, org, collect, shot
):
    org.sign_in(org.ada, org.slack, days=1)
    collect()
    UserFactory(login_id="reviewer@corp.example")
    sign_in(page, console_url, owner.login_id, password)
    define_and_launch(page, console_url, shot)

    reviewer = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
    sign_in(reviewer, console_url, "reviewer@corp.example", password)
    reviewer.get_by_role("link", name="My reviews").first.click()
    rows = reviewer.locator("table.table tbody tr")
    expect(rows).to_have_count(3)
    grace = rows.filter(has_text="grace@corp.example")
    grace.get_by_placeholder("Comment").fill("Left the team")
    grace.get_by_role("button", name="Revoke").click()
    expect(reviewer.locator(".messages")).to_contain_text("Revoke recorded")
    ada = rows.filter(has_text="ada@corp.example")
    ada.get_by_role("button", name="Keep").click()
    shot(reviewer, "07-access-review-my-reviews")

    reviewer.get_by_label("Campaign").select_option(label="Quarterly Slack review")
    reviewer.get_by_label("Flag").select_option(label="Never signed in")
    reviewer.locator("#id_decision").select_option(label="Not decided")
    reviewer.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    reviewer.get_by_text("Decide all 1 filtered items at once").click()
    reviewer.locator("#id_bulk-decision").select_option(label="Revoke")
    reviewer.locator("#id_bulk-comment").fill("Never signed in to Slack")
    reviewer.get_by_role("button", name="Review the selection").click()
    expect(reviewer.get_by_role("heading", name="Revoke 1 item?")).to_be_visible()
    shot(reviewer, "07-access-review-bulk-confirm")
    reviewer.get_by_role("button", name="Revoke 1 item").click()
    expect(reviewer.locator(".messages")).to_contain_text("Revoke: 1 items recorded.")

    page.reload()
    expect(page.locator("body")).to_contain_text("100% decided")
    shot(page, "07-access-review-campaign-progress")
    page.get_by_role("button", name="Close early").click()
    expect(page.locator(".messages")).to_contain_text("Campaign closed")
    campaign = Campaign.objects.get()
    assert (campaign.status, campaign.closed_by) == (CampaignStatus.CLOSED, owner)
    decided = dict(campaign.items.values_list("person_login", "decision"))
    assert decided == {
        "ada@corp.example": "keep",
        "alan@corp.example": "revoke",
        "grace@corp.example": "revoke",
    }
