"""Fixtures for the Okta client and fake Okta tests: a fake Okta on a real socket, a fake clock.

Import the ``*_fixture`` functions explicitly in each test module (this is not a conftest);
each registers under the name without the suffix, e.g. ``fake_okta``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fake_okta import FakeOkta, FakeOktaDirectory
from okta.client import OktaClient

START = 1_800_000_000.0  # a whole second, so Okta's Date and Reset headers match exactly


class FakeClock:
    """Shared by the fake server and the client: the client's sleeps move time forward."""

    def __init__(self, start: float = START) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture(name="clock")
def clock_fixture() -> FakeClock:
    return FakeClock()


@pytest.fixture(name="directory")
def directory_fixture() -> FakeOktaDirectory:
    return FakeOktaDirectory.generate(users=450, groups=12, memberships=600, seed=42)


@pytest.fixture(name="fake_okta")
def fake_okta_fixture(directory: FakeOktaDirectory, clock: FakeClock) -> Iterator[FakeOkta]:
    with FakeOkta(directory, clock=clock.time, forbidden_token="read-nothing-token") as fake:
        yield fake


def make_client(fake: FakeOkta, clock: FakeClock, **options: object) -> OktaClient:
    """A client whose waits are recorded instead of slept; no jitter, so waits are exact."""
    settings: dict = {"token": fake.token, "sleep": clock.sleep, "clock": clock.time}
    settings |= {"jitter_seconds": 0.0} | options
    return OktaClient(fake.base_url, **settings)


@pytest.fixture(name="okta_client")
def okta_client_fixture(fake_okta: FakeOkta, clock: FakeClock) -> Iterator[OktaClient]:
    with make_client(fake_okta, clock) as client:
        yield client
