"""Attacks on the Okta Event Hooks endpoint and panel, as someone without the secret, or
with a leaked one, would make them over real HTTP: odd secrets and bodies, forged events
naming users and groups Okta does not say changed, and the panel's buttons. An event is
only a hint, so at most it makes the console read Okta again: whatever it says, the
console changes only what Okta says now."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client

from event_hooks.models import EventStatus, HookCounters, HookEvent, HookSettings
from event_hooks.service import configure, processing
from event_hooks.service.intake import MAX_EVENTS
from okta.models import OktaOrg, Scope
from okta.token_crypto import encrypt_token
from querypie_admin.directory import Caller
from querypie_admin.models import (
    DirectoryLink,
    Group,
    GroupMembership,
    LinkSource,
    Role,
    RoleMapping,
    User,
)
from sync.models import RunStatus
from tests.event_hooks.conftest import _busy, wait_until
from tests.factories import UserFactory

URL = "/api/okta/event-hook"
PANEL = "/administrator/authentication/okta-event-hooks/"


@pytest.fixture
def secret(transactional_db) -> str:
    return configure.new_secret(Caller.command("test"))


def event(uuid: str, event_type: str = "user.lifecycle.deactivate", **target) -> dict:
    target = {"type": "User", "id": "00unobody", "alternateId": "x@corp.example"} | target
    return {"uuid": uuid, "eventType": event_type, "target": [target]}


def delivery(*events: dict) -> str:
    return json.dumps({"eventType": "com.okta.event_hook", "eventId": "d-1",
                       "data": {"events": list(events)}})  # fmt: skip


def post(live_server, body: str | bytes, secret: str | None, **headers) -> requests.Response:
    if secret is not None:
        headers["Authorization"] = secret
    headers.setdefault("Content-Type", "application/json")
    return requests.post(f"{live_server.url}{URL}", data=body, headers=headers, timeout=10)


def raw_post(live_server, head: str, body: bytes) -> tuple[int, bytes]:
    """One request written by hand, for headers no HTTP client would send."""
    address = urlsplit(live_server.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(head.encode("latin-1") + b"\r\n\r\n" + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    return status, answer.split(b"\r\n\r\n", 1)[1]


# The body: never a 500 --------------------------------------------------------------
@pytest.mark.parametrize(
    "target",
    [{"type": ["User"], "id": "00u1"}, {"type": {"a": 1}, "id": "00u1"}],
    ids=["list", "object"],
)
def test_a_target_type_that_is_not_text_names_nothing_and_is_no_500(live_server, secret, target):
    body = json.dumps({"data": {"events": [{"uuid": "u", "eventType": "t", "target": [target]}]}})

    response = post(live_server, body, secret)

    assert response.status_code == 204, response.text
    assert HookEvent.objects.get().target_id == ""


@pytest.mark.parametrize("field", ["uuid", "eventType"])
def test_a_lone_surrogate_in_an_event_is_a_400_and_stores_nothing(live_server, secret, field):
    one = {"uuid": "u-1", "eventType": "user.lifecycle.create"} | {field: "x\ud800"}
    body = json.dumps({"data": {"events": [one]}})  # ASCII JSON with a \\ud800 escape

    response = post(live_server, body, secret)

    assert response.status_code == 400, response.text
    assert not HookEvent.objects.exists()


def test_a_lone_surrogate_in_a_target_label_is_stored_without_it(live_server, secret):
    body = delivery(event("u-1", alternateId="ada\udc80@corp.example"))

    assert post(live_server, body, secret).status_code == 204

    assert HookEvent.objects.get().target_label == "ada?@corp.example"


@pytest.mark.parametrize("declared", ["\u00b2", "\u00b9\u00b2"])
def test_a_content_length_of_superscript_digits_is_a_400_not_a_500(live_server, secret, declared):
    body = delivery(event("u-1")).encode()
    head = (f"POST {URL} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            f"Authorization: {secret}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {declared}")  # fmt: skip

    status, answer = raw_post(live_server, head, body)

    assert status == 400, answer
    assert not HookEvent.objects.exists()


# The secret ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "given",
    [
        lambda s, old: old,  # removed: the previous secret, gone since
        lambda s, old: s[:-1],
        lambda s, old: s + "A",
        lambda s, old: s.swapcase(),
        lambda s, old: f"Bearer {s}",
        lambda s, old: "\u00e9" * len(s),  # sent as Latin-1 bytes
        lambda s, old: "x" * 8000,
    ],
    ids=["removed", "short", "long", "case", "scheme", "latin1", "huge"],
)
def test_a_wrong_secret_gets_401_and_its_events_block_nothing(live_server, given):
    caller = Caller.command("test")
    old = configure.new_secret(caller)
    current = configure.new_secret(caller)
    configure.remove_previous(caller)

    refused = post(live_server, delivery(event("real-uuid")), given(current, old))
    accepted = post(live_server, delivery(event("real-uuid")), current)

    assert refused.status_code == 401 and refused.json()["error"].startswith("A valid event")
    assert accepted.status_code == 204
    counters = HookCounters.load()
    assert (counters.deliveries, counters.events_received, counters.duplicates) == (1, 1, 0)


# Size: refused whole, answered fast, no call to Okta in the request ---------------------
def test_ten_thousand_events_in_one_post_are_refused_whole(live_server, secret):
    events = [event(f"u-{n}") for n in range(10_000)]

    response = post(live_server, delivery(*events), secret)

    assert response.status_code == 400
    assert f"{MAX_EVENTS} events at most" in response.json()["error"]
    assert not HookEvent.objects.exists()


def test_a_full_delivery_is_answered_in_under_3_seconds_without_calling_okta(
    live_server, secret, fake_org
):
    events = [event(f"u-{n}", id=f"00u{n:017d}") for n in range(MAX_EVENTS)]
    before = len(fake_org.requests)

    response = post(live_server, delivery(*events), secret)

    assert response.status_code == 204
    assert response.elapsed.total_seconds() < 3
    assert HookEvent.objects.count() == MAX_EVENTS
    assert len(fake_org.requests) == before


# Forged events: at most a re-read, and Okta's answer is what counts -------------------
def directory_state() -> tuple:
    users = User.objects.values_list("login_id", "is_active", "role", "first_name", "last_name")
    links = DirectoryLink.objects.values_list("source", "external_id", "user_id", "group_id")
    members = GroupMembership.objects.values_list("group_id", "user_id")
    return sorted(users), sorted(links), sorted(members), sorted(Group.objects.values_list("name"))


def process() -> dict[str, str]:
    """Process what was stored; the live server's own task may hold the lease meanwhile."""

    def settled() -> bool:
        processing.process_pending()
        return not _busy()

    wait_until(settled, 30, "events still being processed")
    return dict(HookEvent.objects.values_list("uuid", "status"))


