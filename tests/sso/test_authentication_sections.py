"""The Authentication page in sections (issue 23): each at its own URL under one sub-navigation,
the old URL redirecting, one saving button per form, System Admins reading each section, the
certificate table's serial and dates, and messages beside the form that posted."""

import base64
import re

import pytest
from cryptography import x509
from django.urls import reverse

from sso.models import IdpCertificate
from tests.sso.conftest import configure

pytestmark = pytest.mark.django_db

SECTIONS = [
    "auth_identity_provider",
    "auth_single_logout",
    "auth_role_mapping",
    "okta_sync_settings",
    "event_hooks_settings",
]
OLD_PAGE = "/administrator/authentication/"


def forms_of(html: str) -> list[str]:
    return re.findall(r"<form\b.*?</form>", html, flags=re.S)


def button_labels(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>|\s+", " ", label).strip()
        for label in re.findall(r"<button\b[^>]*>(.*?)</button>", html, flags=re.S)
    ]


@pytest.fixture
def okta_saved(idp):
    configure(idp)


def test_the_old_page_opens_the_identity_provider_section(admin_client):
    response = admin_client.get(OLD_PAGE)
    assert (response.status_code, response["Location"]) == (302, reverse("auth_identity_provider"))


@pytest.mark.parametrize(
    ("op", "section"),
    [
        ("save", "auth_identity_provider"),
        ("fetch", "auth_identity_provider"),
        ("refresh", "auth_identity_provider"),
        ("apply_change", "auth_identity_provider"),
        ("retire_certificate", "auth_single_logout"),
        ("sp_key_next", "auth_single_logout"),
        ("mapping_add", "auth_role_mapping"),
        ("mapping_threshold", "auth_role_mapping"),
    ],
)
def test_a_post_to_the_old_page_is_sent_on_to_its_section_with_its_body(admin_client, op, section):
    response = admin_client.post(OLD_PAGE, {"op": op})
    assert (response.status_code, response["Location"]) == (307, reverse(section))


@pytest.mark.parametrize("name", SECTIONS)
def test_each_section_has_the_sub_navigation_with_itself_current(admin_client, okta_saved, name):
    html = admin_client.get(reverse(name)).content.decode()
    nav = html.split('aria-label="Authentication sections"', 1)[1].split("</nav>", 1)[0]
    assert [re.sub(r"<[^>]+>", "", a) for a in re.findall(r"<a .*?</a>", nav)] == [
        "Identity provider",
        "Single Logout and certificates",
        "Role mapping",
        "Synchronization",
        "Event Hooks",
    ]
    assert re.findall(r'<a href="([^"]+)"[^>]*aria-current="page"', nav) == [reverse(name)]
    assert 'data-anchor="role-mapping"' in nav and 'data-anchor="okta-sync"' in nav
    assert "/static/sso/sections.js" in html  # follows the old page's anchors
    sidebar = html.split('class="sidebar"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{reverse(name)}" aria-current="page"' in sidebar


@pytest.mark.parametrize("name", SECTIONS)
def test_each_form_has_one_saving_button_named_for_what_it_saves(admin_client, okta_saved, name):
    html = admin_client.get(reverse(name)).content.decode()
    saving = []
    for form in forms_of(html):
        labels = [label for label in button_labels(form) if label.startswith("Save")]
        assert len(labels) <= 1, labels
        saving += labels
    assert len(saving) == len(set(saving)), saving  # never two "Save Changes" on one page
    assert saving.count("Save Changes") <= 1 and "Save" not in saving


def test_only_synchronization_keeps_the_seeds_save_changes(admin_client, okta_saved):
    pages = {name: admin_client.get(reverse(name)).content.decode() for name in SECTIONS}
    assert [name for name, html in pages.items() if ">Save Changes<" in html] == [
        "okta_sync_settings"
    ]
    assert ">Save identity provider settings<" in pages["auth_identity_provider"]
    assert ">Save threshold<" in pages["auth_role_mapping"]
    assert ">Save event types<" in pages["event_hooks_settings"]


def test_each_section_tells_a_system_admin_only_an_owner_changes_it(client, system_admin, idp):
    configure(idp)
    client.force_login(system_admin)
    for name in SECTIONS:
        assert "Only an Owner can change this." in client.get(reverse(name)).content.decode()


@pytest.mark.parametrize("name", SECTIONS[:3])
def test_a_system_admin_reads_each_section_without_its_buttons(client, system_admin, name, idp):
    configure(idp)
    client.force_login(system_admin)
    response = client.get(reverse(name))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Only an Owner can change this." in html
    assert not [label for label in button_labels(html) if label not in ("Copy", "Sign out")]


@pytest.mark.parametrize("name", SECTIONS[:3])
def test_a_system_admins_post_to_a_section_is_refused(client, system_admin, name):
    client.force_login(system_admin)
    assert client.post(reverse(name), {"op": "save"}).status_code == 403


def test_synchronization_says_it_needs_type_okta_and_links_to_the_identity_provider(
    admin_client, idp
):
    configure(idp, authentication_type="saml")
    html = admin_client.get(reverse("okta_sync_settings")).content.decode()
    assert "Synchronization needs Authentication Type <strong>Okta</strong> saved" in html
    assert f'<a href="{reverse("auth_identity_provider")}">Identity provider</a>' in html
    assert 'name="api_url"' not in html


def test_the_certificate_table_shows_serial_not_before_and_not_after(admin_client, idp):
    configure(idp)
    html = admin_client.get(reverse("auth_single_logout")).content.decode()
    cert = IdpCertificate.objects.get()
    serial = x509.load_der_x509_certificate(base64.b64decode(cert.der_b64)).serial_number
    assert "<th>Serial</th><th>Not before</th><th>Not after</th>" in html
    row = html.split('<tr data-state="trusted"', 1)[1].split("</tr>", 1)[0]
    assert f'<code class="sso-serial">{serial:x}</code>' in row
    assert f"{cert.not_before:%Y-%m-%d %H:%M}" in row and f"{cert.not_after:%Y-%m-%d %H:%M}" in row


def test_a_role_mapping_message_is_shown_beside_the_form_that_posted(client, owner):
    client.force_login(owner)
    data = {"op": "mapping_add", "okta_group_id": "00gAdm1nsGr0up000001", "role": "system_admin"}

    response = client.post(reverse("auth_role_mapping"), data)

    assert response["Location"] == reverse("auth_role_mapping") + "#mapping-add"
    html = client.get(response["Location"]).content.decode()
    top = html.split('class="messages"', 1)[1].split("</div>", 1)[0]
    beside = html.split('id="mapping-add"', 1)[1].split("</form>", 1)[0]
    assert "is mapped" not in top
    assert "The Okta group 00gAdm1nsGr0up000001 is mapped." in beside


def test_an_invalid_mapping_keeps_its_values_and_says_so_beside_the_form(client, owner):
    client.force_login(owner)
    data = {"op": "mapping_add", "okta_group_id": "Admins", "role": "user", "group_name": "Ops"}

    response = client.post(reverse("auth_role_mapping"), data)

    assert response.status_code == 400
    beside = response.content.decode().split('id="mapping-add"', 1)[1].split("</form>", 1)[0]
    assert "Nothing was saved" in beside
    assert 'value="Admins"' in beside and 'value="Ops"' in beside
