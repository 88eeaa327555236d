"""Attacks on the sign-in lock-out: turning it against the Owner.

Five wrong passwords for the Owner's login ID, sent from anywhere, used to keep the Owner out
of the console for 15 minutes, again and again. Failures now count per login ID and address:
an attacker locks only their own attempts on the Owner."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
ATTACKER = "203.0.113.66"
OWNER_DESK = "192.0.2.10"
PROXY = "127.0.0.1"


def attempt(client, login_id: str, password: str, **meta):
    return client.post(reverse("login"), {"login_id": login_id, "password": password}, **meta)


def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out_elsewhere(
    client, owner, password, settings
):
    for _ in range(settings.SIGNIN_LOCKOUT_FAILURES + 3):
        attempt(client, owner.login_id, "Wr0ng-guess", REMOTE_ADDR=ATTACKER)

    assert attempt(client, owner.login_id, password, REMOTE_ADDR=ATTACKER).status_code == 429
    assert attempt(client, owner.login_id, password, REMOTE_ADDR=OWNER_DESK).status_code == 302


def test_an_attacker_behind_the_same_proxy_does_not_lock_the_owner_out(
    client, owner, password, settings
):
    """Behind nginx every request comes from the proxy's address; the proxy names the
    client in X-Real-IP, which the console believes only from TRUSTED_PROXIES."""
    settings.TRUSTED_PROXIES = [PROXY]
    for _ in range(settings.SIGNIN_LOCKOUT_FAILURES + 3):
        attempt(client, owner.login_id, "Wr0ng-guess", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=ATTACKER)

    owner_signs_in = attempt(
        client, owner.login_id, password, REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=OWNER_DESK
    )

    assert owner_signs_in.status_code == 302
