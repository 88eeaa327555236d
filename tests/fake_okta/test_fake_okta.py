"""The fake Okta itself, spoken to with plain HTTP: shapes, paging, filters, limits, faults."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests

from fake_okta import FakeOkta, FakeOktaDirectory
from tests.fake_okta_fixtures import (  # noqa: F401 - fixtures are used by name
    START,
    clock_fixture,
    directory_fixture,
    fake_okta_fixture,
)

ROOT = Path(__file__).resolve().parents[2]


def get(fake: FakeOkta, path: str, token: str | None = None, **params: object):
    headers = {"Authorization": f"SSWS {token or fake.token}", "Accept": "application/json"}
    return requests.get(f"{fake.base_url}{path}", params=params, headers=headers, timeout=5)


def links(response: requests.Response) -> list[str]:
    return response.raw.headers.getlist("Link")


def test_fake_pages_with_opaque_cursors_and_okta_link_headers(fake_okta, directory):
    first = get(fake_okta, "/api/v1/users", limit=2)

    ids = [user["id"] for user in first.json()]
    self_link, next_link = links(first)
    assert self_link == f'<{fake_okta.base_url}/api/v1/users?limit=2>; rel="self"'
    assert next_link.startswith(f"<{fake_okta.base_url}/api/v1/users?after=")
    assert next_link.endswith('&limit=2>; rel="next"')
    assert ids[-1] not in next_link  # the cursor is not the last id
    second = requests.get(
        next_link[1 : next_link.index(">")],
        headers={"Authorization": f"SSWS {fake_okta.token}"},
        timeout=5,
    )
    assert [u["id"] for u in second.json()] == sorted(listed(directory))[2:4]


def test_fake_rejects_cursors_it_did_not_issue(fake_okta, directory):
    last_id = sorted(listed(directory))[1]

    response = get(fake_okta, "/api/v1/users", limit=2, after=last_id)

    assert response.status_code == 400
    assert response.json()["errorCode"] == "E0000001"


def test_fake_rejects_a_cursor_replayed_on_another_listing(fake_okta):
    first = get(fake_okta, "/api/v1/users", limit=2)
    after = links(first)[1].split("after=")[1].split("&")[0]

    response = get(fake_okta, "/api/v1/groups", limit=2, after=after)

    assert response.status_code == 400


def test_fake_caps_limit_silently_at_the_endpoint_maximum(fake_okta):
    response = get(fake_okta, "/api/v1/users", limit=1000)

    assert len(response.json()) == 200
    assert 'limit=200>; rel="next"' in links(response)[1]


def test_last_page_has_only_a_self_link(fake_okta, directory):
    response = get(fake_okta, "/api/v1/groups")

    assert len(response.json()) == len(directory.groups)
    assert [link.split("; ")[1] for link in links(response)] == ['rel="self"']


def test_user_shape_matches_okta(fake_okta, directory):
    user = directory.add_user("ada@example.com", first_name="Ada", staticIp="10.0.0.7")

    body = get(fake_okta, f"/api/v1/users/{user.id}").json()

    assert set(body) == {
        "id", "status", "created", "activated", "statusChanged", "lastLogin", "lastUpdated",
        "passwordChanged", "type", "profile", "credentials", "_links",
    }  # fmt: skip
    assert body["id"].startswith("00u") and len(body["id"]) == 20
    assert body["profile"] == {
        "firstName": "Ada",
        "lastName": "User",
        "mobilePhone": None,
        "secondEmail": None,
        "login": "ada@example.com",
        "email": "ada@example.com",
        "staticIp": "10.0.0.7",
    }
    assert body["credentials"]["provider"] == {"type": "OKTA", "name": "OKTA"}
    assert body["_links"]["self"]["href"] == f"{fake_okta.base_url}/api/v1/users/{user.id}"
    assert get(fake_okta, "/api/v1/users/ada@example.com").json()["id"] == user.id


def test_group_app_user_and_app_group_shapes_match_okta(fake_okta, directory):
    group = directory.add_group("dba", description="Database admins")
    user = directory.add_user("grace@example.com", first_name="Grace", last_name="Hopper")
    directory.add_member(group.id, user.id)
    directory.assign_group(group.id)
    app = fake_okta.app_id

    group_body = get(fake_okta, f"/api/v1/groups/{group.id}").json()
    app_user = get(fake_okta, f"/api/v1/apps/{app}/users", limit=500).json()
    app_group = get(fake_okta, f"/api/v1/apps/{app}/groups", limit=200).json()

    assert group_body["objectClass"] == ["okta:user_group"]
    assert group_body["type"] == "OKTA_GROUP"
    assert group_body["profile"] == {"name": "dba", "description": "Database admins"}
    mine = next(u for u in app_user if u["id"] == user.id)
    assert mine["scope"] == "GROUP" and mine["credentials"] == {"userName": "grace@example.com"}
    assert mine["profile"] == {
        "loginId": "grace@example.com",
        "firstName": "Grace",
        "lastName": "Hopper",
        "email": "grace@example.com",
    }
    assert mine["_links"]["user"]["href"].endswith(f"/api/v1/users/{user.id}")
    mine = next(g for g in app_group if g["id"] == group.id)
    assert set(mine) == {"id", "lastUpdated", "priority", "profile", "_links"}


def test_plain_listing_hides_deprovisioned_users_but_search_returns_them(fake_okta, directory):
    leaver = directory.deactivate_user(sorted(directory.users)[0])

    plain = {u["id"] for u in all_pages(fake_okta, "/api/v1/users")}
    searched = all_pages(fake_okta, "/api/v1/users", search='status eq "DEPROVISIONED"')
    filtered = all_pages(fake_okta, "/api/v1/users", filter='status eq "DEPROVISIONED"')

    assert leaver.id not in plain
    assert leaver.id in {u["id"] for u in searched}
    assert {u["status"] for u in searched} == {u["status"] for u in filtered} == {"DEPROVISIONED"}


def test_incremental_filters_compare_timestamps(fake_okta, directory):
    group = directory.add_group("new-team")
    stamp = group.created

    later = all_pages(fake_okta, "/api/v1/groups", filter=f'lastUpdated ge "{stamp}"')
    members = f'lastMembershipUpdated gt "{stamp}" and type eq "OKTA_GROUP"'
    before_change = all_pages(fake_okta, "/api/v1/groups", filter=members)
    directory.add_member(group.id, sorted(directory.users)[0])
    after_change = all_pages(fake_okta, "/api/v1/groups", filter=members)

    assert [g["id"] for g in later] == [group.id]
    assert before_change == []
    assert [g["id"] for g in after_change] == [group.id]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/users", {"filter": 'profile.department eq "IT"'}),
        ("/api/v1/users", {"filter": 'status sw "ACT"'}),
        ("/api/v1/users", {"search": "status eq ACTIVE"}),
        ("/api/v1/users", {"search": 'lastUpdated gt "yesterday"'}),
        ("/api/v1/groups", {"filter": 'profile.name eq "x"'}),
        ("/api/v1/groups", {"filter": 'type eq "OKTA_GROUP" and'}),
    ],
)
def test_unsupported_expressions_are_invalid_search_criteria(fake_okta, path, params):
    response = get(fake_okta, path, **params)

    assert response.status_code == 400
    assert response.json()["errorCode"] == "E0000031"


def test_apps_are_found_by_label_prefix(fake_okta, directory):
    directory.add_app("Salesforce", name="salesforce")

    labels = [app["label"] for app in get(fake_okta, "/api/v1/apps", q="query").json()]

    assert labels == ["QueryPie"]


def test_error_bodies_have_oktas_shape(fake_okta):
    bad_token = get(fake_okta, "/api/v1/users", token="wrong")
    no_permission = get(fake_okta, "/api/v1/users", token="read-nothing-token")
    missing = get(fake_okta, "/api/v1/groups/00gMissing/users")

    assert bad_token.status_code == 401
    body = bad_token.json()
    assert set(body) == {"errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"}
    assert (body["errorCode"], body["errorSummary"]) == ("E0000011", "Invalid token provided")
    assert body["errorId"].startswith("oae") and body["errorCauses"] == []
    assert no_permission.status_code == 403
    assert no_permission.json()["errorSummary"] == (
        "You do not have permission to perform the requested action"
    )
    assert missing.status_code == 404
    assert missing.json()["errorSummary"] == (
        "Not found: Resource not found: 00gMissing (UserGroup)"
    )


def test_rate_limit_headers_count_down_per_bucket_then_429(directory, clock):
    with FakeOkta(directory, clock=clock.time, rate_limits={"users": 3}, rate_window=60) as fake:
        answers = [get(fake, "/api/v1/users", limit=1) for _ in range(4)]
        groups = get(fake, "/api/v1/groups", limit=1)

    remaining = [r.headers["X-Rate-Limit-Remaining"] for r in answers]
    assert remaining == ["2", "1", "0", "0"]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert answers[3].json()["errorCode"] == "E0000047"
    assert {r.headers["X-Rate-Limit-Reset"] for r in answers} == {str(int(START) + 60)}
    assert answers[0].headers["X-Rate-Limit-Limit"] == "3"
    assert groups.status_code == 200 and groups.headers["X-Rate-Limit-Limit"] == "10000"


def test_rate_limit_window_resets(directory, clock):
    with FakeOkta(directory, clock=clock.time, rate_limits={"users": 1}, rate_window=60) as fake:
        first, throttled = get(fake, "/api/v1/users"), get(fake, "/api/v1/users")
        clock.sleep(60)
        after_reset = get(fake, "/api/v1/users")

    assert [first.status_code, throttled.status_code, after_reset.status_code] == [200, 429, 200]


def test_injected_faults_hit_the_chosen_page(fake_okta):
    fake_okta.faults.fail_page("users", page=2, status=502)
    fake_okta.faults.throttle(endpoint="groups", reset_in=7)

    first = get(fake_okta, "/api/v1/users", limit=2)
    next_url = links(first)[1][1 : links(first)[1].index(">")]
    auth = {"Authorization": f"SSWS {fake_okta.token}"}
    failed = requests.get(next_url, headers=auth, timeout=5)
    retried = requests.get(next_url, headers=auth, timeout=5)
    throttled = get(fake_okta, "/api/v1/groups")

    assert [first.status_code, failed.status_code, retried.status_code] == [200, 502, 200]
    assert throttled.status_code == 429
    assert throttled.headers["X-Rate-Limit-Reset"] == str(int(START) + 7)
    assert throttled.headers["X-Rate-Limit-Remaining"] == "0"


def test_injected_delay_holds_the_answer(fake_okta):
    fake_okta.faults.delay(1.0, endpoint="apps")

    auth = {"Authorization": f"SSWS {fake_okta.token}"}
    with pytest.raises(requests.ReadTimeout):
        requests.get(f"{fake_okta.base_url}/api/v1/apps", headers=auth, timeout=(1, 0.2))


def test_directory_changes_show_up_between_requests(fake_okta, directory):
    user = directory.add_user("old.login@example.com")
    group = directory.add_group("team")
    directory.add_member(group.id, user.id)
    directory.assign_user(user.id)

    directory.rename_login(user.id, "new.login@example.com")
    directory.suspend_user(user.id)
    directory.update_group(group.id, name="renamed-team")
    directory.remove_member(group.id, user.id)
    directory.unassign_user(user.id)

    body = get(fake_okta, f"/api/v1/users/{user.id}").json()
    assert (body["profile"]["login"], body["status"]) == ("new.login@example.com", "SUSPENDED")
    assert get(fake_okta, f"/api/v1/groups/{group.id}").json()["profile"]["name"] == "renamed-team"
    assert get(fake_okta, f"/api/v1/groups/{group.id}/users").json() == []
    app_users = all_pages(fake_okta, f"/api/v1/apps/{fake_okta.app_id}/users")
    assert user.id not in {u["id"] for u in app_users}
    directory.delete_user(user.id)
    assert get(fake_okta, f"/api/v1/users/{user.id}").status_code == 404


def test_generated_directory_is_deterministic_and_sized():
    one = FakeOktaDirectory.generate(users=2000, groups=40, memberships=5000, seed=7)
    two = FakeOktaDirectory.generate(users=2000, groups=40, memberships=5000, seed=7)

    assert list(one.users) == list(two.users)
    assert [u.profile for u in one.users.values()] == [u.profile for u in two.users.values()]
    assert len(one.users) == 2000
    assert len(one.groups) == 41  # plus Everyone, as in every Okta org
    explicit = [g for g in one.groups.values() if g.type != "BUILT_IN"]
    assert sum(len(g.members) for g in explicit) == 5000
    assert max(len(g.members) for g in explicit) > 200  # some groups span member pages
    assert one.app_groups[one.app_id] and one.app_users[one.app_id]


def test_standalone_command_prints_url_token_and_app_id():
    command = [sys.executable, "-m", "fake_okta", "--users", "20", "--port", "0"]
    command += ["--token", "demo-token"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        printed = [process.stdout.readline() for _ in range(5)]
        url = printed[1].split()[-1]
        response = requests.get(
            f"{url}/api/v1/users", headers={"Authorization": "SSWS demo-token"}, timeout=5
        )
    finally:
        process.terminate()
        process.wait(timeout=5)

    assert printed[2].split()[-1] == "demo-token"
    assert printed[3].split()[-1].startswith("0oa")
    assert response.status_code == 200 and len(response.json()) > 15


def listed(directory: FakeOktaDirectory) -> set[str]:
    return {uid for uid, user in directory.users.items() if user.status != "DEPROVISIONED"}


def all_pages(fake: FakeOkta, path: str, **params: object) -> list[dict]:
    response = get(fake, path, **params)
    assert response.status_code == 200, response.text
    items = response.json()
    while len(links(response)) > 1:
        next_url = links(response)[1][1 : links(response)[1].index(">")]
        response = requests.get(
            next_url, headers={"Authorization": f"SSWS {fake.token}"}, timeout=5
        )
        items += response.json()
    return items
