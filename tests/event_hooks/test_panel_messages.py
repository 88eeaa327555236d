"""The Event Hooks panel answers each button beside its form, as the other Authentication
sections do (querypie_admin/placed_messages.py): the page returns to that section and its
message is shown there, not at the top where nobody looks; statuses are coloured badges."""

import re

import pytest
from django.test import Client

from event_hooks.models import EventStatus, HookEvent, HookSettings

PANEL = "/administrator/authentication/okta-event-hooks/"


def section(page: str, place: str) -> str:
    """The HTML of the panel's section `place`."""
    return re.search(rf'<section [^>]*id="{place}">(.*?)</section>', page, re.S).group(1)


@pytest.fixture
def owner_client(owner) -> Client:
    client = Client()
    client.force_login(owner)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("form", "place", "message"),
    [
        ({"op": "save", "header_name": "X-Okta-Secret", "event_types": ["user.lifecycle.create"]},
         "hook-types", "Okta Event Hooks settings saved."),
        ({"op": "remove_previous"}, "hook-secret", "There is no previous secret to remove."),
    ],
)  # fmt: skip
def test_a_button_s_message_is_shown_in_its_own_section(owner_client, form, place, message):
    response = owner_client.post(PANEL, form)

    assert response.status_code == 302
    assert response["Location"] == f"{PANEL}#{place}"
    page = owner_client.get(response["Location"]).content.decode()
    assert message in section(page, place)
    assert page.count(message) == 1  # not also at the top


@pytest.mark.django_db
def test_a_stale_held_list_is_answered_in_the_live_status(owner_client):
    response = owner_client.post(f"{PANEL}held/confirm/", {})  # no list: reload asked

    assert response.status_code == 302 and response["Location"].endswith("#hook-status")
    page = owner_client.get(PANEL).content.decode()
    assert "Reload the page" in section(page, "hook-status")


@pytest.mark.django_db
def test_okta_s_status_and_each_event_s_status_are_badges(owner_client):
    hook = HookSettings.load()
    hook.okta_hook_id, hook.okta_status, hook.okta_verification = "who1", "ACTIVE", "VERIFIED"
    hook.save()
    HookEvent.objects.create(uuid="e1", event_type="user.lifecycle.deactivate",
                             status=EventStatus.APPLIED, okta_user_id="00u1")  # fmt: skip

    page = owner_client.get(PANEL).content.decode()

    badges = re.findall(r'status-badge tone-(\w+)" data-status="(\w+)">([^<]+)<', page)
    assert ("ok", "ACTIVE", "Active") in badges
    assert ("ok", "VERIFIED", "Verified") in badges
    assert ("ok", "applied", "Applied") in badges