@pytest.fixture
def synced(live_server, secret, org, run_sync):
    """Everyone in the org synced; Finance grants System Admin; Alan is an Owner here."""
    RoleMapping.objects.create(okta_group_id=org.finance.id, role=Role.SYSTEM_ADMIN)
    assert run_sync().status == RunStatus.SUCCEEDED
    User.objects.filter(login_id="alan@corp.example").update(role=Role.OWNER)
    return org


def test_forged_events_change_nothing_okta_does_not_say(live_server, secret, synced):
    org = synced
    local = UserFactory(login_id="local@corp.example")
    forged = [
        event("active", id=org.ada.id),  # Okta: ACTIVE
        event("owner", "user.lifecycle.suspend", id=org.alan.id),  # an Owner, ACTIVE in Okta
        event("left", "group.user_membership.remove", id=org.linus.id),  # still in Finance
        event("local-pk", id=str(local.pk)),  # a local account, by its console id
        event("group-as-user", id=org.finance.id),  # the mapped group's id, as a user
        event("mapped-group", "group.lifecycle.delete", type="UserGroup", id=org.finance.id),
        event("nobody", "user.lifecycle.delete.initiated", id="00u00000000000000000"),
    ]
    before = directory_state()

    assert post(live_server, delivery(*forged), secret).status_code == 204
    statuses = process()

    assert directory_state() == before, statuses
    assert set(statuses.values()) <= {EventStatus.APPLIED, EventStatus.IGNORED}, statuses


