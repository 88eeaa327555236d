"""The fake Okta's visibility endpoints, spoken to with plain HTTP: the System Log's polling
`next` link (even on an empty page), its cursors, duplicates and late events; admin role
assignments with their assignees; factors; a Read-Only Administrator's 403s."""

from __future__ import annotations

import requests

from fake_okta import FakeOkta, FakeOktaDirectory
from fake_okta.apps import add_application, populate_apps, synthesize_activity
from fake_okta.roles import forbid_role_reads
from fake_okta.system_log import sign_in_event, sso_event


def get(fake: FakeOkta, url: str, **params: object) -> requests.Response:
    headers = {"Authorization": f"SSWS {fake.token}", "Accept": "application/json"}
    full = url if url.startswith("http") else f"{fake.base_url}{url}"
    return requests.get(full, params=params, headers=headers, timeout=5)


def next_link(response: requests.Response) -> str:
    value = response.headers["Link"]
    return value[1 : value.index(">")]


def org() -> tuple[FakeOktaDirectory, object, object, object]:
    directory = FakeOktaDirectory(seed=3)
    ada = directory.add_user("ada@corp.example", first_name="Ada", last_name="Lovelace")
    admins = directory.add_group("Admins")
    directory.add_member(admins.id, ada.id)
    app = add_application(directory, "Slack", sign_on_mode="OPENID_CONNECT")
    return directory, ada, admins, app


def test_polling_always_gets_a_next_link_and_an_empty_page_when_caught_up():
    directory, ada, _, app = org()
    for _ in range(3):
        directory.system_log.append(sso_event(directory, ada.id, app.id))
    with FakeOkta(directory) as fake:
        first = get(fake, "/api/v1/logs", sortOrder="ASCENDING", limit=2)
        second = get(fake, next_link(first))
        empty = get(fake, next_link(second))
        directory.system_log.append(sign_in_event(directory, ada.id))
        later = get(fake, next_link(empty))

    assert [len(r.json()) for r in (first, second, empty, later)] == [2, 1, 0, 1]
    assert 'rel="next"' in empty.headers["Link"]
    assert first.json()[0]["target"][0] == {
        "id": app.id,
        "type": "AppInstance",
        "alternateId": "Slack",
        "displayName": "Slack",
        "detailEntry": {"signOnModeType": "OPENID_CONNECT"},
    }
    assert later.json()[0]["eventType"] == "user.session.start"


def test_the_log_refuses_a_cursor_it_did_not_issue():
    with FakeOkta(FakeOktaDirectory()) as fake:
        response = get(fake, "/api/v1/logs", after="1700000000000_1")

    assert response.status_code == 400 and response.json()["errorCode"] == "E0000001"


def test_late_events_come_after_newer_ones_and_duplicates_come_twice():
    directory, ada, _, app = org()
    log = directory.system_log
    newer = log.append(sso_event(directory, ada.id, app.id, published="2026-01-02T00:00:00.000Z"))
    late = log.append(sso_event(directory, ada.id, app.id, published="2026-01-01T00:00:00.000Z"))
    log.deliver_again(newer["uuid"])
    with FakeOkta(directory) as fake:
        body = get(fake, "/api/v1/logs", sortOrder="ASCENDING").json()

    assert [e["uuid"] for e in body] == [newer["uuid"], late["uuid"], newer["uuid"]]


def test_admin_roles_list_assignees_and_roles_direct_and_through_a_group():
    directory, ada, admins, _ = org()
    directory.admin_roles.grant_group(admins.id, "SUPER_ADMIN")
    directory.admin_roles.grant_user(ada.id, "CUSTOM", label="Auditor")
    with FakeOkta(directory) as fake:
        assignees = get(fake, "/api/v1/iam/assignees/users").json()
        roles = get(fake, f"/api/v1/users/{ada.id}/roles").json()
        group_roles = get(fake, f"/api/v1/groups/{admins.id}/roles").json()

    assert [a["id"] for a in assignees["value"]] == [ada.id] and assignees["_links"] == {}
    assert [(r["type"], r["assignmentType"]) for r in roles] == [
        ("CUSTOM", "USER"),
        ("SUPER_ADMIN", "GROUP"),
    ]
    assert roles[1]["_links"]["assignee"]["href"].endswith(f"/api/v1/groups/{admins.id}")
    assert roles[0]["label"] == "Auditor" and roles[0]["resource-set"].startswith("iam")
    assert [r["label"] for r in group_roles] == ["Super Organization Administrator"]
    grants = [e for e in directory.system_log.events() if e["eventType"].endswith("grant")]
    assert [e["eventType"] for e in grants] == [
        "group.privilege.grant",
        "user.account.privilege.grant",
    ]


def test_assignees_page_by_a_next_link_in_the_body():
    directory = FakeOktaDirectory.generate(users=250, groups=3, memberships=0, seed=2)
    for user_id in list(directory.users)[:150]:
        directory.admin_roles.grant_user(user_id, "READ_ONLY_ADMIN")
    with FakeOkta(directory) as fake:
        first = get(fake, "/api/v1/iam/assignees/users").json()
        second = get(fake, first["_links"]["next"]["href"]).json()

    assert (len(first["value"]), len(second["value"])) == (100, 50)
    assert "next" not in second["_links"]


def test_factors_and_a_read_only_admin_token_s_403s():
    directory, ada, _, _ = org()
    directory.admin_roles.enroll(ada.id, "token:software:totp")
    with FakeOkta(directory) as fake:
        factors = get(fake, f"/api/v1/users/{ada.id}/factors").json()
        forbid_role_reads(fake.faults)
        refused = get(fake, "/api/v1/iam/assignees/users")
        still = get(fake, f"/api/v1/users/{ada.id}/factors")

    assert [(f["factorType"], f["provider"], f["status"]) for f in factors] == [
        ("token:software:totp", "GOOGLE", "ACTIVE")
    ]
    assert refused.status_code == 403 and refused.json()["errorCode"] == "E0000006"
    assert still.status_code == 200


def test_generated_apps_and_a_synthesized_log_cost_no_memory_per_event():
    directory = FakeOktaDirectory.generate(users=200, groups=10, memberships=300, seed=1)
    populate_apps(directory, apps=20, direct_users=5, groups_per_app=2)
    synthesize_activity(directory, events=1_000_000)

    assert len(directory.apps) == 21 and len(directory.system_log) == 1_000_000
    events = [directory.system_log.entry(i)[1] for i in (0, 1, 999_999)]
    assert events[0]["uuid"] != events[1]["uuid"]
    assert {e["eventType"] for e in events} == {"user.session.start", "user.authentication.sso"}
