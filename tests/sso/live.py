"""Browser-like HTTP clients for the live console: each `requests.Session` keeps its own
cookies, like a browser context; a bare `requests.post` carries none, like Okta's iframe."""

import html
import re

import requests

from tests.saml_idp.idp import ResponseSpec, TestIdentityProvider, encode

JANE = "jane@corp.example"


def hidden(page: str, name: str) -> str:
    """The value of a hidden form field of an HTML page."""
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, f"no {name} field in the page"
    return html.unescape(match.group(1))


def form_action(page: str) -> str:
    return html.unescape(re.search(r'<form method="post" action="([^"]*)"', page).group(1))


def spec_for(console: str, **overrides) -> ResponseSpec:
    values = {
        "name_id": JANE,
        "audience": f"{console}/saml/sp/metadata",
        "destination": f"{console}/saml/sp/acs",
        "attributes": {"loginId": JANE, "email": JANE},
    }
    return ResponseSpec(**(values | overrides))


def sign_in(console: str, idp: TestIdentityProvider, **overrides) -> requests.Session:
    """A new browser-like session signed in by an IdP-initiated assertion."""
    browser = requests.Session()
    xml = idp.response_xml(spec_for(console, **overrides))
    answer = browser.post(
        f"{console}/saml/sp/acs", {"SAMLResponse": encode(xml)}, allow_redirects=False
    )
    assert answer.status_code == 302, answer.text[:500]
    assert signed_in(browser, console)
    return browser


def signed_in(browser: requests.Session, console: str) -> bool:
    return browser.get(f"{console}/me/", allow_redirects=False).status_code == 200


def sign_out(browser: requests.Session, console: str) -> requests.Response:
    """Click "Sign out": a POST with the CSRF token, redirects not followed."""
    browser.get(f"{console}/me/")
    token = browser.cookies.get("csrftoken")
    return browser.post(
        f"{console}/logout/",
        {"csrfmiddlewaretoken": token},
        headers={"Referer": f"{console}/me/"},
        allow_redirects=False,
    )
