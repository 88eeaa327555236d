"""Fixtures for the Okta Event Hooks tests that run end to end: the console on a live server,
a fake Okta on a real socket that sends real hook deliveries to it, and a real Celery
worker on Redis that processes them against the same test database."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from django.test import Client

from event_hooks.models import EventStatus, HookCounters, HookEvent, HookSettings
from event_hooks.service import registration
from fake_okta import FakeOkta, FakeOktaDirectory
from fake_okta.model import User as OktaUser
from okta.models import OktaOrg, Scope
from okta.token_crypto import encrypt_token
from querypie_admin.celery import app as celery_app
from querypie_admin.directory import Caller
from querypie_admin.models import DirectoryLink, LinkSource, User
from sync.engine.runs import execute_run, start_saved_run
from sync.models import RunKind, RunStatus
from tests.workers import celery_worker, point_celery_at, worker_database_url

REDIS_URL = "redis://127.0.0.1:6379/9"


class HookOrg:
    """A fake Okta org with named people, and `extra` numbered users for the bigger tests."""

    def __init__(self, extra: int = 0) -> None:
        self.directory = d = FakeOktaDirectory(seed=11)
        self.ada = d.add_user("ada@corp.example", first_name="Ada", last_name="Lovelace")
        self.alan = d.add_user("alan@corp.example", first_name="Alan", last_name="Turing")
        self.grace = d.add_user("grace@corp.example", first_name="Grace", last_name="Hopper")
        self.linus = d.add_user("linus@corp.example", first_name="Linus", last_name="T")
        self.engineers = d.add_group("Engineers", description="Builds things")
        self.finance = d.add_group("Finance")
        for user in (self.ada, self.alan, self.grace):
            d.add_member(self.engineers.id, user.id)
        d.add_member(self.finance.id, self.linus.id)
        self.outsider = d.add_user("outsider@corp.example")  # in Okta, not in the app
        for user in (self.ada, self.alan, self.grace, self.linus):
            d.assign_user(user.id)
        d.assign_group(self.engineers.id)
        d.assign_group(self.finance.id)
        self.extra = [d.add_user(f"person{n:04d}@corp.example") for n in range(extra)]


@dataclass
class Hooked:
    """The console registered with the fake Okta, after a first sync linked everyone."""

    org: HookOrg
    okta: FakeOkta
    url: str  # the live console

    @property
    def directory(self) -> FakeOktaDirectory:
        return self.org.directory

    def user(self, okta_user: OktaUser) -> User:
        link = DirectoryLink.objects.get(source=LinkSource.OKTA_SYNC, external_id=okta_user.id)
        return User.objects.get(pk=link.user_id)

    def settle(self, timeout: float = 60.0) -> None:
        """Until every delivery was sent and every stored event processed."""
        self.okta.deliveries.wait_idle(timeout)
        wait_until(lambda: not _busy(), timeout, "events still being processed")

    def session(self, user: User) -> requests.Session:
        """A signed-in browser session of `user` on the live console."""
        client = Client()
        client.force_login(user)
        browser = requests.Session()
        browser.cookies.set("sessionid", client.cookies["sessionid"].value)
        return browser

    def signed_in(self, browser: requests.Session) -> bool:
        response = browser.get(f"{self.url}/me/", allow_redirects=False, timeout=10)
        return response.status_code == 200


def _busy() -> bool:
    if HookEvent.objects.filter(status=EventStatus.RECEIVED).exists():
        return True
    return HookCounters.objects.filter(lease_until__isnull=False).exists()


def wait_until(condition, timeout: float, what: str, every: float = 0.02) -> float:
    """Poll `condition`; returns the seconds it took."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"after {timeout} s: {what}")
        time.sleep(every)
    return time.monotonic() - started


@pytest.fixture(scope="session")
def hook_worker(django_db_setup, tmp_path_factory) -> Iterator[None]:
    """One real worker for the module's tests; it reads the test database by URL."""
    previous = celery_app.conf.CELERY_BROKER_URL
    var_dir = tmp_path_factory.mktemp("hook-worker")
    with celery_worker(REDIS_URL, var_dir, DATABASE_URL=worker_database_url()):
        point_celery_at(celery_app, REDIS_URL)
        try:
            yield
        finally:
            point_celery_at(celery_app, previous)


@pytest.fixture
def org_size() -> int:
    """Extra users in the org; a test that needs more overrides this fixture."""
    return 0


@pytest.fixture
def sync_scope() -> str:
    """The sync's scope; the whole directory unless a test overrides this fixture."""
    return Scope.DIRECTORY


@pytest.fixture
def hooked(
    transactional_db, live_server, settings, hook_worker, org_size, sync_scope
) -> Iterator[Hooked]:
    settings.CONSOLE_BASE_URL = live_server.url
    org = HookOrg(extra=org_size)
    with FakeOkta(org.directory, rate_limit=1_000_000) as okta:
        _sync_once(okta, sync_scope)
        registration.register(Caller.command("test"))
        hooked = Hooked(org, okta, live_server.url)
        try:
            yield hooked
        finally:
            okta.deliveries.hold()  # nothing more is sent once the test is over
            hooked.settle()


def _sync_once(okta: FakeOkta, scope: str) -> None:
    s = OktaOrg.load()
    s.enabled, s.api_url, s.scope = True, okta.base_url, scope
    s.api_token_encrypted, s.api_token_last4 = encrypt_token(okta.token), okta.token[-4:]
    s.deactivation_threshold = 50  # a small org: the guard has its own tests
    s.save()
    run = execute_run(start_saved_run(RunKind.MANUAL, label="test").pk)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert HookSettings.load().okta_hook_id == ""
