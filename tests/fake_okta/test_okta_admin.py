"""The fake Okta changes like an Okta org run by an admin, all spoken to over HTTP: each action
of its Admin Console (the page's form or `scripts/demo okta …`'s JSON) changes the directory,
writes the System Log event Okta writes (the admin as actor, the targets) and delivers that
same event to a registered, verified, active event hook; a refused action changes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests

from fake_okta import FakeOkta, FakeOktaDirectory
from fake_okta.system_log import OKTA_ADMIN
from tests.event_hooks.test_fake_okta_hooks import Receiver

EVENT_TYPES = [
    "user.lifecycle.deactivate",
    "user.lifecycle.suspend",
    "user.lifecycle.unsuspend",
    "group.user_membership.add",
    "group.user_membership.remove",
    "user.account.update_profile",
]


class Org:
    def __init__(self) -> None:
        self.directory = d = FakeOktaDirectory(seed=3)
        self.ada = d.add_user("ada@corp.example", first_name="Ada", last_name="Lovelace")
        self.alan = d.add_user("alan@corp.example", first_name="Alan", last_name="Turing")
        self.edsger = d.add_user("edsger@corp.example", status="SUSPENDED")
        self.engineers = d.add_group("Engineers")
        d.add_member(self.engineers.id, self.alan.id)


@pytest.fixture
def org() -> Org:
    return Org()


@pytest.fixture(name="receiver")
def receiver_fixture() -> Iterator[Receiver]:
    """A hook endpoint that echoes Okta's challenge and records what is delivered."""
    hook = Receiver()
    try:
        yield hook
    finally:
        hook.server.shutdown()


@pytest.fixture
def okta(org, receiver):
    with FakeOkta(org.directory) as fake:
        fake.event_hooks.register(receiver.url, "Authorization", "s3cret", EVENT_TYPES)
        yield fake


def act(okta: FakeOkta, action: str, token: str | None = None, **fields: str):
    headers = {"Authorization": f"SSWS {token or okta.token}"}
    url = f"{okta.base_url}/admin/actions/{action}"
    return requests.post(url, json=fields, headers=headers, timeout=20)


def logged(okta: FakeOkta) -> list[dict]:
    headers = {"Authorization": f"SSWS {okta.token}"}
    response = requests.get(f"{okta.base_url}/api/v1/logs", headers=headers, timeout=5)
    assert response.status_code == 200
    return response.json()


def delivered(receiver: Receiver) -> list[dict]:
    return [event for _, body in receiver.deliveries for event in body["data"]["events"]]


