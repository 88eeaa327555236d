"""Inputs that answered 500 (issue 10): each gets its 4xx with a SCIM error, and nothing changes."""

import pytest

from querypie_admin.models import AuditEvent, GroupMembership, LinkSource, User
from tests.factories import okta_group, okta_user

from .conftest import GROUP_SCHEMA, PATCH_SCHEMA, user_body
from .test_errors import assert_error

pytestmark = pytest.mark.django_db
OVERFLOW = "99999999999999999999999"


@pytest.mark.parametrize("kind", ["Users", "Groups"])
@pytest.mark.parametrize("uuid", ["%C2%B2", OVERFLOW, "%D9%A1", "1%C2%B2"])
def test_an_id_that_is_not_ascii_digits_is_404(scim, kind, uuid):
    user = okta_user(LinkSource.SCIM)
    okta_group(LinkSource.SCIM)
    assert_error(scim.get(f"/{kind}/{uuid}"), 404)
    assert_error(scim.patch(f"/{kind}/{uuid}", {"op": "replace", "value": {"active": False}}), 404)
    assert_error(scim.delete(f"/{kind}/{uuid}"), 404)
    assert User.objects.get(pk=user.pk).is_active


def test_an_arabic_indic_id_does_not_resolve_to_user_one(scim):
    user = okta_user(LinkSource.SCIM, pk=1)
    assert scim.get("/Users/1").status_code == 200
    assert_error(scim.get("/Users/\u0661"), 404)
    assert scim.get("/Users", filter='id eq "\u0661"').json()["totalResults"] == 0
    assert User.objects.get(pk=user.pk).is_active


@pytest.mark.parametrize("value", [OVERFLOW, "\u00b2", "\u0661", "-1", "1.0"])
def test_an_id_filter_that_names_no_row_matches_nothing(scim, value):
    okta_user(LinkSource.SCIM)
    for kind in ("Users", "Groups"):
        response = scim.get(f"/{kind}", filter=f'id eq "{value}"')
        assert response.status_code == 200, response.content
        assert response.json()["totalResults"] == 0


@pytest.mark.parametrize("value", ["\u00b2", "1" * 23, "\u0661", True, None, 1.5])
def test_a_member_value_that_is_not_a_user_id_is_invalid_value(scim, value):
    group = okta_group(LinkSource.SCIM, name="g")
    okta_user(LinkSource.SCIM, pk=1)
    add = {"op": "add", "path": "members", "value": [{"value": value}]}
    assert_error(scim.patch(f"/Groups/{group.pk}", add), 400, "invalidValue")
    body = {"schemas": [GROUP_SCHEMA], "displayName": "h", "members": [{"value": value}]}
    assert_error(scim.post("/Groups", body), 400, "invalidValue")
    assert not GroupMembership.objects.exists()


@pytest.mark.parametrize("value", ["\u00b2", "1" * 23, "\u0661"])
def test_a_member_filter_path_naming_no_user_removes_nobody(scim, value):
    group = okta_group(LinkSource.SCIM, name="g")
    member = okta_user(LinkSource.SCIM, pk=1)
    group.members.add(member)
    remove = {"op": "remove", "path": f'members[value eq "{value}"]'}
    assert scim.patch(f"/Groups/{group.pk}", remove).status_code == 204
    assert list(group.members.all()) == [member]


def test_an_email_added_as_a_string_then_removed_by_filter_is_invalid_value(scim):
    user = okta_user(LinkSource.SCIM, email="ann@corp.example")
    add = {"op": "add", "path": "emails", "value": "other@corp.example"}
    assert_error(scim.patch(f"/Users/{user.pk}", add), 400, "invalidValue")
    remove = {"op": "remove", "path": 'emails[value eq "ann@corp.example"]'}
    response = scim.request(
        "patch", f"/Users/{user.pk}", {"schemas": [PATCH_SCHEMA], "Operations": [add, remove]}
    )
    assert_error(response, 400, "invalidValue")
    remove_listed = {"op": "remove", "path": "emails", "value": [{"value": "x@corp.example"}]}
    response = scim.request(
        "patch",
        f"/Users/{user.pk}",
        {"schemas": [PATCH_SCHEMA], "Operations": [add, remove_listed]},
    )
    assert_error(response, 400, "invalidValue")
    assert User.objects.get(pk=user.pk).email == "ann@corp.example"


def test_a_6_mb_body_is_413_too_large(scim):
    body = user_body(locale="x" * (6 * 1024 * 1024))
    response = scim.post("/Users", body)
    assert_error(response, 413, "tooLarge")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/Users", {"userName": "ann@corp.example"}),
        ("put", "/Users/{user}", {"userName": "ann@corp.example"}),
        ("post", "/Groups", {"displayName": "Engineering"}),
        ("put", "/Groups/{group}", {"displayName": "Engineering"}),
        ("patch", "/Users/{user}", {"Operations": [{"op": "replace", "value": {"active": False}}]}),
    ],
)  # fmt: skip
def test_a_body_without_schemas_is_invalid_syntax(scim, method, path, body):
    user, group = okta_user(LinkSource.SCIM), okta_group(LinkSource.SCIM, name="g")
    path = path.format(user=user.pk, group=group.pk)
    assert_error(scim.request(method, path, body), 400, "invalidSyntax")
    assert User.objects.get(pk=user.pk).login_id == user.login_id
    assert User.objects.get(pk=user.pk).is_active
    assert User.objects.count() == 1


def test_a_patch_with_more_than_100_operations_is_refused(scim):
    user = okta_user(LinkSource.SCIM, first_name="Ann")
    operation = {"op": "replace", "path": "name.givenName", "value": "Bea"}
    response = scim.request(
        "patch", f"/Users/{user.pk}", {"schemas": [PATCH_SCHEMA], "Operations": [operation] * 101}
    )
    body = assert_error(response, 400, "invalidValue")
    assert "at most 100 operations" in body["detail"]
    assert User.objects.get(pk=user.pk).first_name == "Ann"
    assert not AuditEvent.objects.filter(action="user.updated").exists()
    at_cap = {"schemas": [PATCH_SCHEMA], "Operations": [operation] * 100}
    assert scim.request("patch", f"/Users/{user.pk}", at_cap).status_code == 200
