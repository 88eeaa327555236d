"""Password sign-in locks out a login ID from one address, a login ID from every address,
or an address, after repeated failures."""

import pytest
from django.urls import reverse

from querypie_admin.models import AuditEvent

pytestmark = pytest.mark.django_db
LOCKED = "Too many failed sign-ins"


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.SIGNIN_LOCKOUT_FAILURES = 3
    settings.SIGNIN_LOCKOUT_ACCOUNT_FAILURES = 7
    settings.SIGNIN_LOCKOUT_IP_FAILURES = 5
    settings.SIGNIN_LOCKOUT_SECONDS = 900


def attempt(client, login_id, password, ip="192.0.2.10", **meta):
    data = {"login_id": login_id, "password": password}
    return client.post(reverse("login"), data, REMOTE_ADDR=ip, **meta)


def test_a_login_id_is_locked_from_one_address_even_with_the_right_password(
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
    assert refusal.detail["reason"] == "locked out (too many failures, login ID from this address)"
    assert refusal.ip_address == "192.0.2.10"


def test_guesses_spread_over_many_addresses_lock_the_login_id_everywhere(client, owner, password):
    """Seven failures from three addresses (none at its own limit of three) reach the
    login ID's limit over every address: the next attempt is refused from anywhere."""
    for n in range(7):
        attempt(client, owner.login_id, "Wr0ng-pa55", ip=f"198.51.100.{n % 3}")

    response = attempt(client, owner.login_id, password, ip="192.0.2.99")

    assert response.status_code == 429
    refusal = AuditEvent.objects.filter(action="auth.signin").latest("id")
    assert refusal.detail["reason"] == "locked out (too many failures, login ID from every address)"


def test_an_attempt_refused_for_its_address_takes_no_slot_of_the_login_id(client, owner, password):
    """A locked-out address keeps trying the Owner: its refusals are not failures counted
    against the Owner's login ID from every address."""
    for n in range(5):
        attempt(client, f"guess{n}@corp.example", "Wr0ng-pa55", ip="203.0.113.5")
    for _ in range(10):
        assert attempt(client, owner.login_id, "x", ip="203.0.113.5").status_code == 429
    for n in range(6):
        attempt(client, owner.login_id, "Wr0ng-pa55", ip=f"198.51.100.{n % 2}")
    assert attempt(client, owner.login_id, password, ip="192.0.2.99").status_code == 302


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


@pytest.fixture
def file_cache(settings, tmp_path):
    """The embedded default: the file cache under var/ that every process shares."""
    settings.CACHES = {  # Django rebuilds its cache handler on this change
        "default": {"BACKEND": "querypie_admin.cache.FileCache", "LOCATION": str(tmp_path)}
    }


def test_the_lock_lasts_the_configured_seconds_on_the_file_cache(
    client, owner, password, file_cache, monkeypatch
):
    """The file cache's incr reset the expiry to its 300 s default: 900 s became 300 s."""
    from django.core.cache.backends import filebased

    for _ in range(3):
        attempt(client, owner.login_id, "Wr0ng-pa55")
    start = filebased.time.time()
    monkeypatch.setattr(filebased.time, "time", lambda: start + 600)
    assert attempt(client, owner.login_id, password).status_code == 429
    monkeypatch.setattr(filebased.time, "time", lambda: start + 901)
    assert attempt(client, owner.login_id, password).status_code == 302


def test_a_look_alike_spelling_of_the_login_id_shares_its_lock(client, owner, password):
    for spelling in ("OWNER@corp.example", "ｏｗｎｅｒ@corp.example", "owner@corp.example"):
        attempt(client, spelling, "Wr0ng-pa55")
    assert attempt(client, owner.login_id, password).status_code == 429


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "address,limit",
    [
        (lambda n: "192.0.2.1", "SIGNIN_LOCKOUT_FAILURES"),
        (lambda n: f"192.0.2.{n}", "SIGNIN_LOCKOUT_ACCOUNT_FAILURES"),
    ],
    ids=["from-one-address", "from-every-address"],
)
def test_parallel_wrong_passwords_get_no_more_checks_than_the_limit(
    owner, file_cache, settings, address, limit
):
    """24 parallel wrong passwords got 8 password checks, not the limit of 3 (here); from
    one address or from 24, each counter gives exactly its limit."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection
    from django.test import RequestFactory

    from querypie_admin.signin import SignInLocked, sign_in

    settings.SIGNIN_LOCKOUT_IP_FAILURES = 100
    settings.SIGNIN_LOCKOUT_FAILURES = settings.SIGNIN_LOCKOUT_ACCOUNT_FAILURES = 100
    setattr(settings, limit, 3)
    barrier = Barrier(24)

    def try_once(n: int) -> str:
        request = RequestFactory().post("/login/", REMOTE_ADDR=address(n))
        barrier.wait()
        try:
            return "checked" if sign_in(request, owner.login_id, "Wr0ng-pa55") is None else "in"
        except SignInLocked:
            return "locked"
        finally:
            connection.close()

    with ThreadPoolExecutor(24) as pool:
        outcomes = list(pool.map(try_once, range(24)))
    assert outcomes.count("checked") == 3
    assert outcomes.count("locked") == 21


def test_the_client_address_is_read_from_a_trusted_proxy_only(client, owner, settings):
    """X-Real-IP from anywhere but a trusted proxy is ignored: a guesser cannot escape their
    address's counter by naming a new address in every request."""
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for n in range(5):
        attempt(
            client, owner.login_id, "Wr0ng-pa55", ip="203.0.113.5", HTTP_X_REAL_IP=f"10.0.0.{n}"
        )
    refusal = AuditEvent.objects.filter(action="auth.signin").latest("id")
    assert refusal.detail["reason"] == "locked out (too many failures, login ID from this address)"
    assert refusal.ip_address == "203.0.113.5"


def test_a_trusted_proxy_without_a_valid_x_real_ip_counts_as_its_own_address(client, owner):
    from django.test import override_settings

    with override_settings(TRUSTED_PROXIES=["127.0.0.1"]):
        for _ in range(3):
            attempt(client, owner.login_id, "Wr0ng-pa55", ip="127.0.0.1", HTTP_X_REAL_IP="nonsense")
    refusal = AuditEvent.objects.filter(action="auth.signin").latest("id")
    assert refusal.ip_address == "127.0.0.1"
    assert attempt(client, owner.login_id, "x", ip="127.0.0.1").status_code == 429
