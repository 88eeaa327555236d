"""/api/docs/: Swagger UI from our own static files (drf-spectacular-sidecar), allowed by the
console's CSP without inline script; /api/v1/: a root that lists every endpoint."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

from .test_api import issue

pytestmark = pytest.mark.django_db
DOCS = reverse("api-docs")


def csp_of(response) -> dict[str, list[str]]:
    directives = [d.split() for d in response["Content-Security-Policy"].split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


def test_the_api_page_loads_swagger_ui_from_our_static_files(admin_client):
    response = admin_client.get(DOCS)

    assert response.status_code == 200
    page = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    sources = [re.search(r'src="([^"]+)"', attrs).group(1) for attrs, _ in scripts]
    assert all(body.strip() == "" for _, body in scripts)  # no inline script
    assert "<style" not in page and " style=" not in page  # no inline style
    assert [s for s in sources if "swagger-ui" in s] == [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
    ]
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css" in sheets
    for url in [*sources, *sheets]:
        assert url.startswith("/"), url  # same origin: no CDN
        served = admin_client.get(url)
        assert served.status_code == 200, url
        body = b"".join(served.streaming_content) if served.streaming else served.content
        assert body, url


def test_the_csp_allows_the_page_without_unsafe_inline(admin_client):
    policy = csp_of(admin_client.get(DOCS))
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]  # Swagger UI's stylesheet icons
    assert policy["connect-src"] == ["'self'"]
    assert "data:" not in csp_of(admin_client.get(reverse("user_list")))["img-src"]


def test_the_start_up_script_is_served_by_the_page_and_points_at_the_schema(admin_client):
    page = admin_client.get(DOCS).content.decode()
    script_url = re.findall(r'<script src="([^"]+)"', page)[-1].replace("&amp;", "&")
    script = admin_client.get(script_url)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert 'url: "/api/v1/schema/"' in script.content.decode()
    assert "SwaggerUIBundle(" in script.content.decode()


def test_the_api_page_has_the_schemas_rule(client, plain_user):
    assert client.get(DOCS).status_code in (401, 403)
    client.force_login(plain_user)
    assert client.get(DOCS).status_code == 403
    token = issue(UserFactory(login_id="sa@corp.example", role="system_admin").login_id)
    assert Client().get(DOCS, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_the_api_root_lists_every_endpoint_of_the_schema(admin_client):
    root = admin_client.get("/api/v1/", HTTP_ACCEPT="application/json")
    schema = admin_client.get("/api/v1/schema/", {"format": "json"}).json()

    assert root.status_code == 200
    listed = {url.removeprefix("http://testserver") for url in root.json().values()}
    without_ids = {path for path in schema["paths"] if "{" not in path}
    assert without_ids <= listed, without_ids - listed
    assert {"/api/v1/applications/", "/api/v1/okta-events/"} <= listed
    assert "/api/v1/reports/stale-accounts/" in listed and "/api/v1/schema/" in listed
    assert {"/api/docs/", "/api/scim/v2/", "/api/okta/event-hook"} <= listed


def test_the_browsable_root_links_every_endpoint(admin_client):
    page = admin_client.get("/api/v1/", HTTP_ACCEPT="text/html").content.decode()
    assert "http://testserver/api/v1/okta-events/" in page
    assert "http://testserver/api/v1/reports/privilege-changes/" in page


def test_the_api_root_is_for_administrators(client, plain_user):
    assert client.get("/api/v1/").status_code in (401, 403)
    client.force_login(plain_user)
    assert client.get("/api/v1/").status_code == 403
