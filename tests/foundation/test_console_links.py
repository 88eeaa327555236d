"""Where the console points people: the documentation and the API page from the sidebar, the
role mapping's document as a link (tests/foundation/test_docs_pages.py: every mention), and
Okta visibility's way to the Synchronization
section that holds the token it reads with (issue 23)."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def sidebar(page: str) -> str:
    return re.search(r'<nav class="sidebar".*?</nav>', page, re.S).group(0)


def test_the_sidebar_has_the_documentation_and_the_api_page(admin_client):
    page = admin_client.get(reverse("user_list")).content.decode()

    links = sidebar(page)
    assert f'<a href="{reverse("docs_index")}" >Documentation</a>' in links
    assert f'<a href="{reverse("api-docs")}" >API</a>' in links
    assert admin_client.get(reverse("docs_index")).status_code == 200


def test_role_mapping_links_its_documentation(admin_client):
    page = admin_client.get(reverse("auth_role_mapping")).content.decode()

    assert (
        f'<a href="{reverse("docs_page", args=["ROLE_MAPPING.md"])}">docs/ROLE_MAPPING.md</a>'
        in page
    )


def test_okta_visibility_not_connected_leads_to_the_synchronization_section(admin_client):
    page = admin_client.get(reverse("okta_visibility")).content.decode()

    assert "Okta is not connected yet" in page
    assert (
        f'<a href="{reverse("okta_sync_settings")}">Authentication &gt; Synchronization</a>' in page
    )
