"""The Okta client against the fake Okta over real sockets: paging, rate limits, retries, errors."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime, timedelta

import pytest

from fake_okta import FakeOkta, FakeOktaDirectory
from okta.address import normalize_okta_base_url
from okta.client import (
    USER_AGENT,
    OktaClient,
)
from okta.endpoints.users_groups import DIRECTORY_GROUPS_FILTER
from okta.errors import (
    InvalidOktaURL,
    OktaAuthenticationError,
    OktaNetworkError,
    OktaNotFoundError,
    OktaPermissionError,
    OktaRateLimitError,
    OktaResponseError,
    OktaServerError,
)
from okta.wire import okta_timestamp, parse_link_header
from tests.fake_okta_fixtures import (  # noqa: F401 - fixtures are used by name
    clock_fixture,
    directory_fixture,
    fake_okta_fixture,
    make_client,
    okta_client_fixture,
)


def listed_user_ids(directory) -> set[str]:
    return {uid for uid, user in directory.users.items() if user.status != "DEPROVISIONED"}


# Paging ----------------------------------------------------------------------------------


def test_client_reads_every_user_across_pages_following_link(okta_client, fake_okta, directory):
    users = list(okta_client.iter_users())

    assert {user["id"] for user in users} == listed_user_ids(directory)
    assert len(users) == len(listed_user_ids(directory))  # no page read twice
    pages = fake_okta.requests_to("users")
    assert [request.page for request in pages] == [1, 2, 3]
    assert "after" not in pages[0].params
    assert all(request.status == 200 and request.params["limit"] == "200" for request in pages)
    assert okta_client.stats.pages == 3


def test_client_stops_when_next_link_equals_self(okta_client, fake_okta, directory):
    fake_okta.faults.loop_last_page("users")

    users = list(okta_client.iter_users())

    assert len(users) == len(listed_user_ids(directory))
    assert len(fake_okta.requests_to("users")) == 3


def test_client_reports_each_page_to_the_progress_callback(fake_okta, clock):
    seen = []
    with make_client(fake_okta, clock, on_page=lambda *page: seen.append(page)) as client:
        list(client.iter_groups())

    assert seen == [("/api/v1/groups", 1, len(fake_okta.directory.groups))]


def test_incremental_user_search_includes_deprovisioned_users(okta_client, directory):
    since = datetime.now(UTC) - timedelta(seconds=1)  # generated data is years older
    changed = directory.add_user("new.hire@example.com")
    leaver = directory.deactivate_user(next(iter(directory.users)))

    users = list(okta_client.iter_users(search=f'lastUpdated gt "{okta_timestamp(since)}"'))

    assert {(u["id"], u["status"]) for u in users} == {
        (changed.id, "ACTIVE"),
        (leaver.id, "DEPROVISIONED"),
    }


def test_incremental_group_filter_sees_membership_changes(okta_client, directory):
    since = datetime.now(UTC) - timedelta(seconds=1)  # generated data is years older
    group = directory.add_group("db-admins")
    directory.add_member(group.id, next(iter(directory.users)))
    query = f'lastMembershipUpdated gt "{okta_timestamp(since)}"'

    groups = list(okta_client.iter_groups(filter=query))
    members = list(okta_client.iter_group_members(group.id))

    assert [g["profile"]["name"] for g in groups] == ["db-admins"]
    assert [m["id"] for m in members] == [next(iter(directory.users))]


def test_directory_group_filter_skips_app_and_built_in_groups(okta_client, directory):
    groups = list(okta_client.iter_groups(filter=DIRECTORY_GROUPS_FILTER))

    expected = {g.id for g in directory.groups.values() if g.type == "OKTA_GROUP"}
    assert {g["id"] for g in groups} == expected
    assert len(expected) < len(directory.groups)


def test_app_users_and_groups_are_read_for_the_configured_app(okta_client, fake_okta, directory):
    group = directory.add_group("querypie-users")
    member = directory.add_user("member@example.com")
    direct = directory.add_user("direct@example.com")
    directory.add_member(group.id, member.id)
    directory.assign_group(group.id)
    directory.assign_user(direct.id)

    app_users = {u["id"]: u for u in okta_client.iter_app_users(fake_okta.app_id)}
    app_groups = [g["id"] for g in okta_client.iter_app_groups(fake_okta.app_id)]

    assert app_users[member.id]["scope"] == "GROUP"
    assert app_users[direct.id]["scope"] == "USER"
    assert app_users[direct.id]["profile"]["loginId"] == "direct@example.com"
    assert group.id in app_groups


def test_find_apps_returns_only_the_exact_label(okta_client, fake_okta, directory):
    directory.add_app("QueryPie Staging")

    apps = okta_client.find_apps("querypie")

    assert [app["id"] for app in apps] == [fake_okta.app_id]
    assert okta_client.get_app(fake_okta.app_id)["label"] == "QueryPie"


def test_check_credentials_makes_one_small_request(okta_client, fake_okta):
    okta_client.check_credentials()

    assert [(r.endpoint, r.params) for r in fake_okta.requests] == [("users", {"limit": "1"})]


def test_every_request_names_the_client_in_its_user_agent(okta_client, fake_okta):
    list(okta_client.iter_groups())
    okta_client.get_app(fake_okta.app_id)

    agents = {r.user_agent for r in fake_okta.requests}
    assert agents == {USER_AGENT} and USER_AGENT.startswith("querypie-admin-okta-sync/")


def test_client_does_not_follow_a_next_link_to_another_origin(fake_okta, clock):
    # The fake writes its links with 127.0.0.1; this client was configured with localhost.
    port = fake_okta.base_url.rsplit(":", 1)[1]
    with (
        OktaClient(f"http://localhost:{port}", fake_okta.token, sleep=clock.sleep) as client,
        pytest.raises(OktaResponseError) as error,
    ):
        list(client.iter_users())

    assert error.value.page == 1
    assert len(fake_okta.requests_to("users")) == 1


# Rate limits ------------------------------------------------------------------------------


def test_client_waits_out_429_until_reset(okta_client, fake_okta, clock, directory):
    fake_okta.faults.throttle(times=2, endpoint="users", reset_in=30)

    users = list(okta_client.iter_users())

    assert len(users) == len(listed_user_ids(directory))
    assert clock.sleeps == [30.0, 30.0]
    assert okta_client.stats.rate_limit_waits == 2
    assert okta_client.stats.waited_seconds == 60.0


def test_rate_limit_beyond_retries_raises_rate_limit_error(fake_okta, clock):
    fake_okta.faults.throttle(times=10, endpoint="users", reset_in=5)

    with (
        make_client(fake_okta, clock, max_retries=2) as client,
        pytest.raises(OktaRateLimitError) as error,
    ):
        list(client.iter_users())

    assert error.value.kind == "rate_limited"
    assert (error.value.path, error.value.page) == ("/api/v1/users", 1)
    assert len(fake_okta.requests_to("users")) == 3


def test_client_keeps_to_half_of_each_rate_limit_bucket(clock):
    directory = FakeOktaDirectory.generate(users=1500, groups=1, memberships=0, seed=3)
    with (
        FakeOkta(directory, clock=clock.time, rate_limits={"users": 10}) as fake,
        make_client(fake, clock) as client,
    ):
        users = list(client.iter_users())

    statuses = [request.status for request in fake.requests]
    assert len(users) == len(listed_user_ids(directory))
    assert 429 not in statuses and len(statuses) == 8
    assert client.stats.pacing_waits == 1
    assert clock.sleeps == [60.0]  # after 5 of 10 requests, until the window reset


def test_rate_limit_headers_are_tracked_per_bucket(okta_client, fake_okta):
    list(okta_client.iter_users())
    list(okta_client.iter_groups())

    buckets = okta_client._buckets
    assert set(buckets) == {"users", "groups"}
    assert buckets["users"].remaining == 10_000 - 3
    assert buckets["groups"].remaining == 10_000 - 1


# Retries -----------------------------------------------------------------------------------


def test_server_error_is_retried_then_succeeds(okta_client, fake_okta, clock, directory):
    fake_okta.faults.fail_page("users", page=2, status=503, times=2)

    users = list(okta_client.iter_users())

    assert len(users) == len(listed_user_ids(directory))
    assert okta_client.stats.retries == 2
    assert clock.sleeps == [0.5, 1.0]  # exponential backoff


def test_server_error_beyond_retries_names_path_and_page(fake_okta, clock):
    fake_okta.faults.fail_page("users", page=2, status=503, times=100)

    with (
        make_client(fake_okta, clock, max_retries=2) as client,
        pytest.raises(OktaServerError) as error,
    ):
        list(client.iter_users())

    assert (error.value.path, error.value.page, error.value.status) == ("/api/v1/users", 2, 503)
    assert "/api/v1/users, page 2" in str(error.value)
    assert len([r for r in fake_okta.requests_to("users") if r.page == 2]) == 3


def test_500_is_retried_once_more_with_a_smaller_page(fake_okta, clock, directory):
    fake_okta.faults.fail_page("users", page=1, status=500, times=3)

    with make_client(fake_okta, clock, max_retries=2) as client:
        users = list(client.iter_users())

    assert len(users) == len(listed_user_ids(directory))
    limits = [r.params["limit"] for r in fake_okta.requests_to("users")]
    assert limits[:4] == ["200", "200", "200", "100"]
    assert set(limits[4:]) == {"100"}  # Okta's next links keep the smaller page


def test_read_timeout_is_retried_then_succeeds(fake_okta, clock):
    fake_okta.faults.delay(1.0, endpoint="groups", times=1)

    with make_client(fake_okta, clock, read_timeout=0.2) as client:
        groups = list(client.iter_groups())

    assert len(groups) == len(fake_okta.directory.groups)
    assert client.stats.retries == 1


def test_read_timeout_beyond_retries_is_a_timeout_error(fake_okta, clock):
    fake_okta.faults.delay(1.0, endpoint="groups", times=None)

    with (
        make_client(fake_okta, clock, read_timeout=0.2, max_retries=1) as client,
        pytest.raises(OktaNetworkError) as error,
    ):
        list(client.iter_groups())

    assert error.value.kind == "timeout"
    assert error.value.path == "/api/v1/groups"


# Failing fast ---------------------------------------------------------------------------------


def test_invalid_token_fails_fast_with_E0000011(fake_okta, clock):
    with (
        make_client(fake_okta, clock, token="00-revoked-token") as client,
        pytest.raises(OktaAuthenticationError) as error,
    ):
        list(client.iter_users())

    assert error.value.error_code == "E0000011"
    assert error.value.error_summary == "Invalid token provided"
    assert str(error.value).startswith("The API token is invalid (E0000011)")
    assert len(fake_okta.requests) == 1 and clock.sleeps == []


def test_token_without_permission_fails_fast_with_E0000006(fake_okta, clock):
    with (
        make_client(fake_okta, clock, token="read-nothing-token") as client,
        pytest.raises(OktaPermissionError) as error,
    ):
        client.check_credentials()

    assert error.value.error_code == "E0000006"
    assert "lacks permission" in str(error.value)
    assert len(fake_okta.requests) == 1


def test_missing_app_permission_names_the_app_users_path(okta_client, fake_okta):
    fake_okta.faults.forbid("app_users")

    with pytest.raises(OktaPermissionError) as error:
        list(okta_client.iter_app_users(fake_okta.app_id))

    assert error.value.path == f"/api/v1/apps/{fake_okta.app_id}/users"


def test_wrong_application_id_is_not_found_E0000007(okta_client):
    with pytest.raises(OktaNotFoundError) as error:
        list(okta_client.iter_app_users("0oaDoesNotExist00000"))

    assert error.value.error_code == "E0000007"
    assert "Application ID" in str(error.value)


def test_unknown_host_fails_without_retries(clock):
    with (
        OktaClient("https://okta-sync-test.invalid", "token", sleep=clock.sleep) as client,
        pytest.raises(OktaNetworkError) as error,
    ):
        client.check_credentials()

    assert error.value.kind == "unknown_host"
    assert "okta-sync-test.invalid" in str(error.value)
    assert clock.sleeps == []


def test_connection_refused_is_retried_then_reported(clock):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again before the client connects

    with (
        OktaClient(f"http://127.0.0.1:{port}", "t", sleep=clock.sleep, max_retries=2) as client,
        pytest.raises(OktaNetworkError) as error,
    ):
        list(client.iter_users())

    assert error.value.kind == "connection_refused"
    assert client.stats.retries == 2


def test_tls_failure_is_reported_without_retries(fake_okta, clock):
    # The fake speaks plain HTTP, so a TLS handshake with it fails.
    port = fake_okta.base_url.rsplit(":", 1)[1]
    with (
        OktaClient(f"https://127.0.0.1:{port}", "token", sleep=clock.sleep) as client,
        pytest.raises(OktaNetworkError) as error,
    ):
        client.check_credentials()

    assert error.value.kind == "tls"
    assert clock.sleeps == []


# Secrets ----------------------------------------------------------------------------------------


def test_token_never_appears_in_errors_repr_or_logs(fake_okta, clock, caplog):
    secret = fake_okta.token
    fake_okta.faults.fail_page("groups", page=1, status=503, times=100)
    fake_okta.faults.delay(1.0, endpoint="apps", times=None)
    fake_okta.faults.forbid("app_users")
    caplog.set_level(logging.DEBUG)
    errors = []
    with make_client(fake_okta, clock, max_retries=1, read_timeout=0.2) as client:
        for call in (
            lambda: list(client.iter_groups()),
            lambda: client.find_apps("QueryPie"),
            lambda: list(client.iter_app_users(fake_okta.app_id)),
        ):
            with pytest.raises(Exception) as error:  # noqa: B017 - each is a different kind
                call()
            errors.append(error.value)
        texts = [repr(client), repr(client._session.auth), caplog.text]

    assert [e.kind for e in errors] == ["server_error", "timeout", "permission"]
    texts += [str(e) for e in errors] + [repr(e) for e in errors]
    assert all(secret not in text for text in texts)


@pytest.mark.parametrize("token", ["", "   ", "abc def", "abc\r\nX-Injected: 1"])
def test_malformed_token_is_refused_without_echoing_it(token):
    with pytest.raises(ValueError) as error:
        OktaClient("acme.okta.com", token)

    assert "contains spaces or control characters" in str(error.value)
    assert not token.strip() or token.strip() not in str(error.value)


def test_pasted_token_with_surrounding_whitespace_works(fake_okta, clock):
    with make_client(fake_okta, clock, token=f"  {fake_okta.token}\n") as client:
        client.check_credentials()


# Helpers ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("acme.okta.com", "https://acme.okta.com"),
        ("https://acme.okta.com", "https://acme.okta.com"),
        ("https://acme.okta.com/", "https://acme.okta.com"),
        ("  HTTPS://Acme.Okta.com/  ", "https://acme.okta.com"),
        ("acme.oktapreview.com", "https://acme.oktapreview.com"),
        ("login.acme.example", "https://login.acme.example"),
        ("login.acme.example:8443", "https://login.acme.example:8443"),
        ("http://127.0.0.1:8900", "http://127.0.0.1:8900"),
        ("http://127.9.9.9:8900/", "http://127.9.9.9:8900"),
        ("http://localhost:8900", "http://localhost:8900"),
        ("http://[::1]:8900", "http://[::1]:8900"),
    ],
)
def test_base_url_is_normalised(typed, expected):
    assert normalize_okta_base_url(typed) == expected


@pytest.mark.parametrize(
    ("typed", "complaint"),
    [
        ("", "Enter your Okta domain"),
        ("http://acme.okta.com", "https://"),
        ("ftp://acme.okta.com", "ftp:"),
        ("javascript:alert(1)", "javascript:"),
        ("https://acme.okta.com/admin/dashboard", "without a path"),
        ("https://acme.okta.com?x=1", "without a path"),
        ("https://admin:secret@acme.okta.com", "user name or password"),
        ("https://acme-admin.okta.com", "Admin Console"),
        ("https://acme okta.com", "not a valid host"),
        ("https://acme.okta.com:99999", "port"),
        ("http://10.0.0.5", "https://"),
        ("[", "not a web address"),  # found by tests/foundation/test_form_properties.py
        ("https://[acme.okta.com", "not a web address"),
    ],
)
def test_base_url_refuses_what_is_not_an_okta_origin(typed, complaint):
    with pytest.raises(InvalidOktaURL) as error:
        normalize_okta_base_url(typed)

    assert complaint in str(error.value)
    assert isinstance(error.value, ValueError)


def test_link_headers_are_parsed_from_one_or_many_values():
    single = '<https://a/u?limit=2>; rel="self", <https://a/u?after=x%2Cy&limit=2>; rel="next"'
    assert parse_link_header(single) == {
        "self": "https://a/u?limit=2",
        "next": "https://a/u?after=x%2Cy&limit=2",
    }
    assert parse_link_header('<https://a/u>; rel="self"', "<https://a/n>;rel=next") == {
        "self": "https://a/u",
        "next": "https://a/n",
    }
    assert parse_link_header("") == {}


def test_okta_timestamp_is_utc_with_milliseconds():
    assert okta_timestamp(datetime(2026, 1, 1, 9, 0, 0, 123456, tzinfo=UTC)) == (
        "2026-01-01T09:00:00.123Z"
    )


@pytest.mark.parametrize(
    "typed",
    ["https://169.254.169.254", "https://10.0.0.5", "https://192.168.1.1:8443", "[fd00::1]"],
)
def test_base_url_refuses_private_and_link_local_addresses(typed):
    with pytest.raises(InvalidOktaURL, match="private or link-local"):
        normalize_okta_base_url(typed)
