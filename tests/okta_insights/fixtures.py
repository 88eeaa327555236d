"""Fixtures of the Okta visibility tests: a fake Okta org with named people, apps, admin
roles, factors and System Log events, served on a real socket, and the console connected to
it (the sync's API URL and token). Import the `*_fixture` functions; each registers under
the name without the suffix."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from fake_okta import FakeOkta, FakeOktaDirectory
from fake_okta.apps import add_application
from fake_okta.model import iso
from fake_okta.system_log import sign_in_event, sso_event
from okta.models import OktaOrg
from okta.token_crypto import encrypt_token
from okta_insights.collect.runs import execute_run, start_run
from okta_insights.models import CollectionRun, CollectionSettings, RunKind, RunLane
from tests.fake_okta_fixtures import FakeClock

LONG_AGO = "2024-01-01T00:00:00.000Z"
SETTINGS = "/administrator/okta/"


def settings_form(**overrides) -> dict:
    data = {
        "op": "save",
        "enabled": "on",
        "log_every_minutes": "5",
        "first_read_days": "7",
        "retention_days": "400",
        "stale_after_days": "90",
        "unused_after_days": "90",
        "super_admin_warning": "3",
    }
    return data | overrides


def days_ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


class Org:
    """Who is who in the fake org, so tests read like an access review."""

    def __init__(self) -> None:
        d = self.directory = FakeOktaDirectory(seed=11)
        self.ada = d.add_user("ada@corp.example", first_name="Ada", last_name="Lovelace")
        self.alan = d.add_user("alan@corp.example", first_name="Alan", last_name="Turing")
        self.grace = d.add_user("grace@corp.example", first_name="Grace", last_name="Hopper")
        self.linus = d.add_user("linus@corp.example", first_name="Linus", last_name="T")
        self.margaret = d.add_user("margaret@corp.example", first_name="Margaret")
        self.edsger = d.add_user("edsger@corp.example", status="SUSPENDED")
        for person, last_login in (
            (self.ada, 1),
            (self.alan, 10),
            (self.grace, 200),
            (self.margaret, 3),
            (self.edsger, 300),
        ):
            person.last_login = iso(days_ago(last_login))
        for person in (self.ada, self.alan, self.grace, self.linus, self.margaret, self.edsger):
            person.created = LONG_AGO
        self.engineers = d.add_group("Engineers")
        self.it_admins = d.add_group("IT Admins")
        for person in (self.ada, self.alan, self.grace):
            d.add_member(self.engineers.id, person.id)
        for person in (self.alan, self.margaret):
            d.add_member(self.it_admins.id, person.id)
        self._apps()
        self._roles()

    def _apps(self) -> None:
        d = self.directory
        self.slack = add_application(d, "Slack", sign_on_mode="OPENID_CONNECT")
        self.github = add_application(d, "GitHub")
        d.assign_user(self.ada.id, app_id=self.slack.id)
        d.assign_group(self.engineers.id, app_id=self.slack.id)
        d.assign_user(self.margaret.id, app_id=self.github.id)
        for assignment in (
            *d.app_users[self.slack.id].values(),
            *d.app_users[self.github.id].values(),
            *d.app_groups[self.slack.id].values(),
        ):
            assignment.created = LONG_AGO

    def _roles(self) -> None:
        roles = self.directory.admin_roles
        roles.grant_user(self.ada.id, "SUPER_ADMIN")
        roles.grant_user(self.alan.id, "CUSTOM", label="App Auditor", by=self.ada.id)
        roles.grant_group(self.it_admins.id, "READ_ONLY_ADMIN", by=self.ada.id)
        roles.grant_user(self.grace.id, "HELP_DESK_ADMIN", by=self.ada.id)
        roles.revoke_user(self.grace.id, "HELP_DESK_ADMIN", by=self.ada.id)
        roles.enroll(self.ada.id, "push")
        roles.enroll(self.alan.id, "sms", status="PENDING_ACTIVATION")

    def event(self, person, app=None, *, days: float = 0.0) -> dict:
        """A sign-in published `days` ago (to an app: user.authentication.sso), not stored."""
        if app is None:
            return sign_in_event(self.directory, person.id, published=days_ago(days))
        return sso_event(self.directory, person.id, app.id, published=days_ago(days))

    def sign_in(self, person, app=None, *, days: float = 0.0) -> dict:
        """Okta stores the sign-in now, whenever it happened."""
        return self.directory.system_log.append(self.event(person, app, days=days))


@pytest.fixture(name="org")
def org_fixture() -> Org:
    return Org()


@pytest.fixture(name="okta_clock")
def okta_clock_fixture() -> FakeClock:
    return FakeClock()


@pytest.fixture(name="fake")
def fake_fixture(org: Org, okta_clock: FakeClock, settings) -> Iterator[FakeOkta]:
    """The org on a real socket; the client's waits move the fake clock, not time."""
    settings.OKTA_SYNC_CLIENT = {
        "sleep": okta_clock.sleep,
        "clock": okta_clock.time,
        "jitter_seconds": 0.0,
        "backoff_seconds": 0.01,
    }
    settings.OKTA_SYNC_MEMBERS_IN_CHILD = False  # the fake clock cannot cross into the child
    with FakeOkta(org.directory, clock=okta_clock.time, rate_limits={"logs": 60}) as server:
        yield server


def connect(server: FakeOkta) -> None:
    """Save the Okta address and token the way the sync's settings page does."""
    s = OktaOrg.load()
    s.api_url, s.api_token_last4 = server.base_url, server.token[-4:]
    s.api_token_encrypted = encrypt_token(server.token)
    s.save()


@pytest.fixture(name="connected")
def connected_fixture(db, fake: FakeOkta) -> FakeOkta:
    connect(fake)
    CollectionSettings.objects.update_or_create(pk=1, defaults={"enabled": True})
    return fake


@pytest.fixture(name="collect")
def collect_fixture(connected):
    """Run a collection in this process, as `okta_collect run` does."""

    def run(*datasets: str) -> CollectionRun:
        lane = RunLane.SYSTEM_LOG if datasets == ("system_log",) else RunLane.ALL
        started = start_run(RunKind.COMMAND, lane=lane, datasets=list(datasets), label="test")
        return execute_run(started.pk)

    return run
