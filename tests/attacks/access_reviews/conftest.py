"""The access review attacks use the access review suite's parts: the visibility tests' fake
Okta org collected over HTTP (its `org` replaces the sync's of tests/attacks/conftest.py
here), console accounts of its people, and the pinned clock."""

from access_reviews.models import Campaign, ReviewerSource
from tests.access_reviews.conftest import (  # noqa: F401 - fixtures are used by name
    People,
    campaign,
    collect_fixture,
    collected,
    connected_fixture,
    fake_fixture,
    okta_clock_fixture,
    org_fixture,
    people,
    pinned_clock,
)


def manager_campaign(accounts: People, app_okta_id: str) -> Campaign:
    """A draft campaign on one application whose reviewers are the people's managers."""
    return campaign(
        accounts,
        scope_okta_ids=[app_okta_id],
        reviewer_source=ReviewerSource.MANAGER,
        reviewer=None,
    )