def test_a_forged_event_for_a_user_outside_the_app_creates_nobody(
    live_server, secret, org, run_sync
):
    OktaOrg.objects.update(scope=Scope.APP)
    assert run_sync().status == RunStatus.SUCCEEDED

    post(live_server, delivery(event("outsider", "user.lifecycle.create", id=org.outsider.id)),
         secret)  # fmt: skip
    process()

    assert not User.objects.filter(login_id="outsider@corp.example").exists()
    assert HookEvent.objects.get().status == EventStatus.IGNORED


def test_an_event_naming_a_user_by_login_does_not_link_the_login(live_server, secret, synced):
    """Okta answers GET /users/{login} with the user, so an event naming
    `mallory@corp.example` instead of her id re-read her and created her linked under the
    login: her real id then found the login taken, and no later event of hers applied."""
    mallory = synced.directory.add_user("mallory@corp.example")

    forged = event("by-login", "user.lifecycle.create", id="mallory@corp.example")
    post(live_server, delivery(forged), secret)
    process()

    assert not DirectoryLink.objects.filter(external_id="mallory@corp.example").exists()
    assert "only an Okta user ID is acted on" in HookEvent.objects.get().detail
    real = event("by-id", "user.lifecycle.create", id=mallory.id)
    post(live_server, delivery(real), secret)
    process()
    row = User.objects.get(login_id="mallory@corp.example")
    assert row.links.get(source=LinkSource.OKTA_SYNC).external_id == mallory.id


@pytest.mark.parametrize("published", ["9999-12-31T23:00:00-14:00", "0001-01-01T00:00:00+14:00"])
def test_a_published_time_out_of_range_in_utc_breaks_neither_panel_nor_processing(
    live_server, secret, owner, published
):
    """Stored as given, it was a year PostgreSQL keeps but cannot hand back: the panel
    answered 500 and every processing pass failed on reading the waiting events."""
    poisoned = event("u-1", "user.lifecycle.create") | {"published": published}

    assert post(live_server, delivery(poisoned), secret).status_code == 204

    browser = Client()
    browser.force_login(owner)
    assert browser.get(PANEL).status_code == 200
    assert process() == {"u-1": EventStatus.IGNORED}  # synchronization is off


# Register with Okta, when the API URL does not answer like Okta ------------------------
class NotOkta:
    """A server at the saved API URL that answers every POST with `answer`."""

    def __init__(self, answer: dict) -> None:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answer", "kept_id"),
    [
        ({"id": "who" + "x" * 200, "status": "ACTIVE"}, ""),
        ({"id": {"a": 1}}, ""),
        ({"id": "who1", "status": "A" * 99, "verificationStatus": "VERIFIED"}, "who1"),
    ],
    ids=["long-id", "object-id", "long-status"],
)
def test_register_against_a_server_that_is_not_okta_is_a_clear_error(owner, answer, kept_id):
    not_okta = NotOkta(answer)
    OktaOrg.objects.update_or_create(pk=1, defaults={
        "api_url": not_okta.url, "api_token_encrypted": encrypt_token("t" * 40),
        "api_token_last4": "tttt"})  # fmt: skip
    browser = Client()
    browser.force_login(owner)
    try:
        page = browser.post(PANEL, {"op": "register"}, follow=True)
    finally:
        not_okta.server.shutdown()

    assert page.status_code == 200
    hook = HookSettings.load()
    assert (hook.okta_hook_id, hook.has_secret) == (kept_id, bool(kept_id))
    assert len(hook.okta_status) <= 16
    if not kept_id:
        assert "no usable event hook ID" in page.content.decode()
