"""The console shell as a person meets it in a browser."""

import pytest
from playwright.sync_api import expect

from querypie_admin.models import AuditEvent, AuthProvider, User
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_signs_in_and_finds_users_and_groups(page, console_url, owner, password, shot):
    sign_in(page, console_url, owner.login_id, password)
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    expect(page.get_by_role("link", name=owner.login_id).first).to_be_visible()
    page.get_by_role("navigation", name="Administrator").get_by_role("link", name="Groups").click()
    expect(page.get_by_role("heading", name="Groups")).to_be_visible()
    shot(page, "00-groups")


def test_wrong_password_shows_the_error_and_stays_signed_out(page, console_url, owner):
    sign_in(page, console_url, owner.login_id, "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("The login ID or password is incorrect")
    page.goto(f"{console_url}/administrator/users/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_sign_in_page_fits_a_phone_screen(browser, console_url, shot):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    phone = context.new_page()
    phone.goto(f"{console_url}/login/")
    button = phone.get_by_role("button", name="Sign in")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    scroll_width = phone.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375
    shot(phone, "00-sign-in-phone")
    context.close()


def test_pages_load_nothing_from_outside(page, console_url, owner, password):
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    sign_in(page, console_url, owner.login_id, password)
    page.goto(f"{console_url}/administrator/audit-log/")
    assert requested and all(u.startswith(console_url) for u in requested), requested


UNLABELLED_CONTROLS = """() => [...document.querySelectorAll("input, select, textarea, button")]
  .filter((el) => el.type !== "hidden" && el.offsetParent !== null)
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")
                  && !el.getAttribute("aria-labelledby") && !el.textContent.trim())
  .map((el) => el.outerHTML.slice(0, 120))"""


@pytest.mark.parametrize(
    "path",
    [
        "/administrator/users/",
        "/administrator/users/add/",
        "/administrator/groups/",
        "/administrator/authentication/identity-provider/",
        "/administrator/authentication/single-logout/",
        "/administrator/authentication/role-mapping/",
        "/administrator/authentication/okta-sync/",
        "/administrator/authentication/okta-event-hooks/",
        "/administrator/groups/add/",
        "/administrator/provisioning/",
        "/administrator/audit-log/",
        "/me/",
    ],
)
def test_every_control_has_a_name_for_screen_readers(page, console_url, owner, password, path):
    from sso.models import SamlSettings

    SamlSettings.objects.update_or_create(pk=1, defaults={"authentication_type": "okta"})
    sign_in(page, console_url, owner.login_id, password)
    page.goto(f"{console_url}{path}")
    assert page.evaluate(UNLABELLED_CONTROLS) == []


def test_sign_in_controls_have_names(page, console_url):
    page.goto(f"{console_url}/login/")
    assert page.evaluate(UNLABELLED_CONTROLS) == []


def test_owner_adds_a_user_who_signs_in_with_the_password_shown_once(
    page, console_url, owner, password, shot
):
    sign_in(page, console_url, owner.login_id, password)
    page.get_by_role("link", name="Add user").click()
    page.get_by_label("Login ID").fill("new.dba@corp.example")
    page.get_by_label("First name").fill("New")
    page.get_by_label("Role").select_option("system_admin")
    page.get_by_role("button", name="Add user").click()

    expect(page.get_by_role("heading", name="Initial password")).to_be_visible()
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    shot(page, "00-user-added-password-once")
    initial = page.locator("#initial-password").inner_text().strip()
    page.reload()
    expect(page.get_by_role("heading", name="Initial password")).to_have_count(0)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, console_url, "new.dba@corp.example", initial)
    expect(page.get_by_role("heading", name="Users")).to_be_visible()


def test_owner_hands_a_user_over_after_the_confirmation(
    page, console_url, owner, password, user_factory, shot
):
    user = user_factory(login_id="dana@corp.example")
    prompts: list[str] = []

    def accept(dialog) -> None:
        prompts.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    sign_in(page, console_url, owner.login_id, password)
    page.goto(f"{console_url}/administrator/users/{user.pk}/")
    page.get_by_role("button", name="Hand over to Okta").click()

    expect(page.get_by_text("waiting for the first SCIM push or sync")).to_be_visible()
    shot(page, "00-user-handed-over")
    assert "password sign-in stops" in prompts[0]
    assert User.objects.get(pk=user.pk).auth_provider == AuthProvider.OKTA
    assert AuditEvent.objects.filter(action="user.handed_over", outcome="success").exists()
