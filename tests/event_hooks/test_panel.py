"""The Okta Event Hooks panel: who sees it, who changes it (an Owner), the secret shown once,
rotation, event types, and Register with Okta with clear errors."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from event_hooks.models import Effect, EventStatus, HookEvent, HookSettings
from event_hooks.service import held
from fake_okta import FakeOkta, FakeOktaDirectory
from okta.models import OktaOrg
from okta.token_crypto import encrypt_token
from querypie_admin.models import AuditEvent

PANEL = "/administrator/authentication/okta-event-hooks/"


def signed_in(user, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(owner) -> Client:
    return signed_in(owner)


@pytest.mark.django_db
def test_owner_and_system_admin_see_the_panel_a_user_does_not(owner, system_admin, plain_user):
    page = signed_in(owner).get(PANEL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "http://testserver/api/okta/event-hook" in html
    assert 'value="secret"' in html and "Register with Okta" in html

    seen = signed_in(system_admin).get(PANEL)
    assert seen.status_code == 200
    assert "Only an Owner can change these settings" in seen.content.decode()
    assert 'value="secret"' not in seen.content.decode()

    assert signed_in(plain_user).get(PANEL).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("op", ["secret", "save", "register", "remove_previous", "refresh"])
def test_a_system_admin_or_user_cannot_change_hook_settings(system_admin, plain_user, op):
    for user in (system_admin, plain_user):
        response = signed_in(user).post(
            PANEL, {"op": op, "header_name": "X-Evil", "event_types": ["user.lifecycle.create"]}
        )
        assert response.status_code == 403
    hook = HookSettings.load()
    assert not hook.has_secret and hook.header_name == "Authorization"
    assert not AuditEvent.objects.filter(action__startswith="event_hook.").exists()


@pytest.mark.django_db
def test_changes_need_the_csrf_token(owner):
    response = signed_in(owner, csrf=True).post(PANEL, {"op": "secret"})

    assert response.status_code == 403
    assert not HookSettings.load().has_secret


@pytest.mark.django_db
def test_the_secret_is_shown_once_then_only_its_last_four(owner_client):
    response = owner_client.post(PANEL, {"op": "secret"})
    assert response.status_code == 302

    first = owner_client.get(PANEL).content.decode()
    hook = HookSettings.load()
    shown = first.split('id="new-secret-value" class="value">')[1].split("<")[0]
    assert shown.endswith(hook.secret_last4) and len(shown) >= 40
    again = owner_client.get(PANEL).content.decode()
    assert shown not in again and f"••••••••{hook.secret_last4}" in again
    assert AuditEvent.objects.filter(action="event_hook.secret_generated").count() == 1
    assert shown not in str(AuditEvent.objects.values_list("detail", flat=True))


@pytest.mark.django_db
def test_rotate_keeps_the_previous_secret_until_it_is_removed(owner_client):
    owner_client.post(PANEL, {"op": "secret"})
    first = HookSettings.load().secret_last4
    owner_client.post(PANEL, {"op": "secret"})

    hook = HookSettings.load()
    assert hook.previous_last4 == first and hook.has_secret
    refused = owner_client.post(PANEL, {"op": "secret"}, follow=True).content.decode()
    assert "previous secret is still valid" in refused

    owner_client.post(PANEL, {"op": "remove_previous"})
    assert not HookSettings.load().has_previous
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == [
        "event_hook.secret_generated",
        "event_hook.secret_rotated",
        "event_hook.previous_secret_removed",
    ]


@pytest.mark.django_db
def test_save_changes_the_header_and_event_types_and_refuses_bad_values(owner_client):
    response = owner_client.post(
        PANEL,
        {"op": "save", "header_name": "X-Okta-Secret",
         "event_types": ["user.lifecycle.deactivate", "group.user_membership.add"]},
    )  # fmt: skip
    assert response.status_code == 302
    hook = HookSettings.load()
    assert hook.header_name == "X-Okta-Secret"
    assert hook.event_types == ["group.user_membership.add", "user.lifecycle.deactivate"]

    for header, types, message in (
        ("Host", ["user.lifecycle.create"], "HTTP or proxies give meaning to"),
        ("Bad Header", ["user.lifecycle.create"], "letters, digits"),
        ("X_Okta_Secret", ["user.lifecycle.create"], "letters, digits"),
        ("X-Ok", [], "Choose at least one event type"),
        ("X-Ok", ["user.session.start"], "not one of the available choices"),
    ):
        bad = owner_client.post(PANEL, {"op": "save", "header_name": header, "event_types": types})
        assert bad.status_code == 400 and message in bad.content.decode()
    assert HookSettings.load().header_name == "X-Okta-Secret"


@pytest.mark.django_db
def test_register_without_an_api_token_says_what_to_do(owner_client):
    page = owner_client.post(PANEL, {"op": "register"}, follow=True).content.decode()

    assert "Save the Okta API URL and API Token under Synchronization first" in page
    assert not HookSettings.load().okta_hook_id


@pytest.fixture
def okta() -> FakeOkta:
    with FakeOkta(FakeOktaDirectory(seed=3), forbidden_token="read-only-token") as fake:
        yield fake


def use_token(okta: FakeOkta, token: str) -> None:
    s = OktaOrg.load()
    s.api_url, s.api_token_encrypted, s.api_token_last4 = (
        okta.base_url,
        encrypt_token(token),
        "xxxx",
    )
    s.save()


@pytest.mark.django_db
def test_register_with_a_token_that_cannot_manage_hooks_is_a_clear_refusal(owner_client, okta):
    use_token(okta, "read-only-token")

    page = owner_client.post(PANEL, {"op": "register"}, follow=True).content.decode()

    assert "cannot manage event hooks" in page
    hook = HookSettings.load()
    assert not hook.okta_hook_id and not hook.has_secret
    assert okta.event_hooks.hooks == {}


def test_register_with_okta_from_the_panel_creates_and_verifies(
    transactional_db, live_server, settings, owner, okta
):
    settings.CONSOLE_BASE_URL = live_server.url
    use_token(okta, okta.token)

    page = signed_in(owner).post(PANEL, {"op": "register"}, follow=True).content.decode()

    hook = HookSettings.load()
    assert f"Registered with Okta as event hook {hook.okta_hook_id}: VERIFIED" in page
    assert okta.event_hooks.hooks[hook.okta_hook_id].verification_status == "VERIFIED"
    again = signed_in(owner).post(PANEL, {"op": "register"}, follow=True).content.decode()
    assert "already registered with Okta" in again
    assert len(okta.event_hooks.hooks) == 1


def held_event(uuid: str, effect: str = "") -> HookEvent:
    return HookEvent.objects.create(
        uuid=uuid, event_type="user.lifecycle.deactivate", okta_user_id="00u1",
        status=EventStatus.HELD, detail="Held: …", effect=effect,
    )  # fmt: skip


@pytest.mark.django_db
def test_a_system_admin_confirms_held_events_up_to_those_shown_a_user_cannot(
    system_admin, plain_user
):
    shown, later = held_event("shown"), held_event("later")
    confirm = PANEL + "held/confirm/"

    assert signed_in(plain_user).post(confirm, {"up_to": later.pk, "shown": 2}).status_code == 403
    assert (
        signed_in(system_admin, csrf=True)
        .post(confirm, {"up_to": shown.pk, "shown": 1})
        .status_code
        == 403
    )
    response = signed_in(system_admin).post(confirm, {"up_to": shown.pk, "shown": 1})

    assert response.status_code == 302
    shown.refresh_from_db()
    later.refresh_from_db()
    assert (shown.status, shown.confirmed_by_label) == (EventStatus.RECEIVED, system_admin.login_id)
    assert later.status == EventStatus.HELD
    assert AuditEvent.objects.get(action="event_hook.held_confirmed").detail["events"] == 1


@pytest.mark.django_db
def test_confirm_acts_only_on_exactly_the_held_events_the_page_listed(owner):
    held_event("held after the page was drawn, committed late with a lower id")
    listed = held_event("listed")

    page = signed_in(owner).post(
        PANEL + "held/confirm/", {"up_to": listed.pk, "shown": 1}, follow=True
    )

    assert "changed since the page was shown" in page.content.decode()
    assert HookEvent.objects.filter(status=EventStatus.HELD).count() == 2
    assert not AuditEvent.objects.filter(action="event_hook.held_confirmed").exists()


@pytest.mark.django_db
def test_discard_leaves_held_events_to_the_next_sync(owner):
    event = held_event("x")

    signed_in(owner).post(PANEL + "held/discard/", {"up_to": event.pk, "shown": 1})

    event.refresh_from_db()
    assert event.status == EventStatus.IGNORED and "Discarded by owner@corp.example" in event.detail


@pytest.mark.django_db
def test_a_system_admin_cannot_confirm_held_promotions(client, system_admin):
    """A System Admin who could confirm promotions could confirm their own: Owners only."""
    promotion = held_event("promotion", effect=Effect.PROMOTE)
    client.force_login(system_admin)

    response = client.post(reverse("event_hooks_confirm"), {"up_to": promotion.pk, "shown": 1})

    assert response.status_code == 403
    assert "Only an Owner can confirm held events that promote anyone." in response.content.decode()
    assert HookEvent.objects.get(pk=promotion.pk).status == EventStatus.HELD
    assert AuditEvent.objects.get(action="event_hook.held_confirmed").outcome == "failure"


@pytest.mark.django_db
def test_only_an_owners_confirmation_waives_the_promotion_guard(owner, system_admin):
    """A System Admin confirms a held deactivation; if Okta has since reactivated the user,
    applying it may promote: that stays behind the promotion guard (attacker's pass)."""
    by_admin = held_event("by-admin")
    by_owner = held_event("by-owner")
    HookEvent.objects.filter(pk=by_admin.pk).update(confirmed_by_label=system_admin.login_id)
    HookEvent.objects.filter(pk=by_owner.pk).update(confirmed_by_label=owner.login_id)
    by_admin.refresh_from_db(), by_owner.refresh_from_db()

    assert not held.confirmed_by_an_owner([by_admin])
    assert held.confirmed_by_an_owner([by_admin, by_owner])
    type(owner).objects.filter(pk=owner.pk).update(role="system_admin")
    assert not held.confirmed_by_an_owner([by_owner])  # demoted before the events were applied
