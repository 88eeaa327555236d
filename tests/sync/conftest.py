"""Fixtures for the Okta sync tests: a small fake Okta org and saved sync settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.apps import apps

from fake_okta import FakeOkta, FakeOktaDirectory
from okta.models import OktaOrg, Scope
from okta.token_crypto import encrypt_token
from querypie_admin.celery import app as celery_app
from querypie_admin.directory import Caller
from sync.engine.confirmation import confirm_held_run
from sync.engine.runs import execute_run, start_saved_run
from sync.models import RunKind, RunStatus, SyncRun
from tests.fake_okta_fixtures import FakeClock


class Org:
    """A fake Okta org with named people, so tests read like the product."""

    def __init__(self) -> None:
        self.directory = FakeOktaDirectory(seed=7)
        d = self.directory
        self.ada = d.add_user("ada@corp.example", first_name="Ada", last_name="Lovelace",
                              mobilePhone="+1 555 0100", staticIp="10.0.0.7")  # fmt: skip
        self.alan = d.add_user("alan@corp.example", first_name="Alan", last_name="Turing")
        self.grace = d.add_user("grace@corp.example", first_name="Grace", last_name="Hopper")
        self.linus = d.add_user("linus@corp.example", first_name="Linus", last_name="T")
        self.outsider = d.add_user("outsider@corp.example")  # in Okta, not in the app
        self.engineers = d.add_group("Engineers", description="Builds things")
        self.finance = d.add_group("Finance")
        for user in (self.ada, self.alan, self.grace):
            d.add_member(self.engineers.id, user.id)
        d.add_member(self.finance.id, self.linus.id)
        d.add_member(self.finance.id, self.ada.id)
        for user in (self.ada, self.alan, self.grace, self.linus):
            d.assign_user(user.id)
        d.assign_group(self.engineers.id)
        d.assign_group(self.finance.id)


@pytest.fixture
def org() -> Org:
    return Org()


@pytest.fixture
def sync_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake_org(org: Org, sync_clock: FakeClock, settings) -> Iterator[FakeOkta]:
    """The org served on a real socket; the client's waits move the fake clock, not time."""
    settings.OKTA_SYNC_CLIENT = {
        "sleep": sync_clock.sleep,
        "clock": sync_clock.time,
        "jitter_seconds": 0.0,
    }
    settings.OKTA_SYNC_MEMBERS_IN_CHILD = False  # the fake clock cannot cross into the child
    with FakeOkta(org.directory, clock=sync_clock.time, forbidden_token="read-nothing") as fake:
        yield fake


def save_settings(fake: FakeOkta, **fields) -> OktaOrg:
    s = OktaOrg.load()
    # A small org: one deactivation is already 20%, so the guard has its own tests.
    values = {"enabled": True, "api_url": fake.base_url, "scope": Scope.DIRECTORY}
    values |= {"deactivation_threshold": 50}
    values |= {"api_token_encrypted": encrypt_token(fake.token), "api_token_last4": "oken"}
    for name, value in (values | fields).items():
        setattr(s, name, value)
    s.save()
    return s


@pytest.fixture
def sync_settings(db, fake_org: FakeOkta) -> OktaOrg:
    return save_settings(fake_org)


@pytest.fixture
def run_sync(sync_settings):
    """Run a sync of the saved settings in-process, as `okta_sync run` does.

    `allow=True` confirms the newest held run, as `okta_sync run --confirm-deactivations`
    does: the new run writes only within the plan that run showed.
    """

    def run(kind: str = RunKind.MANUAL, *, full: bool = True, allow: bool = False) -> SyncRun:
        if allow:
            held = SyncRun.objects.filter(status=RunStatus.NEEDS_CONFIRMATION).first()
            started = confirm_held_run(Caller.command("test"), held.pk)
        else:
            started = start_saved_run(kind, label="test", full=full)
        return execute_run(started.pk)

    return run


@pytest.fixture
def held(run_sync, org) -> SyncRun:
    """A run the guard held: Okta lost Ada and suspended Alan, 2 of the 5 synced users."""
    OktaOrg.objects.update(deactivation_threshold=20)
    run_sync()
    org.directory.delete_user(org.ada.id)
    org.directory.suspend_user(org.alan.id)
    run = run_sync()
    assert run.status == RunStatus.NEEDS_CONFIRMATION, run.message
    return run


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """Celery tasks run in-process, for console tests that press Synchronize."""
    # Settings come from Django with the CELERY_ namespace, so set them by that name.
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = True
    celery_app.conf.CELERY_TASK_EAGER_PROPAGATES = True
    yield
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.CELERY_TASK_EAGER_PROPAGATES = False


@pytest.fixture
def okta_authentication(db) -> None:
    """The Authentication page shows the sync panel when Authentication Type is Okta."""
    saml_settings = apps.get_model("sso", "SamlSettings")
    saml_settings.objects.update_or_create(pk=1, defaults={"authentication_type": "okta"})
