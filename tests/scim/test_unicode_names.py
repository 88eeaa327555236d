"""SCIM's look-ups and uniqueness follow the Unicode comparison key: `userName eq` finds
the one account a name can have, whatever its case or compatibility spelling."""

import pytest

from querypie_admin.models import Group, LinkSource, User
from tests.factories import okta_group, okta_user

from .conftest import GROUP_SCHEMA, user_body
from .helpers import expected_user
from .test_errors import assert_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("stored", "asked"),
    [("özil@corp.example", "ÖZIL@corp.example"), ("admin@corp.example", "ａｄｍｉｎ@corp.example")],
)
def test_username_eq_finds_the_one_account_of_that_name(scim, stored, asked):
    user = okta_user(LinkSource.SCIM, login_id=stored)
    okta_user(LinkSource.SCIM, login_id="other@corp.example")
    body = scim.get("/Users", filter=f'userName eq "{asked}"').json()
    assert body["totalResults"] == 1
    assert body["Resources"] == [expected_user(user.pk)]
    assert scim.get("/Users", filter=f'userName ne "{asked}"').json()["totalResults"] == 1


def test_a_second_spelling_of_a_username_is_409_uniqueness(scim):
    okta_user(LinkSource.SCIM, login_id="özil@corp.example")
    emails = [{"value": "ozil@corp.example", "type": "work", "primary": True}]
    response = scim.post("/Users", user_body("ÖZIL@corp.example", emails=emails))
    assert_error(response, 409, "uniqueness")
    assert list(User.objects.values_list("login_id", flat=True)) == ["özil@corp.example"]


def test_a_second_spelling_of_a_group_name_is_409_uniqueness(scim):
    group = okta_group(LinkSource.SCIM, name="Σύνολο")
    found = scim.get("/Groups", filter='displayName eq "σύνολο"').json()
    assert [r["id"] for r in found["Resources"]] == [str(group.pk)]
    response = scim.post("/Groups", {"schemas": [GROUP_SCHEMA], "displayName": "ΣΎΝΟΛΟ"})
    assert_error(response, 409, "uniqueness")
    assert Group.objects.count() == 1


def test_a_zero_width_space_in_a_username_is_invalid_value(scim):
    body = assert_error(scim.post("/Users", user_body("ad\u200bmin")), 400, "invalidValue")
    assert "U+200B" in body["detail"]
    assert not User.objects.exists()
