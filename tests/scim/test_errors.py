"""Bad input gets a SCIM error with a scimType; never a 500 page, never HTML."""

import pytest

from querypie_admin.models import LinkSource, User
from scim import endpoints
from tests.factories import okta_user

from .conftest import QUERYPIE, USER_SCHEMA, user_body

pytestmark = pytest.mark.django_db
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


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
    body = user_body(schemas=["urn:example:unknown"])
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
        {},
        {"userName": ""},
        {"userName": 42},
        {"userName": "x@corp.example", "active": "maybe"},
        {"userName": "x@corp.example", "emails": "x"},
        {"userName": "x@corp.example", "emails": [{"value": "not an email"}]},
        {"userName": "x" * 300},
        {"userName": "x@corp.example", "externalId": "0" * 256},
        {"userName": "x@corp.example", "externalId": 42},
        {"userName": "nul\x00byte"},
        {"userName": "x@corp.example", "name": "Jo"},
        {"userName": "ad\u200bmin"},
        {"userName": "\u202eadmin"},
    ],
)
def test_invalid_values_are_invalid_value_and_change_nothing(scim, body):
    assert_error(scim.post("/Users", {"schemas": [USER_SCHEMA], **body}), 400, "invalidValue")
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
def test_bad_patch_operations(scim, operation, scim_type):
    user = okta_user(LinkSource.SCIM)
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
    assert scim.post("/Users", user_body()).status_code == 201


def test_nul_anywhere_in_a_body_is_refused_before_any_write(scim):
    user = okta_user(LinkSource.SCIM)
    body = user_body(locale="en\x00US")
    assert_error(scim.post("/Users", body), 400, "invalidValue")
    assert_error(scim.put(f"/Users/{user.pk}", body), 400, "invalidValue")
    operation = {"op": "add", "value": {"title": "\x00"}}
    assert_error(scim.patch(f"/Users/{user.pk}", operation), 400, "invalidValue")
    assert User.objects.count() == 1


def test_deeply_nested_json_is_invalid_syntax(scim):
    raw = '{"a":' * 5000 + "1" + "}" * 5000
    assert_error(scim.post("/Users", raw=raw), 400, "invalidSyntax")


@pytest.mark.parametrize("value", ["x", 1, None, [], True])
def test_extension_urn_path_with_a_non_object_value_is_invalid_value(scim, value):
    user = okta_user(LinkSource.SCIM, static_ip="10.0.0.1")
    operation = {"op": "replace", "path": QUERYPIE, "value": value}
    assert_error(scim.patch(f"/Users/{user.pk}", operation), 400, "invalidValue")
    assert User.objects.get(pk=user.pk).static_ip == "10.0.0.1"


@pytest.mark.parametrize(
    "query",
    [
        'userName eq "nul\x00"',
        'meta.lastModified gt "2024-13-01T00:00:00Z"',
        'meta.created ge "2024-01-01T00:00:00+25:00"',
        " and ".join(['userName eq "x"'] * 1500),
    ],
)
def test_filters_postgresql_or_python_cannot_evaluate_are_invalid_filter(scim, query):
    assert_error(scim.get("/Users", filter=query), 400, "invalidFilter")
    assert_error(
        scim.get("/Groups", filter=query.replace("userName", "displayName")), 400, "invalidFilter"
    )


@pytest.mark.parametrize("path", ["/Users", "/Groups"])
def test_start_index_past_every_row_is_an_empty_page(scim, path):
    okta_user(LinkSource.SCIM)
    body = scim.get(path, startIndex="99999999999999999999999", count="10").json()
    assert body["Resources"] == [] and body["itemsPerPage"] == 0


@pytest.mark.parametrize(
    "field,value",
    [("attributes", 1), ("attributes", [1]), ("excludedAttributes", {"a": 1}), ("filter", 7)],
)
def test_search_body_parameters_of_the_wrong_type_are_refused(scim, field, value):
    response = scim.post("/Users/.search", {"schemas": [SEARCH], field: value})
    assert_error(response, 400, "invalidFilter" if field == "filter" else "invalidValue")
