"""Console pages: a filter with an invalid value says so, and a 403 logs one line."""

import logging

import pytest
from django.urls import reverse

from tests.factories import UserFactory

from .conftest import messages_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "params", "said"),
    [
        ("user_list", {"status": "bogus"}, "Status: Select a valid choice."),
        ("user_list", {"auth_provider": "ldap"}, "Managed by: Select a valid choice."),
        ("group_list", {"auth_provider": "ldap"}, "Managed by: Select a valid choice."),
        ("audit_log", {"since": "yesterday"}, "Since: Enter a valid date."),
    ],
)
def test_a_filter_with_an_invalid_value_says_it_was_not_applied(as_owner, url, params, said):
    response = as_owner.get(reverse(url), **params)
    assert response.status_code == 200
    [message] = messages_of(response)
    assert message.startswith("The filter was not applied, showing everything.")
    assert said in message


def test_a_valid_filter_says_nothing(as_owner):
    UserFactory(login_id="ann@corp.example")
    response = as_owner.get(reverse("user_list"), status="active", q="ann")
    assert messages_of(response) == []
    assert "ann@corp.example" in response.content.decode()


def test_a_403_is_logged_as_one_line_without_a_traceback(client, plain_user, caplog):
    client.force_login(plain_user)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(reverse("user_list")).status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Forbidden (Permission denied): /administrator/users/"
    assert record.exc_info is None and "Traceback" not in caplog.text
