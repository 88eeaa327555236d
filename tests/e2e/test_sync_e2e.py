"""Flow 4 and part of 5: the admin connects the fake Okta, runs Dry Run, saves without typing
again and synchronizes."""

import pytest
from playwright.sync_api import Page, expect

from fake_okta import FakeOkta, FakeOktaDirectory
from sso.models import SamlSettings
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fake_okta():
    directory = FakeOktaDirectory.generate(users=30, groups=4, memberships=40, seed=7)
    with FakeOkta(directory) as fake:
        yield fake


@pytest.fixture
def okta_type(db):
    SamlSettings.objects.update_or_create(pk=1, defaults={"authentication_type": "okta"})


def fill_connection(page: Page, url: str, token: str, *, scope: str = "Whole directory") -> None:
    page.get_by_role("checkbox", name="Use Synchronization with the Authentication System").check()
    page.get_by_label("API URL", exact=True).fill(url)
    page.get_by_label("API Token", exact=True).fill(token)
    page.get_by_label("Scope", exact=True).select_option(label=scope)


def test_admin_dry_runs_saves_and_synchronizes_from_okta(
    page, console_url, owner, password, okta_type, fake_okta, celery_worker_on_redis, shot
):
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, console_url, owner.login_id, password)
    page.goto(f"{console_url}/administrator/authentication/okta-sync/")
    fill_connection(page, fake_okta.base_url, fake_okta.token)
    page.get_by_role("button", name="Dry Run").click()
    expect(page.locator("[data-run-status]")).to_have_text("Succeeded", timeout=60_000)
    expect(page.locator(".sync-counts")).to_contain_text("Would create")
    shot(page, "04-dry-run-plan")

    # Back on the section, the Dry Run's values are there: Save Changes without typing again.
    page.get_by_role("link", name="Back to Synchronization").click()
    expect(page.get_by_label("API URL", exact=True)).to_have_value(fake_okta.base_url)
    expect(page.get_by_label("API Token", exact=True)).to_have_value("")  # never in the page
    expect(page.locator("#sync-settings")).to_contain_text("Kept from your Dry Run")
    assert fake_okta.token not in page.content()
    shot(page, "07-synchronization-after-dry-run")
    page.locator("#okta-sync").get_by_role("button", name="Save Changes").click()
    expect(page.locator("#sync-settings .msg-placed")).to_have_text(
        "Okta synchronization settings saved."
    )
    expect(page.locator("#sync-settings .msg-placed")).to_be_in_viewport()
    page.locator("#okta-sync").get_by_role("button", name="Synchronize").click()
    expect(page.get_by_role("heading", name="Okta synchronization")).to_be_visible()
    shot(page, "04-synchronize-progress")
    expect(page.locator("[data-run-status]")).to_have_text("Succeeded", timeout=60_000)
    expect(page.locator(".sync-counts")).to_contain_text("Created")
    shot(page, "04-synchronize-result")

    page.goto(f"{console_url}/administrator/users/?auth_provider=okta")
    expect(page.get_by_text("Okta: Okta API sync").first).to_be_visible()
    assert page.locator("tbody tr").count() >= 20
    shot(page, "04-synced-users")

    page.goto(f"{console_url}/administrator/authentication/okta-sync/")
    page.get_by_role("link", name="Synchronization history").first.click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    shot(page, "04-synchronization-history")


def test_wrong_token_and_bad_url_show_errors_beside_their_fields(
    page, console_url, owner, password, okta_type, fake_okta, shot
):
    sign_in(page, console_url, owner.login_id, password)
    page.goto(f"{console_url}/administrator/authentication/okta-sync/")
    fill_connection(page, fake_okta.base_url, "not-the-token")
    page.get_by_role("button", name="Dry Run").click()
    expect(page.locator(".field.has-error").filter(has_text="API Token")).to_contain_text(
        "E0000011"
    )
    shot(page, "05-sync-wrong-token")
    fill_connection(page, "ftp://acme.okta.com", "whatever")
    page.locator("#okta-sync").get_by_role("button", name="Save Changes").click()
    expect(page.locator(".field.has-error").filter(has_text="API URL")).to_be_visible()
    from okta.models import OktaOrg

    assert OktaOrg.load().api_url == ""


def test_replication_frequency_shows_only_the_detail_it_needs(
    page, console_url, owner, password, okta_type
):
    sign_in(page, console_url, owner.login_id, password)
    page.goto(f"{console_url}/administrator/authentication/okta-sync/")
    frequency = page.get_by_label("Replication Frequency", exact=True)
    minutes = page.get_by_label("Every N minutes", exact=True)
    cron = page.get_by_label("Cron expression", exact=True)
    expect(minutes).to_be_hidden()
    frequency.select_option(label="Every N minutes")
    expect(minutes).to_be_visible()
    expect(cron).to_be_hidden()
    frequency.select_option(label="Cron expression")
    expect(cron).to_be_visible()
    expect(minutes).to_be_hidden()
