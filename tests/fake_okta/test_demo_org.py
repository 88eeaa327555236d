"""What the demo's fake Okta gives every feature, over HTTP: sign-ins through its IdP pages in
the System Log, admins (directly and through a group) with and without MFA factors, signing
certificates told apart by subject and dates, and `scripts/demo okta …` (fake_okta.admin_cli)
printing what it did and the next command with the real ids."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import requests
from cryptography import x509

from fake_okta import FakeOkta, FakeOktaDirectory
from fake_okta.demo_org import ADMIN_GROUP, demo_examples, demo_org
from tests.event_hooks.test_fake_okta_hooks import Receiver

ORG = {"users": 100, "groups": 20, "memberships": 300, "seed": 7}  # scripts/demo's


@pytest.fixture
def okta():
    with FakeOkta(demo_org(**ORG), token="demo-token") as fake:
        yield fake


def api(okta: FakeOkta, path: str, method: str = "GET"):
    headers = {"Authorization": f"SSWS {okta.token}", "Accept": "application/json"}
    response = requests.request(method, f"{okta.base_url}{path}", headers=headers, timeout=10)
    assert response.status_code < 300, response.text
    return response.json()


def cli(okta: FakeOkta, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "fake_okta.admin_cli", "--url", okta.base_url]
    command += ["--token", okta.token, "--app-id", okta.app_id, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_a_sign_in_through_the_idp_pages_is_logged_as_okta_logs_it(okta):
    login = demo_examples(okta.directory)["Example user"]
    user = next(u for u in okta.directory.users.values() if u.profile["login"] == login)
    before = {e["uuid"] for e in api(okta, "/api/v1/logs?limit=1000")}

    page = requests.post(okta.saml.sso_url, data={"user_id": user.id}, timeout=10)

    assert page.status_code == 200 and "SAMLResponse" in page.text
    new = [e for e in api(okta, "/api/v1/logs?limit=1000") if e["uuid"] not in before]
    assert [e["eventType"] for e in new] == ["user.session.start", "user.authentication.sso"]
    sso = new[1]
    assert sso["actor"]["id"] == user.id and sso["actor"]["type"] == "User"
    assert [(t["type"], t["id"]) for t in sso["target"]] == [
        ("AppInstance", okta.app_id),
        ("User", user.id),
    ]
    assert sso["outcome"]["result"] == "SUCCESS"
    assert sso["client"]["ipAddress"] == "127.0.0.1"  # the browser's address
    published = datetime.fromisoformat(sso["published"].replace("Z", "+00:00"))
    assert abs(published - datetime.now(UTC)) < timedelta(minutes=1)
    last_login = api(okta, f"/api/v1/users/{user.id}")["lastLogin"]
    assert last_login and last_login[:16] == sso["published"][:16]


def test_the_demo_org_has_admins_directly_and_through_a_group_some_without_mfa(okta):
    assignees = [a["id"] for a in api(okta, "/api/v1/iam/assignees/users")["value"]]
    roles = {uid: api(okta, f"/api/v1/users/{uid}/roles") for uid in assignees}
    factors = {uid: api(okta, f"/api/v1/users/{uid}/factors") for uid in assignees}

    kinds = {(r["type"], r["assignmentType"]) for held in roles.values() for r in held}
    assert {("SUPER_ADMIN", "USER"), ("READ_ONLY_ADMIN", "GROUP")} <= kinds
    group = next(g for g in okta.directory.groups.values() if g.name == ADMIN_GROUP)
    assert api(okta, f"/api/v1/groups/{group.id}/roles")[0]["type"] == "READ_ONLY_ADMIN"
    with_mfa = {uid for uid, found in factors.items() if found}
    assert with_mfa and set(assignees) - with_mfa  # the "Admins without MFA" report has rows
    app_people = okta.directory.app_user_scopes(okta.app_id)
    assert set(assignees) <= set(app_people)  # admins who can sign in to the console


def test_the_demo_org_has_past_sign_ins_and_some_people_who_never_signed_in(okta):
    events = api(okta, "/api/v1/logs?limit=1000")
    users = okta.directory.users.values()

    types = {e["eventType"] for e in events}
    assert {"user.session.start", "user.authentication.sso", "group.privilege.grant"} <= types
    apps = {t["id"] for e in events for t in e["target"] if t["type"] == "AppInstance"}
    assert okta.app_id in apps and len(apps) > 1
    active = [u for u in users if u.status == "ACTIVE"]
    assert 0 < sum(1 for u in active if u.last_login is None) < len(active) / 2


def test_the_demo_org_leaves_the_querypie_app_as_generated(okta):
    """The SCIM push generates the org in another process: the app's people must agree."""
    plain = FakeOktaDirectory.generate(**ORG)
    assert okta.app_id == plain.app_id
    assert okta.directory.app_user_scopes(okta.app_id) == plain.app_user_scopes(plain.app_id)
    assert okta.directory.app_groups[okta.app_id].keys() == plain.app_groups[plain.app_id].keys()


