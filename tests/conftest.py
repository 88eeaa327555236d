"""Fixtures shared by every app's tests."""

import pytest
from django.core.cache import cache

from querypie_admin.models import Role
from tests.factories import PASSWORD, GroupFactory, UserFactory


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
