"""/Groups as Okta pushes them: create with members, membership PATCHes, PUT, delete."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from querypie_admin import directory
from querypie_admin.models import AuditEvent, AuthProvider, Group, GroupMembership, LinkSource
from tests.factories import okta_group, okta_user

from .conftest import GROUP_SCHEMA
from .helpers import expected_group

pytestmark = pytest.mark.django_db
SCIM = directory.Caller.scim()


@pytest.fixture
def people(db):
    return [okta_user(LinkSource.SCIM, login_id=f"p{i}@corp.example") for i in range(4)]


def members(*users) -> list[dict]:
    return [{"value": str(u.pk), "display": u.login_id} for u in users]


def create_group(scim, name="Engineering", users=()) -> dict:
    body = {"schemas": [GROUP_SCHEMA], "displayName": name, "members": members(*users)}
    response = scim.post("/Groups", body)
    assert response.status_code == 201, response.content
    return response.json()


def member_ids(group_id) -> set[int]:
    return set(GroupMembership.objects.filter(group_id=group_id).values_list("user_id", flat=True))


def test_post_groups_keeps_its_members(scim, people):
    body = create_group(scim, users=people[:2])
    assert body == expected_group(body["id"], people[:2])
    group = Group.objects.get(pk=body["id"])
    assert group.auth_provider == AuthProvider.OKTA and group.is_managed_externally
    assert member_ids(group.pk) == {people[0].pk, people[1].pk}
    link = group.links.get()
    assert (link.source, link.attributes) == (
        LinkSource.SCIM,
        {"schemas": [GROUP_SCHEMA], "displayName": "Engineering"},
    )


def test_duplicate_display_name_is_409_uniqueness(scim):
    create_group(scim)
    response = scim.post("/Groups", {"schemas": [GROUP_SCHEMA], "displayName": "ENGINEERING"})
    assert response.status_code == 409 and response.json()["scimType"] == "uniqueness"


def test_lookup_by_display_name_finds_the_group(scim, people):
    body = create_group(scim, users=people[:1])
    found = scim.get("/Groups", filter='displayName eq "engineering"').json()
    assert found["totalResults"] == 1
    assert found["Resources"] == [expected_group(body["id"], people[:1])]
    slim = scim.get(
        "/Groups", filter='displayName eq "Engineering"', excludedAttributes="members"
    ).json()
    assert slim["Resources"] == [expected_group(body["id"])]


def test_patch_add_members(scim, people):
    body = create_group(scim, users=people[:1])
    response = scim.patch(
        f"/Groups/{body['id']}", {"op": "add", "path": "members", "value": members(*people[1:3])}
    )
    assert response.status_code == 204
    assert member_ids(body["id"]) == {p.pk for p in people[:3]}


def test_filtered_member_removal_removes_the_member_not_a_silent_204(scim, people):
    """authentik #24173: Okta's `members[value eq "…"]` removal answered 2xx and removed
    nobody. Here the named member is gone and the others stay."""
    body = create_group(scim, users=people[:3])
    response = scim.patch(
        f"/Groups/{body['id']}", {"op": "remove", "path": f'members[value eq "{people[1].pk}"]'}
    )
    assert response.status_code == 204
    assert member_ids(body["id"]) == {people[0].pk, people[2].pk}


def test_patch_remove_members_by_value_list(scim, people):
    body = create_group(scim, users=people[:3])
    scim.patch(
        f"/Groups/{body['id']}",
        {"op": "Remove", "path": "members", "value": members(people[0], people[2])},
    )
    assert member_ids(body["id"]) == {people[1].pk}


def test_patch_replace_display_name(scim):
    body = create_group(scim)
    scim.patch(
        f"/Groups/{body['id']}",
        {"op": "replace", "value": {"id": body["id"], "displayName": "Platform"}},
    )
    assert Group.objects.get(pk=body["id"]).name == "Platform"
    scim.patch(f"/Groups/{body['id']}", {"op": "Replace", "path": "displayName", "value": "Ops"})
    assert scim.get(f"/Groups/{body['id']}").json() == expected_group(body["id"])
    assert Group.objects.get(pk=body["id"]).name == "Ops"


def test_patch_replace_members_and_empty_group(scim, people):
    body = create_group(scim, users=people[:2])
    scim.patch(
        f"/Groups/{body['id']}", {"op": "replace", "path": "members", "value": members(*people[2:])}
    )
    assert member_ids(body["id"]) == {people[2].pk, people[3].pk}
    scim.patch(f"/Groups/{body['id']}", {"op": "replace", "path": "members", "value": []})
    assert member_ids(body["id"]) == set()


def test_put_with_full_member_list_as_app_wizard_apps_push_it(scim, people):
    body = create_group(scim, users=people[:2])
    sent = {
        "schemas": [GROUP_SCHEMA],
        "id": body["id"],
        "displayName": "Engineering",
        "members": members(people[1], people[3]),
    }
    response = scim.put(f"/Groups/{body['id']}", sent)
    assert response.status_code == 200
    assert response.json() == expected_group(body["id"], [people[1], people[3]])
    assert scim.put(f"/Groups/{body['id']}", {**sent, "members": []}).status_code == 200
    assert member_ids(body["id"]) == set()


def test_unknown_member_is_refused_and_changes_nothing(scim, people):
    body = create_group(scim, users=people[:1])
    response = scim.patch(
        f"/Groups/{body['id']}",
        {"op": "replace", "path": "displayName", "value": "Renamed"},
        {"op": "add", "path": "members", "value": [{"value": "987654"}]},
    )
    assert response.status_code == 400 and response.json()["scimType"] == "invalidValue"
    assert Group.objects.get(pk=body["id"]).name == "Engineering"
    assert member_ids(body["id"]) == {people[0].pk}


def test_repeated_membership_patch_changes_nothing_more(scim, people):
    body = create_group(scim, users=people[:1])
    op = {"op": "add", "path": "members", "value": members(people[1])}
    scim.patch(f"/Groups/{body['id']}", op)
    events = AuditEvent.objects.count()
    scim.patch(f"/Groups/{body['id']}", op)
    assert AuditEvent.objects.count() == events
    assert member_ids(body["id"]) == {people[0].pk, people[1].pk}


def test_adding_one_member_inserts_one_row_and_rewrites_no_other(scim):
    crowd = [okta_user(LinkSource.SCIM) for _ in range(50)]
    body = create_group(scim, users=crowd[:-1])
    before = dict(GroupMembership.objects.filter(group_id=body["id"]).values_list("id", "user_id"))
    with CaptureQueriesContext(connection) as queries:
        scim.patch(
            f"/Groups/{body['id']}", {"op": "add", "path": "members", "value": members(crowd[-1])}
        )
    table = GroupMembership._meta.db_table  # a write may sit inside a WITH (one statement)
    written = re.compile(rf'(INSERT INTO|UPDATE|DELETE FROM) "{table}"', re.IGNORECASE)
    writes = [w.upper() for q in queries for w in written.findall(q["sql"])]
    assert writes == ["INSERT INTO"]
    after = dict(GroupMembership.objects.filter(group_id=body["id"]).values_list("id", "user_id"))
    assert {k: v for k, v in after.items() if k in before} == before and len(after) == 50


def test_group_listing_uses_a_fixed_number_of_queries(scim):
    users = [okta_user(LinkSource.SCIM) for _ in range(5)]
    for i in range(30):
        directory.add_members(SCIM, okta_group(LinkSource.SCIM), users[: i % 5 + 1])
    scim.get("/Groups", count="1")  # the token's first use of the minute is recorded once
    with CaptureQueriesContext(connection) as few:
        scim.get("/Groups", count="5")
    with CaptureQueriesContext(connection) as many:
        body = scim.get("/Groups", count="30").json()
    assert body["totalResults"] == 30 and len(body["Resources"]) == 30
    assert len(many) == len(few)


def test_user_listing_uses_a_fixed_number_of_queries(scim):
    group = okta_group(LinkSource.SCIM)
    directory.add_members(SCIM, group, [okta_user(LinkSource.SCIM) for _ in range(30)])
    scim.get("/Users", count="1")
    with CaptureQueriesContext(connection) as few:
        scim.get("/Users", count="5")
    with CaptureQueriesContext(connection) as many:
        scim.get("/Users", count="30")
    assert len(many) == len(few)


def test_delete_group(scim, people):
    body = create_group(scim, users=people[:2])
    assert scim.delete(f"/Groups/{body['id']}").status_code == 204
    assert scim.get(f"/Groups/{body['id']}").status_code == 404
    assert not Group.objects.filter(pk=body["id"]).exists()
    assert AuditEvent.objects.filter(action="group.deleted", target_label="Engineering").exists()


def test_console_warns_before_deleting_a_scim_group(scim, admin_client):
    body = create_group(scim)
    page = admin_client.get(f"/administrator/groups/{body['id']}/delete/").content.decode()
    assert "Unlink it from the QueryPie app in Okta first" in page
    admin_client.post(f"/administrator/groups/{body['id']}/delete/")
    event = AuditEvent.objects.get(action="group.deleted")
    assert event.actor_label == "owner@corp.example"
