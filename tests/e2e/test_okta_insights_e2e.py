"""Okta visibility in a browser: the permission check, Collect now on a real worker, then the
Applications, Activity and Access review pages and a user's Okta section."""

import pytest
from playwright.sync_api import Page, expect

from fake_okta.roles import forbid_role_reads
from querypie_admin.models import LinkSource
from tests.e2e.conftest import sign_in
from tests.factories import okta_user
from tests.okta_insights.fixtures import (  # noqa: F401 - fixtures used by name
    collect_fixture,
    connected_fixture,
    fake_fixture,
    okta_clock_fixture,
    org_fixture,
)

pytestmark = pytest.mark.django_db(transaction=True)


def check_permissions_then_collect(page: Page, console_url: str, fake, shot) -> None:
    page.goto(f"{console_url}/administrator/okta/")
    forbid_role_reads(fake.faults)  # as with a Read-Only Administrator's token
    page.get_by_role("button", name="Check permissions").click()
    table = page.locator(".okta-permissions")
    expect(table.get_by_role("row", name="Admin roles")).to_contain_text(
        "Not readable with this token"
    )
    expect(table.get_by_role("row", name="Applications")).to_contain_text("Readable")
    shot(page, "06-okta-permission-check")
    fake.faults.clear()  # the token now has the custom role of docs/SYNC.md
    page.get_by_role("button", name="Collect now").click()
    expect(page.get_by_role("heading", name="Okta collection #")).to_be_visible()
    expect(page.locator("[data-run-status]").first).to_have_text("Succeeded", timeout=60_000)
    expect(page.locator(".okta-results")).to_contain_text("Collected")


def test_admin_reviews_okta_access_in_the_browser(
    page, console_url, owner, password, org, connected, celery_worker_on_redis, shot
):
    org.sign_in(org.alan, org.slack, days=1)
    org.sign_in(org.ada, org.github, days=2)
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, console_url, owner.login_id, password)
    check_permissions_then_collect(page, console_url, connected, shot)

    page.get_by_role("navigation", name="Okta").get_by_role("link", name="Applications").click()
    expect(page.locator(".okta-apps")).to_contain_text("OpenID Connect")
    shot(page, "06-okta-applications")
    page.get_by_role("link", name="Slack").click()
    reach = page.locator(".okta-reach")
    expect(reach.get_by_role("row", name="grace@corp.example")).to_contain_text(
        "Through group Engineers"
    )
    shot(page, "06-okta-application-detail")

    page.get_by_role("link", name="Activity").click()
    page.get_by_label("Actor").fill("alan@")
    page.get_by_label("Event type").fill("user.authentication.*")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".okta-activity tbody tr")).to_have_count(1)
    expect(page.locator(".okta-activity")).to_contain_text("Slack")
    shot(page, "06-okta-activity")

    page.get_by_role("navigation", name="Okta").get_by_role("link", name="Access review").click()
    page.get_by_role("link", name="Admins without MFA").click()
    expect(page.locator(".okta-report")).to_contain_text("margaret@corp.example")
    shot(page, "06-okta-access-review")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename == "admins-without-mfa.csv"


def test_a_user_s_page_shows_what_okta_says_about_them(
    page, console_url, owner, password, org, collect, shot
):
    org.sign_in(org.alan, org.slack, days=1)
    collect()
    alan = okta_user(LinkSource.OKTA_SYNC, external_id=org.alan.id, login_id="alan@corp.example")
    sign_in(page, console_url, owner.login_id, password)

    page.goto(f"{console_url}/administrator/users/{alan.pk}/")

    section = page.locator(".okta-user")
    expect(section).to_contain_text("Through group IT Admins")
    expect(section).to_contain_text("PENDING_ACTIVATION")
    section.scroll_into_view_if_needed()
    shot(page, "06-okta-user-section")
