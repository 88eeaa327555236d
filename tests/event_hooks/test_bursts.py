"""Bursts: 2,000 events answered in time, and a mass deactivation held by the guard until an
administrator confirms it (which reads Okta again first)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from event_hooks.models import Effect, EventStatus, HookEvent
from okta.models import OktaOrg
from querypie_admin.models import AuditEvent, User

BURST = 2000
ANSWER_LIMIT = 3.0  # Okta's timeout: every delivery must be answered within it


@pytest.mark.parametrize("org_size", [200])
def test_a_burst_of_2000_events_is_answered_within_3_seconds_each(hooked):
    people, deliveries = hooked.org.extra, hooked.okta.deliveries
    deliveries.hold()
    for n in range(BURST):
        person = people[n % len(people)]
        hooked.directory.update_user(person.id, mobilePhone=f"+1 555 {n:04d}")

    sent = deliveries.release(parallel=8)

    assert len(sent) == BURST
    assert {d.status for d in sent} == {204}
    slowest = max(seconds for d in sent for seconds in d.times)  # retries too, if any
    assert slowest < ANSWER_LIMIT, slowest
    hooked.settle(timeout=180)
    assert HookEvent.objects.filter(status=EventStatus.APPLIED).count() == BURST
    last = people[(BURST - 1) % len(people)]
    assert hooked.user(last).mobile_phone == f"+1 555 {BURST - 1:04d}"


@pytest.mark.parametrize("org_size", [46])  # 50 synced users: 20% lets 10 go at once
def test_a_burst_that_would_deactivate_past_the_guard_is_held_and_confirm_applies_it(hooked, owner):
    OktaOrg.objects.update(deactivation_threshold=20)
    leaving = hooked.org.extra[:15]
    hooked.okta.deliveries.hold()
    for person in leaving:
        hooked.directory.deactivate_user(person.id)

    hooked.okta.deliveries.release(parallel=4)
    hooked.settle()

    pks = [hooked.user(person).pk for person in leaving]
    assert User.objects.filter(pk__in=pks, is_active=False).count() == 10
    held = HookEvent.objects.filter(status=EventStatus.HELD)
    assert held.count() == 5
    assert held.filter(effect=Effect.DEACTIVATE).count() == 5
    assert any("more than the 20% threshold" in event.detail for event in held)
    page = _admin(owner).get("/administrator/authentication/okta-event-hooks/").content.decode()
    assert "Held for confirmation (5)" in page and "Confirm and apply" in page

    up_to = max(held.values_list("pk", flat=True))
    response = _admin(owner).post(
        "/administrator/authentication/okta-event-hooks/held/confirm/",
        {"up_to": up_to, "shown": 5},
    )
    assert response.status_code == 302
    hooked.settle()

    assert User.objects.filter(pk__in=pks, is_active=False).count() == 15
    assert not HookEvent.objects.filter(status=EventStatus.HELD).exists()
    confirmed = HookEvent.objects.exclude(confirmed_by_label="")
    assert confirmed.count() == 5 and set(confirmed.values_list("status", flat=True)) == {
        EventStatus.APPLIED
    }
    assert AuditEvent.objects.filter(action="event_hook.held_confirmed").count() == 1


@pytest.mark.parametrize("org_size", [46])
def test_confirming_reads_okta_again_so_a_user_reactivated_meanwhile_stays_active(hooked, owner):
    OktaOrg.objects.update(deactivation_threshold=20)
    leaving = hooked.org.extra[:11]
    hooked.okta.deliveries.hold()
    for person in leaving:
        hooked.directory.deactivate_user(person.id)
    hooked.okta.deliveries.release()
    hooked.settle()
    held = HookEvent.objects.get(status=EventStatus.HELD)
    back = next(p for p in leaving if p.id == held.okta_user_id)
    hooked.okta.deliveries.hold()  # Okta reactivates them; that event is not delivered yet
    hooked.directory.activate_user(back.id)

    _admin(owner).post(
        "/administrator/authentication/okta-event-hooks/held/confirm/",
        {"up_to": held.pk, "shown": 1},
    )
    hooked.settle()

    assert hooked.user(back).is_active
    held.refresh_from_db()
    assert held.status == EventStatus.APPLIED


def _admin(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("org_size", [46])
def test_while_changes_are_held_later_deactivations_wait_too_even_after_the_window(hooked):
    """A burst cannot trickle past the guard at the threshold's rate, window after window."""
    OktaOrg.objects.update(deactivation_threshold=20)
    leaving, late = hooked.org.extra[:11], hooked.org.extra[11]
    hooked.okta.deliveries.hold()
    for person in leaving:
        hooked.directory.deactivate_user(person.id)
    hooked.okta.deliveries.release()
    hooked.settle()
    assert HookEvent.objects.filter(status=EventStatus.HELD).count() == 1
    long_ago = timezone.now() - timedelta(minutes=30)
    HookEvent.objects.update(processed_at=long_ago)  # the window has passed

    hooked.directory.deactivate_user(late.id)
    hooked.settle()

    assert hooked.user(late).is_active
    held = HookEvent.objects.filter(status=EventStatus.HELD, okta_user_id=late.id).get()
    assert "wait for confirmation" in held.detail
