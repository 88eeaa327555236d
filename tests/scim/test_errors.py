"""Bad input gets a SCIM error with a scimType; never a 500 page, never HTML."""

import pytest

from querypie_admin.models import User
from scim import endpoints

from .conftest import USER_SCHEMA, okta_user

pytestmark = pytest.mark.django_db
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


def assert_error(response, status: int, scim_type: str | None = None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/scim+json"
    body = response.json()
    assert body["schemas"] == [ERROR] and body["status"] == str(status) and body["detail"]
    assert body.get("scimType") == scim_type
    return body


def test_malformed_json_is_invalid_syntax(scim):
    assert_error(scim.post("/Users", raw='{"userName": '), 400, "invalidSyntax")
    assert_error(scim.post("/Users", raw="[1, 2]"), 400, "invalidSyntax")
    assert_error(scim.post("/Users", raw="\xff"), 400, "invalidSyntax")


def test_unknown_schema_is_refused(scim):
    body = okta_user(schemas=["urn:example:unknown"])
    assert_error(scim.post("/Users", body), 400, "invalidSyntax")
    assert not User.objects.exists()


def test_bad_filter_is_invalid_filter(scim):
    assert_error(scim.get("/Users", filter="userName eq"), 400, "invalidFilter")
    assert_error(scim.get("/Users", filter='title eq "x"'), 400, "invalidFilter")
    assert_error(scim.get("/Groups", filter='members eq "x"'), 400, "invalidFilter")
    assert_error(scim.get("/Users", filter='active eq "maybe"'), 400, "invalidFilter")
    assert_error(
        scim.get("/Users", filter='meta.lastModified gt "yesterday"'), 400, "invalidFilter"
    )


@pytest.mark.parametrize("path", ["/Users/424242", "/Users/abc", "/Groups/424242", "/Groups/x"])
def test_unknown_id_is_404(scim, path):
    assert_error(scim.get(path), 404)
    assert_error(scim.patch(path, {"op": "replace", "value": {"active": False}}), 404)
    assert_error(scim.delete(path), 404)


@pytest.mark.parametrize(
    "body",
    [
        {"schemas": [USER_SCHEMA]},
        {"userName": ""},
        {"userName": 42},
        {"userName": "x@corp.example", "active": "maybe"},
        {"userName": "x@corp.example", "emails": "x"},
        {"userName": "x@corp.example", "emails": [{"value": "not an email"}]},
        {"userName": "x" * 300},
        {"userName": "nul\x00byte"},
        {"userName": "x@corp.example", "name": "Jo"},
    ],
)
def test_invalid_values_are_invalid_value_and_change_nothing(scim, body):
    assert_error(scim.post("/Users", body), 400, "invalidValue")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "operation,scim_type",
    [
        ({"op": "move", "path": "active", "value": False}, "invalidSyntax"),
        ({"op": "remove"}, "noTarget"),
        ({"op": "replace", "path": "a b c", "value": 1}, "invalidPath"),
        ({"op": "replace", "path": "urn:example:x:foo", "value": 1}, "invalidPath"),
        ({"op": "replace", "value": "not an object"}, "invalidValue"),
        ({"op": "replace", "path": "active", "value": "nope"}, "invalidValue"),
        ({"op": "remove", "path": "active"}, "mutability"),
    ],
)
def test_bad_patch_operations(scim, user_factory, operation, scim_type):
    user = user_factory()
    assert_error(scim.patch(f"/Users/{user.pk}", operation), 400, scim_type)
    assert User.objects.get(pk=user.pk).is_active


def test_unsupported_method_and_path_answer_scim_json(scim):
    assert_error(scim.put("/Users", {}), 405)
    assert_error(scim.get("/Nothing/here"), 404)
    assert_error(scim.post("/Bulk", {}), 501)
    assert_error(scim.get("/Me"), 501)


def test_unexpected_failure_is_a_scim_500_without_a_stack_trace(scim, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(endpoints.UsersView, "get_many", explode)
    body = assert_error(scim.get("/Users"), 500)
    assert "secret internals" not in str(body) and "Traceback" not in str(body)


def test_json_content_type_is_accepted_as_well(scim):
    scim.content_type = "application/json"
    assert scim.post("/Users", okta_user()).status_code == 201
