"""Fixtures shared by every app's tests."""

import os

import pytest
from django.core.cache import cache
from hypothesis import settings as hypothesis_settings

from querypie_admin.models import Role
from tests.factories import PASSWORD, GroupFactory, UserFactory

# The property tests run the same examples every time, so a run (CI's included) is
# repeatable; HYPOTHESIS_EXPLORE=1 draws new ones, to look for what they have not found yet.
hypothesis_settings.register_profile("repeatable", derandomize=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(
    "explore" if os.environ.get("HYPOTHESIS_EXPLORE") else "repeatable"
)


@pytest.fixture
def owner(db):
    return UserFactory(login_id="owner@corp.example", role=Role.OWNER)


@pytest.fixture
def system_admin(db):
    return UserFactory(login_id="sysadmin@corp.example", role=Role.SYSTEM_ADMIN)


@pytest.fixture
def plain_user(db):
    return UserFactory(login_id="member@corp.example", role=Role.USER)


@pytest.fixture
def admin_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def user_factory(db):
    return UserFactory


@pytest.fixture
def group_factory(db):
    return GroupFactory


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Sign-in lock-out counters live in the cache: no test inherits another's failures."""
    cache.clear()
    yield
    cache.clear()
