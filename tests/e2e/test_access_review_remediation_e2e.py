"""Issue 22 end to end on the demo org: an Owner connects the console to the fake Okta,
saves the write-scoped token and launches a campaign on an application; the reviewer signs in
with Okta, revokes two people's direct assignments and keeps the rest in bulk; the Owner closes
the campaign and confirms the remediation dry run; the two removals reach the fake Okta (its
request log) and, after the next collection, the evidence shows both verified."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from fake_okta import FakeOkta
from fake_okta.demo_org import demo_examples
from tests.e2e.conftest import sign_in
from tests.e2e.test_demo_e2e import connect_saml, synchronize, wait_for
from tests.e2e.test_demo_e2e import demo_okta as demo_okta  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db(transaction=True)

WRITE_TOKEN = "fake-okta-write-token"  # noqa: S105 - the fake's well-known write token


def reviewed_app(fake: FakeOkta) -> str:
    """The label of the first application beside QueryPie (a few people assigned directly)."""
    directory = fake.directory
    return next(a.label for a in directory.apps.values() if a.id != directory.app_id)


def save_write_token_and_collect(page: Page, console_url: str) -> None:
    page.goto(f"{console_url}/administrator/access-reviews/write-token/")
    page.get_by_label("Write-scoped API token").fill(WRITE_TOKEN)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(WRITE_TOKEN)).to_have_count(0)
    collect(page, console_url)


def collect(page: Page, console_url: str) -> None:
    page.goto(f"{console_url}/administrator/okta/")
    page.get_by_role("button", name="Collect now").click()
    expect(page.locator("[data-run-status]").first).to_have_text("Succeeded", timeout=90_000)


def launch(page: Page, console_url: str, app: str, reviewer: str, owner: str) -> None:
    page.goto(f"{console_url}/administrator/access-reviews/new/")
    page.get_by_label("Name", exact=True).fill("Quarterly review")
    page.get_by_label("Who can reach an application").check()
    page.get_by_label("Applications").select_option(label=app)
    today = timezone.localdate()
    page.get_by_label("Start date").fill(today.isoformat())
    page.get_by_label("Due date").fill((today + timedelta(days=14)).isoformat())
    page.get_by_label("A named console user").check()
    page.get_by_label("Reviewer (login ID)", exact=True).fill(reviewer)
    page.get_by_label("Fallback reviewer (login ID)").fill(owner)
    page.get_by_label(re.compile("Ask again when a plan removes")).fill("100")
    page.get_by_role("button", name="Save campaign").click()
    page.get_by_role("button", name="Launch").click()
    expect(page.locator(".messages")).to_contain_text("Launched")


def sign_in_with_okta(page: Page, console_url: str, login: str) -> None:
    page.goto(f"{console_url}/login/")
    page.get_by_role("link", name="Login with Okta").click()
    page.get_by_label("User").select_option(label=login)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()


def revoke_two_keep_the_rest(page: Page) -> list[str]:
    """Revoke the first two direct assignments one by one, then keep every other item of the
    reviewer's in one bulk decision. Returns the revoked people's logins."""
    page.get_by_role("link", name="My reviews").first.click()
    rows = page.locator("table.table tbody tr")
    direct = rows.filter(has_text="Direct")
    revoked = [direct.nth(n).locator("td a").first.inner_text().strip() for n in range(2)]
    for login in revoked:
        row = rows.filter(has=page.get_by_role("link", name=login, exact=True))
        row.get_by_placeholder("Comment").fill("No longer needs it")
        row.get_by_role("button", name="Revoke").click()
        expect(page.locator(".messages")).to_contain_text("Revoke recorded")
    page.get_by_label("Campaign").select_option(label="Quarterly review")
    page.locator("#id_decision").select_option(label="Not decided")
    page.get_by_role("button", name="Filter").click()
    page.get_by_text(re.compile(r"Decide all \d+ filtered items at once")).click()
    page.locator("#id_bulk-decision").select_option(label="Keep")
    page.locator("#id_bulk-comment").fill("Still on the team")
    page.get_by_role("button", name="Review the selection").click()
    page.get_by_role("button", name=re.compile(r"^Keep \d+ items?$")).click()
    expect(page.locator(".messages")).to_contain_text("recorded")
    return revoked


def test_a_review_removes_access_in_okta_and_the_evidence_shows_it_verified(
    page,
    browser,
    console_url,
    owner,
    password,
    demo_okta,  # noqa: F811 - the fixture imported above
    celery_worker_on_redis,
    shot,
):
    page.on("dialog", lambda dialog: dialog.accept())
    reviewer_login = demo_examples(demo_okta.directory)["Example member"]
    sign_in(page, console_url, owner.login_id, password)
    connect_saml(page, console_url, demo_okta)
    synchronize(page, console_url, demo_okta)
    save_write_token_and_collect(page, console_url)
    launch(page, console_url, reviewed_app(demo_okta), reviewer_login, owner.login_id)
    campaign_url = page.url

    reviewer = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    reviewer.on("dialog", lambda dialog: dialog.accept())
    sign_in_with_okta(reviewer, console_url, reviewer_login)
    revoked = revoke_two_keep_the_rest(reviewer)

    page.goto(campaign_url)
    page.get_by_role("button", name="Close early").click()
    expect(page.locator(".messages")).to_contain_text("Campaign closed")
    page.get_by_role("link", name="Remediation").first.click()
    dry_run = page.locator("table.table").first
    for login in revoked:
        expect(dry_run).to_contain_text(login)
    expect(dry_run.locator("code")).to_have_count(2)
    shot(page, "07-access-review-remediation-dry-run")
    page.get_by_role("button", name="Confirm").click()

    removed = lambda: len(demo_okta.requests_to("remove_app_user"))  # noqa: E731
    wait_for(lambda: removed() == 2, 90, "both removals reach the fake Okta")
    collect(page, console_url)
    page.goto(campaign_url)
    page.get_by_role("link", name="Evidence report").first.click()
    expect(page.get_by_role("status")).to_contain_text("Decision chain verified")
    for login in revoked:
        row = page.locator("tr", has_text=login)
        expect(row).to_contain_text("Revoke")
        expect(row).to_contain_text("Removed, verified in Okta")
    shot(page, "07-access-review-evidence")
