"""README's "Try it without an Okta org", end to end in a browser: the fake Okta that
scripts/demo starts, then SCIM provisioning, Login with Okta, Single Logout and the sync."""

import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

from fake_okta import FakeOkta, FakeOktaDirectory
from querypie_admin.models import AuthProvider, User
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
# scripts/demo's org: the same seed in the server and in the SCIM push.
ORG = {"users": 100, "groups": 20, "memberships": 300, "seed": 7}
ORG_ARGS = [f"--{name}={value}" for name, value in ORG.items()]


@pytest.fixture
def demo_okta(console_url, settings):
    settings.SSO_METADATA_FETCH_ALLOW_LOOPBACK = True  # scripts/demo sets it too
    directory = FakeOktaDirectory.generate(**ORG)
    with FakeOkta(directory, token="demo-token", console_url=console_url) as fake:
        yield fake


def push_scim(page: Page, console_url: str) -> None:
    """Step 1: Provisioning > Enable > Generate Token, then `scripts/demo push-scim TOKEN`."""
    page.get_by_role("link", name="Provisioning").click()
    page.get_by_role("button", name="Enable").click()
    page.get_by_role("button", name="Generate Token").click()
    token = page.get_by_role("dialog").locator("#new-token-value").inner_text().strip()
    page.get_by_role("button", name="Confirm").click()
    command = [sys.executable, "-m", "fake_okta", *ORG_ARGS]
    command += ["--push-scim", f"{console_url}/api/scim/v2", token]
    pushed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    assert "users created" in pushed.stdout


def connect_saml(page: Page, console_url: str, fake: FakeOkta) -> None:
    """Step 2: Metadata URL, Fetch, Authentication Type Okta, Save identity provider settings."""
    page.goto(f"{console_url}/administrator/authentication/identity-provider/")
    page.get_by_label("Metadata URL", exact=True).fill(fake.saml.metadata_url)
    page.get_by_role("button", name="Fetch").click()
    expect(page.get_by_text(fake.saml.entity_id, exact=True)).to_be_visible()
    page.get_by_label("Authentication Type", exact=True).select_option(label="Okta")
    page.get_by_role("button", name="Save identity provider settings").click()
    expect(page.get_by_role("heading", name="Authentication Type: Okta")).to_be_visible()
    page.get_by_role("navigation", name="Authentication sections").get_by_role(
        "link", name="Single Logout and certificates"
    ).click()
    expect(page.locator("#sso-slo-url")).to_have_text(f"{console_url}/saml/sp/slo")


def first_listed_user(fake: FakeOkta) -> str:
    """The login the fake's sign-in form lists first (assigned, active, by id)."""
    directory = fake.directory
    assigned = directory.app_users[directory.app_id]
    return next(
        u.profile["login"]
        for uid, u in sorted(directory.users.items())
        if uid in assigned and u.status == "ACTIVE"
    )


def synchronize(page: Page, console_url: str, fake: FakeOkta) -> None:
    """Step 3: Synchronization with the fake's API URL, token and Application ID; Dry Run, then
    Save Changes on the values the Dry Run kept, without typing them again."""
    page.goto(f"{console_url}/administrator/authentication/okta-sync/")
    page.get_by_role("checkbox", name="Use Synchronization with the Authentication System").check()
    page.get_by_label("API URL", exact=True).fill(fake.base_url)
    page.get_by_label("API Token", exact=True).fill(fake.token)
    page.get_by_label("Application ID", exact=True).fill(fake.app_id)
    page.get_by_role("button", name="Dry Run").click()
    expect(page.locator("[data-run-status]")).to_have_text("Succeeded", timeout=60_000)
    page.get_by_role("link", name="Back to Synchronization").click()
    expect(page.get_by_label("Application ID", exact=True)).to_have_value(fake.app_id)
    page.locator("#okta-sync").get_by_role("button", name="Save Changes").click()
    page.locator("#okta-sync").get_by_role("button", name="Synchronize").click()
    expect(page.locator("[data-run-status]")).to_have_text("Succeeded", timeout=60_000)


def test_try_it_without_an_okta_org(
    page, console_url, owner, password, demo_okta, celery_worker_on_redis, shot
):
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, console_url, owner.login_id, password)
    push_scim(page, console_url)
    login = first_listed_user(demo_okta)
    assert User.objects.get(login_id=login).auth_provider == AuthProvider.OKTA

    connect_saml(page, console_url, demo_okta)
    shot(page, "07-demo-authentication-connected")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Login with Okta").click()
    expect(page.get_by_label("User")).to_be_visible()  # the fake Okta lists its users
    shot(page, "07-demo-fake-okta-sign-in")
    page.get_by_label("User").select_option(label=login)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My profile")).to_be_visible()
    expect(page.get_by_text(login).first).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out of QueryPie and Okta.")).to_be_visible()
    assert len(demo_okta.saml.logout_requests) == 1

    sign_in(page, console_url, owner.login_id, password)
    synchronize(page, console_url, demo_okta)
    shot(page, "07-demo-synchronized")
