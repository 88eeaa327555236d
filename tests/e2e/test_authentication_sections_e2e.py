"""The console with the demo org loaded, in a browser at 1400 px wide (issue 23): no page is
taller than 2,500 px, measured whole (the list pages and reports aside: their height is their
page size), and a role mapping is chosen with the group picker. Screenshots of each
Authentication section and of the picker."""

import pytest
import requests
from django.db.models import Count
from playwright.sync_api import Browser, Page, expect

from fake_okta import FakeOkta, FakeOktaDirectory
from okta.models import OktaOrg, Scope
from okta.token_crypto import encrypt_token
from querypie_admin.models import AuthProvider, Group, RoleMapping, User
from sso.metadata import parse_idp_metadata
from sso.models import AuthenticationType
from sso.services import Options, save_configuration
from sync.engine.runs import execute_run, start_saved_run
from sync.models import RunKind
from tests.e2e.conftest import SCREENSHOTS, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
# scripts/demo's org (tests/e2e/test_demo_e2e.py).
DEMO_ORG = {"users": 100, "groups": 20, "memberships": 300, "seed": 7}
WIDTH, HEIGHT, TALLEST = 1400, 900, 2500
# Pages that list rows or reports: they paginate, so their height follows the page size. Every
# other page is measured whole, tables inside it too (a group's members, 20 a page).
LISTS = (
    "/administrator/users/",
    "/administrator/groups/",
    "/administrator/audit-log/",
    "/administrator/authentication/okta-sync/history/",
    "/administrator/okta/",
    # Swagger UI's page of every API endpoint: as long as the API, and measured short only
    # when it was caught before the schema had rendered.
    "/api/docs/",
)
SECTIONS = [
    ("identity-provider", "07-authentication-identity-provider"),
    ("single-logout", "07-authentication-single-logout-and-certificates"),
    ("role-mapping", "07-authentication-role-mapping"),
    ("okta-sync", "07-authentication-synchronization"),
    ("okta-event-hooks", "07-authentication-event-hooks"),
]


@pytest.fixture
def demo_org(console_url, settings):
    """The demo org, connected for SAML and synchronized into the console, as after README's
    "Try it without an Okta org"."""
    settings.OKTA_SYNC_MEMBERS_IN_CHILD = False
    with FakeOkta(FakeOktaDirectory.generate(**DEMO_ORG), console_url=console_url) as fake:
        xml = requests.get(fake.saml.metadata_url, timeout=10).text
        save_configuration(
            "test",
            authentication_type=AuthenticationType.OKTA,
            metadata=parse_idp_metadata(xml),
            metadata_xml=xml,
            options=Options(),
        )
        org = OktaOrg.load()
        org.enabled, org.api_url, org.app_id, org.scope = True, fake.base_url, "", Scope.DIRECTORY
        org.api_token_encrypted, org.api_token_last4 = encrypt_token(fake.token), fake.token[-4:]
        org.save()
        execute_run(start_saved_run(RunKind.MANUAL, label="test").pk)
        assert User.objects.filter(auth_provider=AuthProvider.OKTA).count() >= 90
        yield fake


@pytest.fixture
def wide(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def reachable_pages(page: Page, console_url: str) -> list[str]:
    """The sidebar's and the top bar's pages and the Authentication sections, then a user's and
    a group's."""
    page.goto(f"{console_url}/administrator/authentication/")
    links = page.locator(".topbar a, .sidebar a, .auth-sections a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    paths = list(dict.fromkeys(path for path in links if path not in LISTS))
    groups = Group.objects.filter(auth_provider=AuthProvider.OKTA).annotate(n=Count("memberships"))
    busiest = groups.order_by("-n", "pk").first()
    member = busiest.members.order_by("pk").first()
    return [*paths, f"/administrator/users/{member.pk}/", f"/administrator/groups/{busiest.pk}/"]


def test_no_console_page_is_taller_than_2500_px_or_wider_than_the_window_at_1400_px(
    wide, console_url, owner, password, demo_org
):
    sign_in(wide, console_url, owner.login_id, password)
    sizes = {}
    for path in reachable_pages(wide, console_url):
        wide.goto(f"{console_url}{path}")
        reached = wide.url.removeprefix(console_url)
        if reached.split("?")[0] not in LISTS:  # "/" opens the list of users
            sizes[reached] = wide.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
            )
    assert len(sizes) >= 9, sizes
    assert {path: (w, h) for path, (w, h) in sizes.items() if w > WIDTH or h > TALLEST} == {}


def test_a_mapping_chosen_with_the_picker(wide, console_url, owner, password, demo_org, shot):
    # A small group: its members are promoted at once (within the promotion threshold).
    groups = Group.objects.filter(auth_provider=AuthProvider.OKTA).annotate(n=Count("memberships"))
    group = groups.filter(n__gte=1, n__lte=10).order_by("n", "name").first()
    okta_id = group.links.exclude(external_id="").first().external_id
    sign_in(wide, console_url, owner.login_id, password)
    for section, name in SECTIONS:
        if section != "role-mapping":  # shown below, with the mapping made
            wide.goto(f"{console_url}/administrator/authentication/{section}/")
            shot(wide, name)

    wide.goto(f"{console_url}/administrator/authentication/role-mapping/")
    wide.get_by_label("Okta group ID", exact=True).press_sequentially(group.name[:4].lower())
    option = wide.get_by_role("option").filter(has_text=okta_id)
    expect(option).to_contain_text(group.name)
    expect(option).to_contain_text(f"{group.members.count()} member")
    wide.screenshot(path=str(SCREENSHOTS / "07-role-mapping-group-picker.png"))  # as seen
    option.click()
    expect(wide.get_by_label("Okta group ID", exact=True)).to_have_value(okta_id)
    expect(wide.get_by_label("Group name (optional)", exact=True)).to_have_value(group.name)
    wide.get_by_label("Console role", exact=True).select_option(label="System Admin")
    wide.get_by_role("button", name="Add mapping").click()

    message = wide.locator("#mapping-add .msg-placed").first
    expect(message).to_have_text(f"The Okta group {okta_id} is mapped.")
    expect(message).to_be_in_viewport()
    assert RoleMapping.objects.get().okta_group_id == okta_id
    shot(wide, "07-authentication-role-mapping")
    members = set(group.members.values_list("role", flat=True))
    assert members == {"system_admin"}


def test_old_links_with_anchors_reach_their_sections(page, console_url, owner, password):
    sign_in(page, console_url, owner.login_id, password)
    page.goto(f"{console_url}/administrator/authentication/#role-mapping")
    expect(page).to_have_url(f"{console_url}/administrator/authentication/role-mapping/")
    page.goto(f"{console_url}/administrator/authentication/#okta-sync")
    expect(page).to_have_url(f"{console_url}/administrator/authentication/okta-sync/")
    page.goto(f"{console_url}/administrator/authentication/")
    expect(page).to_have_url(f"{console_url}/administrator/authentication/identity-provider/")
