"""The test IdP over HTTP: SP-initiated login through its sign-in form and auto-POST page."""

import html
import re

import pytest
import requests
from django.test import override_settings

from querypie_admin.models import LinkSource
from tests.factories import okta_user
from tests.saml_idp.server import IdpServer
from tests.sso.conftest import last_saml_signin, signed_in_login_id

pytestmark = pytest.mark.django_db


def hidden(page: str, name: str) -> str:
    return html.unescape(re.search(rf'name="{name}" value="([^"]*)"', page).group(1))


@override_settings(SSO_METADATA_FETCH_ALLOW_LOOPBACK=True)
def test_login_with_okta_through_the_idp_sign_in_form(admin_client, client):
    okta_user(LinkSource.SCIM, login_id="jane@corp.example")
    users = {"jane@corp.example": "idp-password"}
    acs = "http://testserver/saml/sp/acs"
    with IdpServer(acs_url=acs, audience="http://testserver/saml/sp/metadata", users=users) as idp:
        admin_client.post(
            "/administrator/authentication/identity-provider/",
            {"op": "fetch", "metadata_url": idp.metadata_url},
        )
        admin_client.post(
            "/administrator/authentication/identity-provider/",
            {"op": "save", "authentication_type": "okta", "clock_skew_seconds": "120"},
        )
        location = client.get("/saml/sp/login", {"next": "/me/"})["Location"]
        sign_in = requests.get(location, timeout=5).text
        assert "Sign in" in sign_in and 'name="password"' in sign_in
        form = {
            "SAMLRequest": hidden(sign_in, "SAMLRequest"),
            "RelayState": hidden(sign_in, "RelayState"),
        }
        wrong = requests.post(
            idp.sso_url, {**form, "username": "jane@corp.example", "password": "x"}, timeout=5
        )
        assert "incorrect" in wrong.text
        auto_post = requests.post(
            idp.sso_url,
            {**form, "username": "jane@corp.example", "password": "idp-password"},
            timeout=5,
        ).text
    assert f'action="{acs}"' in auto_post and ".submit()" in auto_post
    response = client.post(
        "/saml/sp/acs",
        {
            "SAMLResponse": hidden(auto_post, "SAMLResponse"),
            "RelayState": hidden(auto_post, "RelayState"),
        },
    )
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert signed_in_login_id(client) == "jane@corp.example"
    assert last_saml_signin().detail["flow"] == "sp-initiated"
