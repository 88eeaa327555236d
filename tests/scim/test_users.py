"""/Users as Okta drives it: look-up, create, profile push, deactivation, deletion."""

import pytest
from django.db import connection

from querypie_admin import directory
from querypie_admin.auth_backends import LoginIdBackend
from querypie_admin.models import AuditEvent, AuthProvider, GroupMembership, LinkSource, User
from tests.factories import GroupFactory, okta_group, okta_user

from .conftest import QUERYPIE, USER_SCHEMA, user_body
from .helpers import expected_user

pytestmark = pytest.mark.django_db
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


def create(scim, **overrides) -> dict:
    response = scim.post("/Users", user_body(**overrides))
    assert response.status_code == 201, response.content
    return response.json()


def test_okta_lookup_before_create_gets_an_empty_list_response(scim):
    response = scim.get(
        "/Users", filter='userName eq "isabella.chen@corp.example"', startIndex="1", count="100"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/scim+json"
    assert response.json() == {
        "schemas": [LIST],
        "totalResults": 0,
        "itemsPerPage": 0,
        "startIndex": 1,
        "Resources": [],
    }


def test_okta_create_returns_201_with_the_full_resource(scim):
    response = scim.post("/Users", user_body())
    assert response.status_code == 201
    body = response.json()
    assert response["Location"] == f"http://testserver/api/scim/v2/Users/{body['id']}"
    assert body == expected_user(body["id"])
    user = User.objects.get(pk=body["id"])
    assert (user.login_id, user.first_name, user.last_name, user.email) == (
        "isabella.chen@corp.example",
        "Isabella",
        "Chen",
        "isabella.chen@corp.example",
    )
    assert user.is_active
    assert user.auth_provider == AuthProvider.OKTA and user.is_managed_externally
    link = user.links.get()
    assert (link.source, link.external_id) == (LinkSource.SCIM, "00ujl29u0le5T6Aj10h7")


def test_okta_placeholder_password_is_never_set(scim, client):
    body = create(scim)
    user = User.objects.get(pk=body["id"])
    assert not user.has_usable_password()
    assert not client.login(username=user.login_id, password="1mz050nq")
    sent = user.links.get(source=LinkSource.SCIM).attributes
    assert sent == {k: v for k, v in user_body().items() if k != "password"}


def test_lookup_finds_the_created_user_whatever_the_case(scim):
    body = create(scim)
    found = scim.get("/Users", filter='userName eq "ISABELLA.Chen@corp.example"').json()
    assert found["totalResults"] == 1 and found["Resources"] == [expected_user(body["id"])]


def test_duplicate_username_in_any_case_is_409_uniqueness(scim):
    create(scim)
    response = scim.post("/Users", user_body("Isabella.CHEN@corp.example"))
    assert response.status_code == 409
    assert response.json() == {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "detail": "userName 'Isabella.CHEN@corp.example' is already in use",
        "status": "409",
        "scimType": "uniqueness",
    }
    assert User.objects.count() == 1


def test_renaming_onto_another_login_is_409_without_database_text(scim):
    okta_user(LinkSource.OKTA_SYNC, login_id="taken@corp.example")
    body = create(scim)
    response = scim.put(f"/Users/{body['id']}", user_body("TAKEN@corp.example"))
    assert response.status_code == 409 and response.json()["scimType"] == "uniqueness"
    assert "constraint" not in response.content.decode().lower()


def test_full_profile_mapping_and_querypie_extension(scim):
    body = create(
        scim,
        emails=[
            {"value": "home@mail.example", "type": "home"},
            {"value": "isabella.chen@corp.example", "type": "work", "primary": True},
        ],
        phoneNumbers=[{"value": "+1 555 0100", "type": "mobile"}],
        addresses=[{"formatted": "1 Main St, Springfield", "type": "work"}],
        schemas=[USER_SCHEMA, QUERYPIE],
        **{QUERYPIE: {"staticIp": "10.0.0.7", "macAddress": "00:1a:2b:3c:4d:5e"}},
    )
    user = User.objects.get(pk=body["id"])
    assert (user.email, user.second_email) == ("isabella.chen@corp.example", "home@mail.example")
    assert (user.mobile_phone, user.postal_address) == ("+1 555 0100", "1 Main St, Springfield")
    assert (user.static_ip, user.mac_address) == ("10.0.0.7", "00:1a:2b:3c:4d:5e")
    assert body == expected_user(
        user.pk,
        emails=[
            {"value": "isabella.chen@corp.example", "type": "work", "primary": True},
            {"value": "home@mail.example", "type": "home", "primary": False},
        ],
        phoneNumbers=[{"value": "+1 555 0100", "type": "mobile"}],
        addresses=[{"formatted": "1 Main St, Springfield"}],
        extension={"staticIp": "10.0.0.7", "macAddress": "00:1a:2b:3c:4d:5e"},
    )


def test_put_full_body_ignores_read_only_id_meta_and_groups(scim):
    body = create(scim)
    sent = {
        **body,
        "name": {"givenName": "Bella", "familyName": "Chen"},
        "id": "999",
        "meta": {"resourceType": "Bogus"},
        "groups": [{"value": "1"}],
        "password": "x",
    }
    response = scim.put(f"/Users/{body['id']}", sent)
    assert response.status_code == 200
    assert response.json() == expected_user(body["id"])
    assert User.objects.get(pk=body["id"]).first_name == "Bella"
    assert User.objects.count() == 1


def test_put_deactivation_as_app_wizard_apps_send_it(scim):
    body = create(scim)
    current = scim.get(f"/Users/{body['id']}").json()
    response = scim.put(f"/Users/{body['id']}", {**current, "active": False})
    assert response.status_code == 200 and response.json()["active"] is False
    assert not User.objects.get(pk=body["id"]).is_active


def test_okta_deactivates_with_pathless_replace(scim):
    body = create(scim)
    response = scim.patch(f"/Users/{body['id']}", {"op": "replace", "value": {"active": False}})
    assert response.status_code == 200
    assert response.json() == expected_user(body["id"], active=False)
    assert response.json()["active"] is False


@pytest.mark.parametrize("op", ["Replace", "REPLACE", "replace"])
@pytest.mark.parametrize("value", ["False", "false", False])
def test_op_names_in_any_case_and_booleans_as_strings(scim, op, value):
    body = create(scim)
    scim.patch(f"/Users/{body['id']}", {"op": op, "value": {"active": value}})
    assert not User.objects.get(pk=body["id"]).is_active
    scim.patch(f"/Users/{body['id']}", {"op": op, "path": "active", "value": "True"})
    assert User.objects.get(pk=body["id"]).is_active


def test_deactivation_keeps_every_attribute_and_reactivation_restores_the_account(scim):
    """An Okta account signs in with Okta; its sessions hold only while it is active."""
    body = create(scim, phoneNumbers=[{"value": "+1 555 0100", "type": "mobile"}])
    user = User.objects.get(pk=body["id"])
    assert LoginIdBackend().get_user(user.pk) == user
    scim.patch(f"/Users/{user.pk}", {"op": "replace", "value": {"active": False}})
    assert LoginIdBackend().get_user(user.pk) is None
    inactive = scim.get(f"/Users/{user.pk}").json()
    assert {k: v for k, v in inactive.items() if k not in ("active", "meta")} == {
        k: v for k, v in body.items() if k not in ("active", "meta")
    }
    scim.patch(f"/Users/{user.pk}", {"op": "replace", "value": {"active": True}})
    assert LoginIdBackend().get_user(user.pk) == user
    assert User.objects.get(login_id__iexact=user.login_id).pk == user.pk


def test_patch_with_paths_changes_only_what_is_named(scim):
    body = create(scim)
    response = scim.patch(
        f"/Users/{body['id']}",
        {"op": "Replace", "path": "name.givenName", "value": "Bella"},
        {"op": "add", "path": 'emails[type eq "other"].value', "value": "b@mail.example"},
        {"op": "replace", "path": f"{QUERYPIE}:staticIp", "value": "10.1.1.1"},
        {"op": "Add", "path": "phoneNumbers", "value": [{"value": "555", "type": "mobile"}]},
    )
    assert response.status_code == 200
    user = User.objects.get(pk=body["id"])
    assert (user.first_name, user.last_name) == ("Bella", "Chen")
    assert (user.second_email, user.static_ip, user.mobile_phone) == (
        "b@mail.example",
        "10.1.1.1",
        "555",
    )


def test_pathless_name_replace_merges_sub_attributes(scim):
    body = create(scim)
    response = scim.patch(
        f"/Users/{body['id']}", {"op": "replace", "value": {"name": {"givenName": "Bella"}}}
    )
    assert response.status_code == 200
    assert response.json()["name"] == {"givenName": "Bella", "familyName": "Chen"}


def test_password_replace_is_ignored(scim):
    body = create(scim)
    response = scim.patch(
        f"/Users/{body['id']}", {"op": "replace", "path": "password", "value": "NewPassw0rd!"}
    )
    assert response.status_code == 200
    assert not User.objects.get(pk=body["id"]).has_usable_password()


def test_repeating_a_request_changes_nothing_more(scim):
    body = create(scim)
    op = {"op": "replace", "value": {"active": False}}
    scim.patch(f"/Users/{body['id']}", op)
    events = AuditEvent.objects.count()
    modified = User.objects.get(pk=body["id"]).updated_at
    scim.patch(f"/Users/{body['id']}", op)
    scim.put(f"/Users/{body['id']}", scim.get(f"/Users/{body['id']}").json())
    assert AuditEvent.objects.count() == events
    assert User.objects.get(pk=body["id"]).updated_at == modified


def test_delete_removes_the_user_but_the_audit_trail_keeps_who_it_was(scim, client):
    body = create(scim)
    assert scim.delete(f"/Users/{body['id']}").status_code == 204
    assert scim.get(f"/Users/{body['id']}").status_code == 404
    assert not User.objects.filter(login_id__iexact="isabella.chen@corp.example").exists()
    assert not client.login(username="isabella.chen@corp.example", password="1mz050nq")
    event = AuditEvent.objects.get(action="user.deleted")
    assert event.target_label == "isabella.chen@corp.example"
    assert event.actor_label.startswith("SCIM (token ")


def test_changes_are_audited_with_the_token_not_its_value(scim, scim_token):
    body = create(scim)
    event = AuditEvent.objects.get(action="user.created", target_id=body["id"])
    assert event.actor_label == f"SCIM (token {scim_token.split('_')[1][:4]}…)"
    assert scim_token.split("_", 2)[2] not in str(list(AuditEvent.objects.values()))


@pytest.mark.parametrize("vendor", ["postgresql", "sqlite"])  # in the page's query; one more
def test_user_shows_its_groups(scim, monkeypatch, vendor):
    body = create(scim)
    group, other = okta_group(LinkSource.SCIM, name="engineering"), okta_group(name="ops")
    user = User.objects.get(pk=body["id"])
    directory.add_members(directory.Caller.scim(), group, [user])
    directory.add_members(directory.Caller.scim(), other, [user])
    GroupMembership.objects.create(group=GroupFactory(name="local"), user=user)  # not Okta's
    monkeypatch.setattr(connection, "vendor", vendor)
    listed = scim.get("/Users").json()["Resources"]
    assert listed == [expected_user(body["id"], groups=[group, other])]
    looked_up = scim.get("/Users", filter=f'userName eq "{user.login_id.upper()}"').json()
    assert looked_up["Resources"] == listed
    assert scim.get(f"/Users/{body['id']}").json() == listed[0]


def test_pagination_and_attribute_selection(scim):
    users = [okta_user(LinkSource.SCIM, login_id=f"u{i}@corp.example") for i in range(5)]
    page = scim.get("/Users", startIndex="2", count="2", attributes="userName").json()
    assert page == {
        "schemas": [LIST],
        "totalResults": 5,
        "itemsPerPage": 2,
        "startIndex": 2,
        "Resources": [
            {"schemas": [USER_SCHEMA], "id": str(u.pk), "userName": u.login_id} for u in users[1:3]
        ],
    }
    one = scim.get(f"/Users/{users[0].pk}", excludedAttributes="emails,meta,name").json()
    assert set(one) == {"schemas", "id", "userName", "displayName", "active"}


def test_patch_body_must_be_a_patch_op(scim):
    body = create(scim)
    response = scim.request(
        "patch",
        f"/Users/{body['id']}",
        {"schemas": [USER_SCHEMA], "Operations": [{"op": "replace", "value": {"active": False}}]},
    )
    assert response.status_code == 400 and response.json()["scimType"] == "invalidSyntax"
    assert scim.patch(f"/Users/{body['id']}").json()["scimType"] == "invalidSyntax"
