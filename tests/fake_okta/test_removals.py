"""The fake Okta's removals (fake_okta/removals.py) spoken to with plain HTTP: each changes the
fake's data so the next read no longer has it, answers 204, is recorded, and is refused (403)
to the read-only token; plus the Okta client's calls for them (okta/endpoints/remediation.py)."""

from __future__ import annotations

import pytest
import requests

from fake_okta import FakeOkta, FakeOktaDirectory
from fake_okta.apps import add_application
from okta.client import OktaClient
from okta.errors import OktaNotFoundError, OktaPermissionError, OktaServerError

WRITE_TOKEN = "fake-okta-write-token"  # noqa: S105 - the fake's well-known write token


def call(fake: FakeOkta, method: str, path: str, token: str = WRITE_TOKEN) -> requests.Response:
    headers = {"Authorization": f"SSWS {token}", "Accept": "application/json"}
    return requests.request(method, f"{fake.base_url}{path}", headers=headers, timeout=5)


@pytest.fixture(name="org")
def org_fixture() -> dict:
    directory = FakeOktaDirectory(seed=7)
    ada = directory.add_user("ada@corp.example", first_name="Ada")
    bob = directory.add_user("bob@corp.example", first_name="Bob")
    sales = directory.add_group("Sales")
    directory.add_member(sales.id, ada.id)
    directory.add_member(sales.id, bob.id)
    slack = add_application(directory, "Slack")
    directory.assign_user(ada.id, app_id=slack.id)
    directory.assign_group(sales.id, app_id=slack.id)
    role = directory.admin_roles.grant_user(ada.id, "APP_ADMIN")
    return (
        {"directory": directory, "ada": ada.id, "bob": bob.id, "sales": sales.id},
        slack.id,
        role.id,
    )


def test_removing_an_app_assignment_takes_it_out_of_the_app_users(org):
    names, app, _ = org
    with FakeOkta(names["directory"]) as fake:
        removed = call(fake, "DELETE", f"/api/v1/apps/{app}/users/{names['ada']}")
        # Ada keeps the app through Sales: the app user is now the group's (scope GROUP).
        after = call(fake, "GET", f"/api/v1/apps/{app}/users/{names['ada']}", fake.token)
        again = call(fake, "DELETE", f"/api/v1/apps/{app}/users/{names['ada']}")

    assert removed.status_code == 204 and removed.content == b""
    assert after.json()["scope"] == "GROUP"
    assert again.status_code == 400  # only a direct assignment can be removed
    assert [r.status for r in fake.requests_to("remove_app_user")] == [204, 400]


def test_removing_a_group_member_and_an_admin_role(org):
    names, _, role = org
    directory = names["directory"]
    with FakeOkta(directory) as fake:
        member = call(fake, "DELETE", f"/api/v1/groups/{names['sales']}/users/{names['bob']}")
        unassigned = call(fake, "DELETE", f"/api/v1/users/{names['ada']}/roles/{role}")
        roles = call(fake, "GET", f"/api/v1/users/{names['ada']}/roles", fake.token)
        twice = call(fake, "DELETE", f"/api/v1/users/{names['ada']}/roles/{role}")

    assert (member.status_code, unassigned.status_code, twice.status_code) == (204, 204, 404)
    assert names["bob"] not in directory.groups[names["sales"]].members
    assert roles.json() == []
    assert len(fake.requests_to("remove_group_member")) == 1
    assert [r.status for r in fake.requests_to("unassign_user_role")] == [204, 404]


def test_a_read_only_token_cannot_remove_and_nothing_changes(org):
    names, app, _ = org
    with FakeOkta(names["directory"], forbidden_token="read-nothing") as fake:
        read_token = call(fake, "DELETE", f"/api/v1/apps/{app}/users/{names['ada']}", fake.token)
        unknown = call(fake, "DELETE", f"/api/v1/apps/{app}/users/{names['ada']}", "nonsense")
        elsewhere = call(fake, "DELETE", "/api/v1/nothing/here")

    assert read_token.status_code == 403 and read_token.json()["errorCode"] == "E0000006"
    assert unknown.status_code == 401
    assert elsewhere.status_code == 404
    assert names["ada"] in names["directory"].app_users[app]


def test_the_client_removes_with_the_write_token_and_reports_okta_errors(org):
    names, app, role = org
    with FakeOkta(names["directory"]) as fake:
        with OktaClient(fake.base_url, WRITE_TOKEN, jitter_seconds=0) as okta:
            okta.remove_app_user(app, names["ada"])
            okta.remove_group_member(names["sales"], names["ada"])
            okta.unassign_user_role(names["ada"], role)
            with pytest.raises(OktaNotFoundError):
                okta.unassign_user_role(names["ada"], role)
            fake.faults.fail_page("remove_group_member", status=500)
            with pytest.raises(OktaServerError) as failed:
                okta.remove_group_member(names["sales"], names["bob"])
        read_only = OktaClient(fake.base_url, fake.token)
        with read_only, pytest.raises(OktaPermissionError) as refused:
            read_only.remove_group_member(names["sales"], names["bob"])

    assert failed.value.status == 500  # one try: the caller keeps the error and may retry
    assert refused.value.error_code == "E0000006"
    assert names["bob"] in names["directory"].groups[names["sales"]].members
    assert len(fake.requests_to("remove_group_member")) == 3


def test_generated_people_have_managers_in_okta_profile_attributes():
    directory = FakeOktaDirectory.generate(users=30, groups=2, memberships=10, seed=3)
    people = list(directory.users.values())
    assert all("managerId" not in p.profile for p in people[:10])
    assert people[25].profile["managerId"] == people[2].id
    assert people[25].profile["manager"] == people[2].profile["login"]
