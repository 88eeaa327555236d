"""Password sign-in locks out a login ID, or an address, after repeated failures."""

import pytest
from django.urls import reverse

from querypie_admin.models import AuditEvent

pytestmark = pytest.mark.django_db
LOCKED = "Too many failed sign-ins"


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.SIGNIN_LOCKOUT_FAILURES = 3
    settings.SIGNIN_LOCKOUT_IP_FAILURES = 5
    settings.SIGNIN_LOCKOUT_SECONDS = 900


def attempt(client, login_id, password, ip="192.0.2.10"):
    data = {"login_id": login_id, "password": password}
    return client.post(reverse("login"), data, REMOTE_ADDR=ip)


def test_a_login_id_is_locked_after_repeated_failures_even_with_the_right_password(
    client, owner, password
):
    for _ in range(3):
        assert attempt(client, owner.login_id, "Wr0ng-pa55").status_code == 200

    response = attempt(client, owner.login_id.upper(), password)

    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    refusal = AuditEvent.objects.filter(action="auth.signin").latest("id")
    assert refusal.outcome == "failure"
    assert refusal.detail["reason"] == "locked out (too many failures, login ID)"


def test_the_lock_lifts_when_the_window_ends(client, owner, password):
    from django.core.cache import cache

    for _ in range(3):
        attempt(client, owner.login_id, "Wr0ng-pa55")
    cache.clear()  # what the window's expiry does
    assert attempt(client, owner.login_id, password).status_code == 302


def test_one_address_trying_many_login_ids_is_locked(client, owner, password):
    for n in range(5):
        attempt(client, f"guess{n}@corp.example", "Wr0ng-pa55")

    assert attempt(client, owner.login_id, password).status_code == 429
    assert attempt(client, owner.login_id, password, ip="192.0.2.99").status_code == 302


def test_unknown_login_ids_lock_out_like_known_ones(client):
    for _ in range(3):
        attempt(client, "nobody@corp.example", "Wr0ng-pa55")
    assert attempt(client, "nobody@corp.example", "x").status_code == 429


def test_a_successful_sign_in_forgets_the_login_ids_failures(client, owner, password):
    for _ in range(2):
        attempt(client, owner.login_id, "Wr0ng-pa55")
    assert attempt(client, owner.login_id, password).status_code == 302
    client.post(reverse("logout"))
    for _ in range(2):
        attempt(client, owner.login_id, "Wr0ng-pa55", ip="192.0.2.11")
    assert attempt(client, owner.login_id, password, ip="192.0.2.11").status_code == 302
