"""The Okta visibility tests' fixtures (tests/okta_insights/fixtures.py)."""

import pytest
from freezegun import freeze_time

from tests.okta_insights.fixtures import (  # noqa: F401 - fixtures are used by name
    collect_fixture,
    connected_fixture,
    fake_fixture,
    okta_clock_fixture,
    org_fixture,
)
from tests.sync.conftest import eager_celery  # noqa: F401 - Collect now runs in-process

PINNED_START = "2026-03-03 09:00:00"


@pytest.fixture(autouse=True)
def pinned_clock(request):
    """Every visibility test reasons about days (stale accounts, unused assignments, activity,
    monthly partitions): they run on a clock that starts on the 3rd of a month (or the date of
    their `clock` mark), so "ten days ago" is last month, whatever today is. The clock ticks:
    servers and timeouts keep working. `real_clock`: a test whose subprocesses cannot share
    the pinned clock."""
    if request.node.get_closest_marker("real_clock"):
        yield
        return
    mark = request.node.get_closest_marker("clock")
    with freeze_time(mark.args[0] if mark else PINNED_START, tick=True):
        yield
