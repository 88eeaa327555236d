"""The Okta visibility tests' fixtures (tests/okta_insights/fixtures.py)."""

from tests.okta_insights.fixtures import (  # noqa: F401 - fixtures are used by name
    collect_fixture,
    connected_fixture,
    fake_fixture,
    okta_clock_fixture,
    org_fixture,
)
from tests.sync.conftest import eager_celery  # noqa: F401 - Collect now runs in-process
