"""The fake Okta's event hooks, as Okta documents them: the admin API, verification by a
challenge echoed back, deliveries in Okta's shape with the configured header, at most one
retry; and the by-id reads the console's processing makes through its Okta client."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from fake_okta import FakeOkta, FakeOktaDirectory
from okta.client import OktaClient
from okta.errors import OktaPermissionError


class Receiver:
    """A tiny hook endpoint: echoes challenges, records deliveries, answers `status`."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[dict, dict]] = []  # (headers, body)
        self.status = 204
        self.echo = True
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                challenge = self.headers.get("x-okta-verification-challenge", "")
                body = json.dumps({"verification": challenge if receiver.echo else "no"})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.deliveries.append((dict(self.headers), json.loads(raw)))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()


@pytest.fixture
def okta():
    with FakeOkta(FakeOktaDirectory(seed=5), forbidden_token="read-only") as fake:
        yield fake


def admin(okta: FakeOkta, method: str, path: str = "", body: dict | None = None, token=None):
    headers = {"Authorization": f"SSWS {token or okta.token}"}
    url = f"{okta.base_url}/api/v1/eventHooks{path}"
    return requests.request(method, url, json=body, headers=headers, timeout=10)


def create_body(uri: str, events=("user.lifecycle.deactivate",)) -> dict:
    scheme = {"type": "HEADER", "key": "Authorization", "value": "s3cret"}
    config = {"uri": uri, "headers": [{"key": "X-Extra", "value": "1"}], "authScheme": scheme}
    return {"name": "QueryPie", "events": {"type": "EVENT_TYPE", "items": list(events)},
            "channel": {"type": "HTTP", "version": "1.0.0", "config": config}}  # fmt: skip


def test_create_verify_and_deliver_in_oktas_shape_with_the_hook_headers(okta, receiver):
    created = admin(okta, "POST", body=create_body(receiver.url)).json()
    assert created["verificationStatus"] == "UNVERIFIED"
    assert created["channel"]["config"]["authScheme"] == {"type": "HEADER", "key": "Authorization"}

    verified = admin(okta, "POST", f"/{created['id']}/lifecycle/verify").json()
    assert verified["verificationStatus"] == "VERIFIED"
    assert [h["id"] for h in admin(okta, "GET").json()] == [created["id"]]

    user = okta.directory.add_user("ada@corp.example")
    okta.directory.deactivate_user(user.id)
    okta.deliveries.wait_idle()

    (headers, body), = receiver.deliveries  # fmt: skip
    assert headers["Authorization"] == "s3cret" and headers["X-Extra"] == "1"
    assert body["eventType"] == "com.okta.event_hook"
    assert (body["eventTypeVersion"], body["cloudEventsVersion"]) == ("1.0", "0.1")
    assert body["source"].endswith(f"/api/v1/eventHooks/{created['id']}")
    (event,) = body["data"]["events"]
    assert event["eventType"] == "user.lifecycle.deactivate"
    assert event["target"][0] | {"detailEntry": None} == {
        "id": user.id, "type": "User", "alternateId": "ada@corp.example",
        "displayName": "Test User", "detailEntry": None,
    }  # fmt: skip
    assert event["outcome"]["result"] == "SUCCESS" and event["uuid"]


def test_verification_fails_when_the_challenge_is_not_echoed(okta, receiver):
    receiver.echo = False
    created = admin(okta, "POST", body=create_body(receiver.url)).json()

    answer = admin(okta, "POST", f"/{created['id']}/lifecycle/verify")

    assert answer.status_code == 400 and answer.json()["errorCode"] == "E0000001"
    okta.directory.add_user("ada@corp.example")
    assert okta.deliveries.sent == [] and receiver.deliveries == []


def test_a_5xx_is_retried_once_then_given_up(okta, receiver):
    okta.event_hooks.register(receiver.url, "Authorization", "s", ["user.lifecycle.create"])
    receiver.status = 503

    okta.directory.add_user("ada@corp.example")
    okta.deliveries.wait_idle()

    assert len(receiver.deliveries) == 2
    assert [(d.status, d.attempts) for d in okta.deliveries.sent] == [(503, 2)]


def test_deactivated_hooks_receive_nothing_and_the_admin_api_needs_a_permitted_token(
    okta, receiver
):
    hook = okta.event_hooks.register(receiver.url, "Authorization", "s", ["user.lifecycle.create"])
    assert admin(okta, "POST", f"/{hook.id}/lifecycle/deactivate").json()["status"] == "INACTIVE"
    okta.directory.add_user("ada@corp.example")
    assert receiver.deliveries == []

    assert admin(okta, "GET", token="read-only").status_code == 403
    assert admin(okta, "GET", token="nope").status_code == 401
    assert admin(okta, "POST", body={"name": "x"}).status_code == 400
    assert admin(okta, "GET", "/who-not-there").status_code == 404
    other = requests.post(f"{okta.base_url}/api/v1/users", timeout=10)
    assert other.status_code == 405  # every other route stays GET-only


def test_the_by_id_reads_of_the_okta_client(okta):
    d = okta.directory
    ada = d.add_user("ada@corp.example")
    staff = d.add_group("Staff")
    d.add_member(staff.id, ada.id)
    d.assign_user(ada.id)
    with OktaClient(okta.base_url, okta.token) as client:
        assert client.find_user(ada.id)["profile"]["login"] == "ada@corp.example"
        assert client.find_user("00unothere") is None
        assert client.find_group("00gnothere") is None
        names = {g["profile"]["name"] for g in client.iter_user_groups(ada.id)}
        assert names == {"Everyone", "Staff"}
        assert client.find_app_user(okta.app_id, ada.id)["scope"] == "USER"
        d.unassign_user(ada.id)
        assert client.find_app_user(okta.app_id, ada.id) is None
    with OktaClient(okta.base_url, "read-only") as client, pytest.raises(OktaPermissionError):
        client.create_event_hook({"name": "x"})
