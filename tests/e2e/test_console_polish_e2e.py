"""The audit log's grouped view and a filled access review report in Chromium at 1400×900,
as README's screenshots show them; "Collect now" on the empty Applications page."""

import pytest
from playwright.sync_api import Browser, Page, expect

from querypie_admin import audit
from querypie_admin.directory import Caller, role_mappings
from querypie_admin.directory.caller import Source
from querypie_admin.models import GroupMembership, LinkSource, Role, RoleMapping
from tests.e2e.conftest import SCREENSHOTS, sign_in
from tests.factories import okta_group, okta_user
from tests.okta_insights import fixtures as okta_fixtures

pytestmark = pytest.mark.django_db(transaction=True)
ADMINS_ID = "00gdbadmins0000000001"
# The Okta visibility's fixtures (the fake Okta, its org, connected to it), used by name.
fake_fixture, org_fixture = okta_fixtures.fake_fixture, okta_fixtures.org_fixture
okta_clock_fixture = okta_fixtures.okta_clock_fixture
connected_fixture = okta_fixtures.connected_fixture


@pytest.fixture
def wide_page(browser: Browser) -> Page:
    """README's screenshots are taken at 1400×900, the size they are looked at."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def demote_fifty_through_a_mapping(owner) -> None:
    RoleMapping.objects.create(
        okta_group_id=ADMINS_ID, role=Role.SYSTEM_ADMIN, group_name="DB Admins"
    )
    group = okta_group(LinkSource.OKTA_SYNC, external_id=ADMINS_ID, name="DB Admins")
    for n in range(50):
        user = okta_user(
            LinkSource.OKTA_SYNC,
            login_id=f"dba{n:02}@corp.example",
            role=Role.SYSTEM_ADMIN,
            role_source="mapping",
            role_groups=[ADMINS_ID],
        )
        GroupMembership.objects.create(user=user, group=group)
    role_mappings.change_mapping(Caller(Source.CONSOLE, owner), ADMINS_ID, Role.USER)


def test_the_audit_log_groups_a_mapping_change_that_expands(
    wide_page, console_url, owner, password
):
    page = wide_page
    audit.record("auth.signin", actor=owner, detail={"method": "password"})
    demote_fifty_through_a_mapping(owner)
    sign_in(page, console_url, owner.login_id, password)

    page.goto(f"{console_url}/administrator/audit-log/")

    action = page.locator(".audit-action")
    expect(action).to_have_count(1)
    expect(action.locator("summary")).to_contain_text("Role mapping changed: 50 users demoted")
    expect(action.locator(".audit-events")).to_be_hidden()
    action.locator("summary").click()
    expect(action.locator(".audit-events tbody tr")).to_have_count(51)
    expect(action.locator(".audit-events")).to_contain_text("dba00@corp.example")
    expect(action.locator(".audit-detail").nth(1)).to_contain_text("System Admin")
    screenshot(page, "07-audit-log-grouped-action")


def test_collect_now_fills_the_empty_page_and_the_report(
    wide_page, console_url, owner, password, org, connected, celery_worker_on_redis
):
    page = wide_page
    org.sign_in(org.alan, org.slack, days=1)
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, console_url, owner.login_id, password)

    page.goto(f"{console_url}/administrator/okta/applications/")
    expect(page.locator(".okta-apps")).to_contain_text("not collected yet")
    page.locator(".collect-now").get_by_role("button", name="Collect now").click()
    expect(page.locator("[data-run-status]").first).to_have_text("Succeeded", timeout=60_000)

    page.goto(f"{console_url}/administrator/okta/access-review/app-access/")
    page.get_by_label("Application").select_option(label="Slack")
    page.get_by_role("button", name="Show").click()
    report = page.locator(".okta-report")
    expect(report).to_contain_text("Through group Engineers")
    expect(report).to_contain_text("grace@corp.example")
    expect(page.locator(".collect-now")).to_have_count(0)
    screenshot(page, "07-okta-report-filled")
