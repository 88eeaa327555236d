"""The fake's routing table: what answers a path no endpoint registered, and how tables join."""

from __future__ import annotations

import pytest
import requests

from fake_okta.routes import Request, Response, RouteTable
from tests.fake_okta_fixtures import (  # noqa: F401 - fixtures are used by name
    clock_fixture,
    directory_fixture,
    fake_okta_fixture,
)


def test_a_path_no_endpoint_knows_is_oktas_404_once_the_token_passes(fake_okta):
    url = f"{fake_okta.base_url}/api/v1/nothing/here"

    anonymous = requests.get(url, timeout=5)
    known = requests.get(url, headers={"Authorization": f"SSWS {fake_okta.token}"}, timeout=5)

    assert anonymous.status_code == 401
    assert known.status_code == 404
    assert known.json()["errorSummary"] == (
        "Not found: Resource not found: /api/v1/nothing/here (Resource)"
    )
    assert [(r.endpoint, r.status) for r in fake_okta.requests] == [
        ("unknown", 401),
        ("unknown", 404),
    ]


def test_a_post_to_a_read_is_refused_without_being_recorded(fake_okta):
    headers = {"Authorization": f"SSWS {fake_okta.token}"}

    answer = requests.post(f"{fake_okta.base_url}/api/v1/users", headers=headers, timeout=5)

    assert answer.status_code == 405
    assert answer.json()["errorCode"] == "E0000022"
    assert fake_okta.requests == []


def test_joined_tables_try_routes_in_order_and_decode_ids():
    first, second = RouteTable(), RouteTable()
    first.add("GET", r"^/api/v1/users/([^/]+)$", "user")(_answering("first"))
    second.add(("GET", "POST"), r"^/api/v1/users/", "any")(_answering("second"))
    second.otherwise("GET", "unknown")(_answering("fallback"))
    table = RouteTable(first, second)

    user, ids = table.find("GET", "/api/v1/users/ada%40example.com")
    posted, _ = table.find("POST", "/api/v1/users/ada")
    elsewhere, _ = table.find("GET", "/api/v1/groups")

    assert (user.endpoint, ids) == ("user", ("ada@example.com",))
    assert posted.endpoint == "any"
    assert elsewhere.endpoint == "unknown"


def test_two_tables_cannot_both_answer_what_no_route_matches():
    first, second = RouteTable(), RouteTable()
    first.otherwise("GET", "unknown")(_answering("first"))
    second.otherwise("GET", "unknown")(_answering("second"))

    with pytest.raises(ValueError, match="two fallbacks for GET"):
        RouteTable(first, second)


def _answering(text: str):
    def handler(_request: Request) -> Response:
        return Response(200, text.encode(), "text/plain")

    return handler