@pytest.mark.parametrize(
    ("action", "fields", "event_type", "targets", "changed"),
    [
        (
            "deactivate",
            {"user": "ada@corp.example"},
            "user.lifecycle.deactivate",
            ["User"],
            lambda org: org.ada.status == "DEPROVISIONED",
        ),
        (
            "suspend",
            {"user": "ADA@corp.example"},  # a login is found whatever its case
            "user.lifecycle.suspend",
            ["User"],
            lambda org: org.ada.status == "SUSPENDED",
        ),
        (
            "unsuspend",
            {"user": "edsger@corp.example"},
            "user.lifecycle.unsuspend",
            ["User"],
            lambda org: org.edsger.status == "ACTIVE",
        ),
        (
            "add-to-group",
            {"user": "ada@corp.example", "group": "Engineers"},
            "group.user_membership.add",
            ["User", "UserGroup"],
            lambda org: org.ada.id in org.engineers.members,
        ),
        (
            "remove-from-group",
            {"user": "alan@corp.example", "group": "engineers"},
            "group.user_membership.remove",
            ["User", "UserGroup"],
            lambda org: org.alan.id not in org.engineers.members,
        ),
        (
            "rename",
            {"user": "ada@corp.example", "first_name": "Augusta", "last_name": "King"},
            "user.account.update_profile",
            ["User"],
            lambda org: (org.ada.profile["firstName"], org.ada.profile["lastName"])
            == ("Augusta", "King"),
        ),
    ],
)
def test_an_admin_action_changes_the_org_logs_the_event_and_delivers_it(
    okta, org, receiver, action, fields, event_type, targets, changed
):
    before = len(logged(okta))

    answer = act(okta, action, **fields)

    assert answer.status_code == 200, answer.text
    assert changed(org)
    new = logged(okta)[before:]
    assert [e["eventType"] for e in new] == [event_type]
    event = new[0]
    assert event["actor"] == OKTA_ADMIN and event["outcome"]["result"] == "SUCCESS"
    assert [t["type"] for t in event["target"]] == targets
    assert event["target"][0]["id"] in (org.ada.id, org.alan.id, org.edsger.id)
    assert [e["uuid"] for e in delivered(receiver)] == [event["uuid"]]  # the very same event
    body = answer.json()
    assert body["events"] == [
        {"uuid": event["uuid"], "eventType": event_type, "published": event["published"]}
    ]
    assert body["deliveries"] == [
        {"hook": next(iter(okta.event_hooks.hooks)), "uri": receiver.url, "status": 204,
         "attempts": 1}
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("action", "fields", "why"),
    [
        ("suspend", {"user": "edsger@corp.example"}, "Only an active user can be suspended"),
        ("unsuspend", {"user": "ada@corp.example"}, "is ACTIVE, not SUSPENDED"),
        ("deactivate", {"user": "nobody@corp.example"}, "No user 'nobody@corp.example'"),
        ("add-to-group", {"user": "alan@corp.example", "group": "Engineers"}, "already a member"),
        ("add-to-group", {"user": "ada@corp.example", "group": "Everyone"}, "BUILT_IN group"),
        ("remove-from-group", {"user": "ada@corp.example", "group": "Engineers"}, "not a member"),
        ("rename", {"user": "ada@corp.example", "first_name": "Ada"}, "rename needs: last_name"),
        ("delete", {"user": "ada@corp.example"}, "Unknown action 'delete'"),
    ],
)
def test_a_refused_action_says_why_and_changes_nothing(okta, org, receiver, action, fields, why):
    version, before = org.directory.version, len(logged(okta))

    answer = act(okta, action, **fields)

    assert answer.status_code == 400 and why in answer.json()["errorSummary"]
    assert org.directory.version == version and len(logged(okta)) == before
    okta.deliveries.wait_idle()
    assert receiver.deliveries == []


def test_actions_need_the_api_token(okta, org):
    answer = act(okta, "deactivate", token="guessed", user="ada@corp.example")

    assert answer.status_code == 401 and answer.json()["errorCode"] == "E0000011"
    assert org.ada.status == "ACTIVE"


def test_the_admin_page_form_changes_the_org_and_a_forged_form_does_not(okta, org, receiver):
    page = requests.get(f"{okta.base_url}/admin", timeout=5).text
    key = re.search(r'name="form_key" value="([0-9a-f]+)"', page).group(1)
    url = f"{okta.base_url}/admin/actions/suspend"

    forged = requests.post(url, data={"user": org.ada.id}, timeout=5, allow_redirects=False)
    assert forged.status_code == 403 and org.ada.status == "ACTIVE"

    sent = {"user": org.ada.id, "form_key": key}
    answer = requests.post(url, data=sent, timeout=20, allow_redirects=False)
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/admin?done=")
    assert org.ada.status == "SUSPENDED"
    okta.deliveries.wait_idle()
    assert [e["eventType"] for e in delivered(receiver)] == ["user.lifecycle.suspend"]
    shown = requests.get(f"{okta.base_url}{answer.headers['Location']}", timeout=5).text
    assert "Suspended ada@corp.example" in shown and "user.lifecycle.suspend" in shown


def test_changes_a_test_makes_on_the_directory_are_not_logged(okta, org, receiver):
    """Only an admin's actions are: a test's set-up leaves the System Log as it made it."""
    org.directory.suspend_user(org.ada.id)
    okta.deliveries.wait_idle()

    assert logged(okta) == []
    assert [e["actor"]["type"] for e in delivered(receiver)] == ["PublicClientApp"]
