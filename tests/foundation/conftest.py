"""A person at the console: a browser-like client that signs in and posts forms with the
CSRF token its pages gave it, as the existing CSRF test does."""

import pytest
from django.test import Client
from django.urls import reverse

from querypie_admin.models import AuthProvider, Role, User
from tests.factories import UserFactory


class Person:
    def __init__(self, user: User) -> None:
        self.user = user
        self.client = Client(enforce_csrf_checks=True)
        self.client.force_login(user)

    def get(self, url: str, **params):
        return self.client.get(url, params)

    def post(self, url: str, data: dict | None = None, *, follow: bool = False):
        """Post a form as the browser would: with the token from a console page's cookie."""
        if "csrftoken" not in self.client.cookies:
            self.client.get(reverse("profile"))
        token = self.client.cookies["csrftoken"].value
        return self.client.post(url, {**(data or {}), "csrfmiddlewaretoken": token}, follow=follow)

    def page(self, url: str) -> str:
        return self.get(url).content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def as_owner(owner) -> Person:
    return Person(owner)


@pytest.fixture
def as_sysadmin(system_admin) -> Person:
    return Person(system_admin)


@pytest.fixture
def okta_owner(db) -> User:
    """An Owner who signs in with Okta: acts as an Owner, but is not a local Owner."""
    return UserFactory(
        login_id="okta.owner@corp.example", role=Role.OWNER, auth_provider=AuthProvider.OKTA
    )
