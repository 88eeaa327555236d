"""Every URL the console serves refuses anonymous callers, User-role accounts and SCIM tokens
unless it is public on purpose.

The URL list comes from walking the resolver, so a view added without a role check fails
here even if nobody remembered to write a test for it.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from querypie_admin.models import AuthProvider

pytestmark = pytest.mark.django_db

# Reached without a console session, each with its own protection (or none needed;
# signing out without a session only leads back to sign-in).
PUBLIC = {
    "login",
    "logout",
    "healthz",
    "saml_sp_metadata",
    "saml_sp_login",
    "saml_sp_acs",
    "saml_sp_slo",  # Okta's signed Single Logout messages, often without a cookie
    "saml_sp_certificate",  # the SP certificate, public like the SP metadata
    "okta_event_hook",  # Okta's Event Hooks: the header secret only, tested in tests/event_hooks
}
PUBLIC_NAMESPACES = {"scim"}  # /api/scim/v2/: SCIM bearer token only, tested in tests/scim
# Open to every signed-in user, whatever the role (a reviewer reaches only their own
# items: tests/access_reviews/test_decisions.py).
SIGNED_IN = {"home", "profile", "my_reviews", "review_item", "docs_index", "docs_page"} | {
    # The same through the API: tests/access_reviews/test_api.py.
    "api-access-review-item-list",
    "api-access-review-item-detail",
    "api-access-review-item-decision",
    "api-access-review-item-history",
    "api-access-review-decisions",
}
# Administrator URLs that a System Admin is refused too: only an Owner moves rows to Okta.
OWNER_ONLY = {"user_hand_over", "user_take_back", "group_hand_over", "group_take_back"}
SAMPLE_KWARGS = {"pk": "1", "format": "json", "uuid": "x", "name": "SECURITY.md"}


def _walk(patterns, namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace, entry


def _urls(kind: str) -> list[str]:
    urls = set()
    for namespace, entry in _walk(get_resolver().url_patterns):
        if namespace.rstrip(":") in PUBLIC_NAMESPACES or entry.name in PUBLIC:
            continue
        if (entry.name in SIGNED_IN) != (kind == "signed_in"):
            continue
        kwargs = {k: SAMPLE_KWARGS[k] for k in entry.pattern.regex.groupindex}
        urls.add(reverse(namespace + entry.name, kwargs=kwargs))
    return sorted(urls)


ADMIN_URLS = _urls("admin")
SIGNED_IN_URLS = _urls("signed_in")


def _refused_anonymously(response) -> bool:
    if response.status_code in (401, 403):
        return True
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_walk_finds_the_administrator_pages_and_the_rest_api():
    assert reverse("user_list") in ADMIN_URLS
    assert reverse("provisioning_token_create") in ADMIN_URLS
    assert "/api/v1/schema/" in ADMIN_URLS
    assert reverse("api-user-detail", kwargs={"pk": 1}) in ADMIN_URLS
    assert reverse("user_add") in ADMIN_URLS
    for name in ("user_set_role", *OWNER_ONLY):
        assert reverse(name, kwargs={"pk": 1}) in ADMIN_URLS


@pytest.mark.parametrize("url", ADMIN_URLS + SIGNED_IN_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_refused_on_every_non_public_url(client, url, method):
    assert _refused_anonymously(getattr(client, method)(url))


@pytest.mark.parametrize("url", ADMIN_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_user_role_is_refused_on_every_administrator_url(client, plain_user, url, method):
    client.force_login(plain_user)
    assert getattr(client, method)(url).status_code == 403


@pytest.mark.parametrize("url", ADMIN_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_scim_token_opens_no_administrator_url(client, scim_token, url, method):
    response = getattr(client, method)(url, HTTP_AUTHORIZATION=f"Bearer {scim_token}")
    assert _refused_anonymously(response)


@pytest.mark.parametrize("name", sorted(OWNER_ONLY))
def test_system_admin_is_refused_on_owner_only_urls(
    client, system_admin, user_factory, group_factory, name
):
    obj = group_factory() if name.startswith("group") else user_factory()
    client.force_login(system_admin)
    assert client.post(reverse(name, kwargs={"pk": obj.pk})).status_code == 403
    obj.refresh_from_db()
    assert obj.auth_provider == AuthProvider.QUERYPIE
