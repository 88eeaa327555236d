"""A Content-Security-Policy on every page, with nothing inline for it to allow, and HSTS
when the console is served over https."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.workers import ROOT

pytestmark = pytest.mark.django_db
PAGES = [
    "home", "login", "profile", "user_list", "user_add", "group_list", "audit_log",
    "authentication", "provisioning", "okta_sync_history",
]  # fmt: skip
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.I)


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_a_policy_without_inline_script_or_style(admin_client, page):
    directives = policy(admin_client.get(reverse(page)))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["default-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in str(directives)


@pytest.mark.parametrize("path", ["/login/", "/no/such/page/", "/api/scim/v2/Users"])
def test_error_pages_sign_in_and_scim_carry_the_policy_too(client, path):
    assert policy(client.get(path))["script-src"] == "'self'"


def test_the_403_page_carries_the_policy(client, plain_user):
    client.force_login(plain_user)
    response = client.get(reverse("user_list"))
    assert response.status_code == 403 and policy(response)["script-src"] == "'self'"


@pytest.mark.parametrize(
    "template",
    TEMPLATES,
    ids=lambda p: str(p.relative_to(ROOT / "templates")),
)
def test_templates_hold_no_inline_script_style_or_handler(template: Path):
    assert not INLINE.findall(template.read_text())


def header_over_https(base_url: str, tmp_path: Path) -> str:
    """Strict-Transport-Security of a secure request, in a console configured by env."""
    env = {**os.environ, "CONSOLE_BASE_URL": base_url, "QUERYPIE_VAR_DIR": str(tmp_path)}
    env["DJANGO_SETTINGS_MODULE"] = "querypie_admin.settings"
    probe = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/no/such/page/', secure=True, HTTP_HOST='console.corp.example'); "
        "print(r.headers.get('Strict-Transport-Security', 'none'))"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=60, check=True)  # fmt: skip
    return out.stdout.strip().splitlines()[-1]


def test_hsts_is_sent_when_the_console_base_url_is_https(tmp_path):
    assert header_over_https("https://console.corp.example", tmp_path) == "max-age=31536000"
    assert header_over_https("http://console.corp.example", tmp_path) == "none"
