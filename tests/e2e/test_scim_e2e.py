"""Flow 3: the admin enables provisioning and issues tokens; Okta pushes a user and a group."""

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

SCIM = "application/scim+json"


def generate_token(page: Page) -> str:
    page.get_by_role("button", name="Generate Token").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("This token cannot be shown again")
    value = dialog.locator("#new-token-value").inner_text().strip()
    return value


def push(console_url: str, token: str) -> None:
    """What Okta sends: look the user up, create it, then push a group with the user in it."""
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {token}", "Content-Type": SCIM})
    base = f"{console_url}/api/scim/v2"
    found = session.get(f"{base}/Users", params={"filter": 'userName eq "kim@corp.example"'})
    assert found.status_code == 200 and found.json()["totalResults"] == 0
    user = session.post(
        f"{base}/Users",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "kim@corp.example",
            "name": {"givenName": "Kim", "familyName": "Lee"},
            "emails": [{"primary": True, "value": "kim@corp.example", "type": "work"}],
            "active": True,
            "password": "placeholder-from-okta",
        },
    )
    assert user.status_code == 201, user.text
    group = session.post(
        f"{base}/Groups",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Okta DBAs",
            "members": [{"value": user.json()["id"], "display": "kim@corp.example"}],
        },
    )
    assert group.status_code == 201, group.text


def test_admin_enables_provisioning_and_okta_pushes_a_user_and_a_group(
    page, console_url, owner, password, shot
):
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmation dialogs
    sign_in(page, console_url, owner.login_id, password)
    page.get_by_role("link", name="Provisioning").click()
    page.get_by_role("button", name="Enable").click()
    expect(page.locator("#scim-endpoint")).to_have_text(f"{console_url}/api/scim/v2")

    token = generate_token(page)
    shot(page, "03-token-shown-once")
    page.get_by_role("button", name="Confirm").click()
    page.reload()
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert token not in page.content()

    generate_token(page)
    page.get_by_role("button", name="Confirm").click()
    generate = page.get_by_role("button", name="Generate Token")
    expect(generate).to_be_disabled()
    expect(page.locator("#token-limit")).to_be_visible()
    shot(page, "03-two-tokens-third-refused")

    push(console_url, token)
    page.goto(f"{console_url}/administrator/users/")
    row = page.get_by_role("row").filter(has_text="kim@corp.example")
    expect(row).to_contain_text("Okta: SCIM")
    shot(page, "03-scim-user-on-users")
    page.goto(f"{console_url}/administrator/groups/")
    row = page.get_by_role("row").filter(has_text="Okta DBAs")
    expect(row).to_contain_text("Okta: SCIM")
    row.get_by_role("link", name="Okta DBAs").click()
    expect(page.get_by_text("kim@corp.example")).to_be_visible()
    shot(page, "03-scim-group-with-member")