def certificate(jwk: dict) -> x509.Certificate:
    return x509.load_der_x509_certificate(base64.b64decode(jwk["x5c"][0]))


def test_signing_certificates_carry_distinct_subjects_and_dates(okta):
    keys_path = f"/api/v1/apps/{okta.app_id}/credentials/keys"
    api(okta, f"{keys_path}/generate", method="POST")

    first, second = (certificate(jwk) for jwk in api(okta, keys_path))

    now = datetime.now(UTC)
    assert first.subject != second.subject
    assert first.subject.rfc4514_string().startswith(
        f"O=Okta,OU=SSOProvider,CN=fake-okta signing {now - timedelta(days=365):%Y-%m} key 1"
    )
    assert f"CN=fake-okta signing {now:%Y-%m} key 2" in second.subject.rfc4514_string()
    assert first.not_valid_before_utc < second.not_valid_before_utc - timedelta(days=300)
    assert first.not_valid_after_utc < second.not_valid_after_utc
    assert first.serial_number != second.serial_number


def test_the_cli_generates_a_key_and_prints_the_activate_command_with_its_id(okta):
    generated = cli(okta, "generate-key")

    assert generated.returncode == 0, generated.stderr
    kid = okta.saml.keys[-1].kid
    assert f"Generated signing key {kid}: O=Okta,OU=SSOProvider,CN=fake-okta signing" in (
        generated.stdout
    )
    assert f"scripts/demo okta activate-key {kid}\n" in generated.stdout
    curl = re.search(r"\(or: (curl .*)\)", generated.stdout).group(1)
    assert curl == (
        f'curl -X POST -H "Authorization: SSWS demo-token" '
        f"{okta.base_url}/api/v1/apps/{okta.app_id}/credentials/keys/{kid}/activate"
    )
    assert okta.saml.active_key.kid != kid

    activated = cli(okta, "activate-key", kid)

    assert activated.returncode == 0 and f"Activated signing key {kid}" in activated.stdout
    assert okta.saml.active_key.kid == kid
    listed = cli(okta, "keys").stdout.splitlines()
    assert [line.split()[0] for line in listed] == [k.kid for k in okta.saml.keys]


def test_the_cli_deactivates_and_reports_the_event_and_its_delivery(okta):
    receiver = Receiver()
    try:
        okta.event_hooks.register(
            receiver.url, "Authorization", "s3cret", ["user.lifecycle.deactivate"]
        )
        login = demo_examples(okta.directory)["Example user"]

        done = cli(okta, "deactivate", login)

        assert done.returncode == 0, done.stderr
        event = okta.directory.system_log.events()[-1]
        assert done.stdout.splitlines() == [
            f"Deactivated {login} ({event['target'][0]['id']}): DEPROVISIONED, unassigned "
            "from its apps.",
            f"  System Log:  user.lifecycle.deactivate  uuid {event['uuid']}  {event['published']}",
            f"  Event Hook:  delivered to {receiver.url}: HTTP 204",
        ]
        again = cli(okta, "deactivate", login)
        assert again.returncode == 1 and "is already deactivated" in again.stderr
    finally:
        receiver.server.shutdown()


def test_the_cli_says_when_no_fake_okta_answers():
    command = [sys.executable, "-m", "fake_okta.admin_cli", "--url", "http://127.0.0.1:9"]
    done = subprocess.run([*command, "suspend", "x"], capture_output=True, text=True, timeout=30)

    assert done.returncode == 1 and "is scripts/demo running?" in done.stderr
