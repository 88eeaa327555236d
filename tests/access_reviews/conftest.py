"""Access review tests: the visibility tests' fake Okta org (tests/okta_insights/fixtures.py),
collected over HTTP, console users linked to its people, and a pinned clock."""

from datetime import date

import pytest
from freezegun import freeze_time

from access_reviews.models import Campaign, ReviewerSource, Subject
from querypie_admin.models import LinkSource, Role
from tests.factories import UserFactory, okta_user
from tests.okta_insights.fixtures import (  # noqa: F401 - fixtures are used by name
    collect_fixture,
    connected_fixture,
    fake_fixture,
    okta_clock_fixture,
    org_fixture,
)

# The 30th of March: "two days before the due date" and the next occurrences cross the end
# of a month and of a quarter.
PINNED = "2026-03-30 09:00:00"


@pytest.fixture(autouse=True)
def pinned_clock():
    with freeze_time(PINNED, tick=True):
        yield


class People:
    """Console accounts of the fake org's people (linked by Okta id, as the sync links them)
    and the Owner who runs campaigns."""

    def __init__(self, org) -> None:
        self.owner = UserFactory(login_id="owner@corp.example", role=Role.OWNER)
        self.auditor = UserFactory(login_id="auditor@corp.example")
        for name in ("ada", "alan", "grace", "margaret"):
            person = getattr(org, name)
            account = okta_user(
                LinkSource.OKTA_SYNC,
                external_id=person.id,
                login_id=person.profile["login"],
                email=person.profile["email"],
            )
            setattr(self, name, account)


@pytest.fixture
def people(db, org) -> People:
    return People(org)


@pytest.fixture
def collected(org, people, collect):
    """The org collected once (users, groups, applications, admin roles, MFA)."""
    collect()
    return org


def campaign(people: People, **fields) -> Campaign:
    """A draft campaign saved directly (the form has its own tests)."""
    defaults = {
        "name": "Q1 review",
        "subject": Subject.APP_ACCESS,
        "starts_on": date(2026, 3, 30),
        "due_on": date(2026, 4, 10),
        "reviewer_source": ReviewerSource.NAMED,
        "reviewer": people.auditor,
        "fallback_reviewer": people.owner,
        "created_by": people.owner,
    }
    return Campaign.objects.create(**(defaults | fields))
