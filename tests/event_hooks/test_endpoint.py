"""/api/okta/event-hook: Okta's verification GET and deliveries, authenticated by the header
secret (two at once while rotating), stored once per event uuid, answered 204 or a clear
400/401, and nothing stored or queued for a caller without the secret."""

from __future__ import annotations

import json

import pytest

from event_hooks.models import EventStatus, HookCounters, HookEvent, HookSettings
from event_hooks.service import authentication, configure
from event_hooks.service.intake import MAX_BODY
from querypie_admin.directory import Caller

pytestmark = pytest.mark.django_db
URL = "/api/okta/event-hook"


@pytest.fixture
def secret() -> str:
    return configure.new_secret(Caller.command("test"))


def event(uuid: str = "ev-1", event_type: str = "user.lifecycle.deactivate") -> dict:
    target = {"id": "00uada", "type": "User", "alternateId": "ada@corp.example"}
    return {"uuid": uuid, "eventType": event_type, "published": "2026-11-30T04:00:00.000Z",
            "target": [target], "outcome": {"result": "SUCCESS"}}  # fmt: skip


def delivery(*events: dict) -> str:
    body = {"eventType": "com.okta.event_hook", "eventTypeVersion": "1.0",
            "cloudEventsVersion": "0.1", "eventId": "delivery-1",
            "data": {"events": list(events or [event()])},
            "contentType": "application/json"}  # fmt: skip
    return json.dumps(body)


def post(client, body: str, value: str | None, header: str = "Authorization"):
    headers = {header: value} if value is not None else {}
    return client.post(URL, body, content_type="application/json", headers=headers)


def test_okta_verification_is_echoed_to_a_caller_with_the_secret(client, secret):
    response = client.get(
        URL, headers={"Authorization": secret, "x-okta-verification-challenge": "c-123"}
    )

    assert response.status_code == 200
    assert response.json() == {"verification": "c-123"}


def test_verification_without_the_secret_echoes_nothing(client, secret):
    response = client.get(URL, headers={"x-okta-verification-challenge": "c-123"})

    assert response.status_code == 401
    assert "c-123" not in response.content.decode()


def test_a_get_with_the_secret_but_no_challenge_is_a_clear_400(client, secret):
    response = client.get(URL, headers={"Authorization": secret})

    assert response.status_code == 400
    assert "x-okta-verification-challenge" in response.json()["error"]


@pytest.mark.parametrize("value", [None, "", "wrong", "Bearer wrong"])
def test_wrong_or_missing_secret_gets_401_and_nothing_is_stored_or_queued(
    client, secret, value, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        response = post(client, delivery(), value)

    assert response.status_code == 401
    assert response.json() == {"error": "A valid event hook secret is required."}
    assert not HookEvent.objects.exists()
    assert queued == []
    assert HookCounters.load().deliveries == 0


def test_no_secret_configured_refuses_every_delivery(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        response = post(client, delivery(), "")

    assert response.status_code == 401
    assert not HookEvent.objects.exists() and queued == []


def test_a_delivery_is_stored_answered_204_and_queued_once_committed(
    client, secret, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        response = post(client, delivery(event("a"), event("b", "group.user_membership.add"))
                        , secret)  # fmt: skip

    assert response.status_code == 204
    stored = {e.uuid: e for e in HookEvent.objects.all()}
    assert set(stored) == {"a", "b"}
    assert stored["a"].okta_user_id == "00uada"
    assert stored["a"].target_label == "ada@corp.example"
    assert stored["a"].status == EventStatus.RECEIVED
    assert stored["a"].delivery_id == "delivery-1"
    assert len(queued) == 1
    counters = HookCounters.load()
    assert (counters.deliveries, counters.events_received, counters.duplicates) == (1, 2, 0)


def test_a_repeated_delivery_stores_each_event_once_and_queues_nothing_more(
    client, secret, django_capture_on_commit_callbacks
):
    post(client, delivery(event("a")), secret)
    HookCounters.objects.update(queued_at=None)  # as if the first task had started

    with django_capture_on_commit_callbacks() as queued:
        response = post(client, delivery(event("a"), event("a")), secret)

    assert response.status_code == 204
    assert HookEvent.objects.count() == 1
    assert queued == []
    counters = HookCounters.load()
    assert (counters.deliveries, counters.events_received, counters.duplicates) == (2, 1, 1)


def test_both_secrets_open_the_hook_while_rotating_and_the_old_one_stops_when_removed(client):
    caller = Caller.command("test")
    old = configure.new_secret(caller)
    new = configure.new_secret(caller)

    assert post(client, delivery(event("1")), old).status_code == 204
    assert post(client, delivery(event("2")), new).status_code == 204

    configure.remove_previous(caller)

    assert post(client, delivery(event("3")), old).status_code == 401
    assert post(client, delivery(event("4")), new).status_code == 204
    assert set(HookEvent.objects.values_list("uuid", flat=True)) == {"1", "2", "4"}


def test_a_third_secret_is_refused_while_the_previous_one_is_still_valid():
    caller = Caller.command("test")
    configure.new_secret(caller)
    configure.new_secret(caller)

    with pytest.raises(configure.SettingsRefused, match="previous secret is still valid"):
        configure.new_secret(caller)


def test_the_secret_is_stored_only_as_a_salted_hash(secret):
    hook = HookSettings.load()

    assert secret not in str(HookSettings.objects.values().get())
    assert hook.secret_last4 == secret[-4:]
    assert hook.secret_hash != authentication.hash_secret(secret)  # salted: never the same
    assert authentication.authenticated(hook, secret)
    assert not authentication.authenticated(hook, secret[:-1])


def test_a_custom_header_name_carries_the_secret(client, secret):
    configure.save_settings(Caller.command("test"), "X-Okta-Hook-Secret", ["user.lifecycle.create"])

    assert post(client, delivery(), secret).status_code == 401
    assert post(client, delivery(), secret, header="X-Okta-Hook-Secret").status_code == 204


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", "not JSON"),
        ('"a string"', "data.events"),
        ('{"data": {"events": {}}}', "data.events"),
        ('{"data": [1]}', "data.events"),
        ("[" * 100_000 + "]" * 100_000, "not JSON"),
        (b"\xff\xfe\x00", "not JSON"),
        ('{"data": {"events": [42]}}', "Event 1 is not an object"),
        ('{"data": {"events": [{"eventType": "user.lifecycle.create"}]}}', "no usable uuid"),
        ('{"data": {"events": [{"uuid": "x"}]}}', "no usable eventType"),
        ('{"data": {"events": [{"uuid": "x\\u0000", "eventType": "t"}]}}', "no usable uuid"),
    ],
)
def test_a_body_that_is_not_a_delivery_gets_a_clear_400_and_stores_nothing(
    client, secret, body, message
):
    response = post(client, body, secret)

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not HookEvent.objects.exists()


def test_an_oversize_body_gets_400_not_500(client, secret):
    padding = "x" * (MAX_BODY + 10)
    response = post(client, json.dumps({"data": {"events": []}, "pad": padding}), secret)

    assert response.status_code == 400
    assert "larger than" in response.json()["error"]


def test_other_methods_are_not_allowed(client, secret):
    response = client.put(URL, delivery(), headers={"Authorization": secret})

    assert response.status_code == 405
