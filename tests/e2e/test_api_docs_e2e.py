"""/api/docs/ in Chromium: Swagger UI starts from our static files under the console's CSP
(no violation, no request leaves the console) and lists the API's operations."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_swagger_ui_runs_under_the_csp_from_our_own_files(page, console_url, owner, password):
    refused, requested = [], []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page, console_url, owner.login_id, password)

    page.goto(f"{console_url}/api/docs/")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("QueryPie Admin API")
    operation = page.locator(".opblock-summary-path", has_text="/api/v1/okta-events/").first
    expect(operation).to_be_visible()
    operation.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    status = page.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_have_text("200")
    assert refused == []
    outside = [url for url in requested if not url.startswith((console_url, "data:"))]
    assert outside == []
