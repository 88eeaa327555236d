"""Issue 9, as the holder of a SCIM token would try it: SCIM sees and changes only the
rows Okta owns. Local accounts and groups answer 404, a POST naming a local login gets
409 with the hand-over detail, and rows the sync or SAML already manage are adopted."""

import pytest

from querypie_admin import directory
from querypie_admin.models import AuditEvent, AuthProvider, Group, LinkSource, Role, User
from tests.factories import GroupFactory, UserFactory, okta_group, okta_user

from .conftest import GROUP_SCHEMA, user_body
from .helpers import expected_group, expected_user

pytestmark = pytest.mark.django_db
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
DEACTIVATE = {"op": "replace", "value": {"active": False}}
OKTA_ID = "00ujl29u0le5T6Aj10h7"


def error(status: int, detail: str, scim_type: str | None = None) -> dict:
    body = {"schemas": [ERROR], "detail": detail, "status": str(status)}
    return {**body, "scimType": scim_type} if scim_type else body


def not_found(pk) -> dict:
    return error(404, f"Resource {pk} not found")


def hand_over_refused(label: str, kind: str = "account") -> dict:
    detail = (
        f"{label} is a local {kind}: an administrator must hand it over to Okta "
        "before Okta can manage it."
    )
    return error(409, detail, "uniqueness")


def snapshot(obj) -> dict:
    """Every stored column of a row, to prove a refused request changed nothing."""
    return type(obj).objects.filter(pk=obj.pk).values().get()


# Local rows are out of reach: 404, and nothing changes -------------------------------
def test_scim_cannot_deactivate_the_local_owner(scim, owner):
    response = scim.patch(f"/Users/{owner.pk}", DEACTIVATE)
    assert response.status_code == 404 and response.json() == not_found(owner.pk)
    owner.refresh_from_db()
    assert owner.is_active and owner.is_local_owner


def test_scim_put_cannot_rewrite_a_local_users_email(scim, plain_user):
    before = snapshot(plain_user)
    body = user_body(plain_user.login_id, emails=[{"value": "attacker@evil.example"}])
    response = scim.put(f"/Users/{plain_user.pk}", body)
    assert response.status_code == 404 and response.json() == not_found(plain_user.pk)
    assert snapshot(plain_user) == before
    assert not plain_user.links.exists()


def test_scim_cannot_delete_a_local_system_admin(scim, system_admin):
    response = scim.delete(f"/Users/{system_admin.pk}")
    assert response.status_code == 404 and response.json() == not_found(system_admin.pk)
    assert User.objects.get(pk=system_admin.pk).role == Role.SYSTEM_ADMIN


def test_scim_cannot_replace_a_local_groups_members(scim, plain_user):
    admins = GroupFactory(name="Admins")
    directory.add_members(directory.Caller.command(), admins, [plain_user])
    intruder = okta_user(LinkSource.SCIM)
    replace = {"op": "replace", "path": "members", "value": [{"value": str(intruder.pk)}]}
    response = scim.patch(f"/Groups/{admins.pk}", replace)
    assert response.status_code == 404 and response.json() == not_found(admins.pk)
    assert list(admins.members.all()) == [plain_user]
    assert scim.get(f"/Groups/{admins.pk}").status_code == 404
    assert scim.put(f"/Groups/{admins.pk}", {"displayName": "Mine"}).status_code == 404
    assert scim.delete(f"/Groups/{admins.pk}").status_code == 404
    assert Group.objects.get(pk=admins.pk).name == "Admins"


def test_lists_filters_and_search_show_no_local_row(scim, owner):
    okta = okta_user(LinkSource.SCIM, external_id="00u1", login_id="okta@corp.example")
    GroupFactory(name="Local team")
    team = okta_group(LinkSource.SCIM, name="Okta team")
    assert scim.get(f"/Users/{owner.pk}").json() == not_found(owner.pk)
    listed = scim.get("/Users").json()
    assert listed == {
        "schemas": [LIST],
        "totalResults": 1,
        "itemsPerPage": 1,
        "startIndex": 1,
        "Resources": [expected_user(okta.pk)],
    }
    for query in ('userName eq "OWNER@corp.example"', f'id eq "{owner.pk}"', "active eq true"):
        found = scim.get("/Users", filter=query).json()
        assert owner.login_id not in str(found["Resources"]), query
    search = {"schemas": [SEARCH], "filter": 'userName sw "owner"'}
    assert scim.post("/Users/.search", search).json()["totalResults"] == 0
    groups = scim.get("/Groups").json()["Resources"]
    assert groups == [expected_group(team.pk)]
    assert scim.get("/Groups", filter='displayName eq "local team"').json()["totalResults"] == 0


def test_post_with_a_local_login_in_another_case_is_409_with_the_hand_over_detail(scim, owner):
    before = snapshot(owner)
    response = scim.post("/Users", user_body("OWNER@corp.example", active=False))
    assert response.status_code == 409
    assert response.json() == hand_over_refused("owner@corp.example")
    assert snapshot(owner) == before and not owner.links.exists()
    assert User.objects.count() == 1
    refusal = AuditEvent.objects.get(outcome="failure")
    assert (refusal.target_id, refusal.detail["source"]) == (str(owner.pk), "scim")


def test_post_with_a_local_group_name_is_409_with_the_hand_over_detail(scim):
    local = GroupFactory(name="Admins")
    response = scim.post("/Groups", {"schemas": [GROUP_SCHEMA], "displayName": "ADMINS"})
    assert response.status_code == 409
    assert response.json() == hand_over_refused("Admins", "group")
    assert not local.links.exists() and Group.objects.count() == 1


# Members name Okta users only ---------------------------------------------------------
def test_a_local_member_is_refused_like_an_unknown_id(scim, owner):
    team = okta_group(LinkSource.SCIM, name="Okta team")
    okta = okta_user(LinkSource.SCIM)
    directory.add_members(directory.Caller.scim(), team, [okta])
    add = {"op": "add", "path": "members", "value": [{"value": str(owner.pk)}]}
    response = scim.patch(f"/Groups/{team.pk}", add)
    assert response.json() == error(400, f"No user with id {owner.pk}", "invalidValue")
    body = {"displayName": "New team", "members": [{"value": str(owner.pk)}]}
    assert scim.post("/Groups", body).status_code == 400
    assert list(team.members.all()) == [okta]
    assert not Group.objects.filter(name="New team").exists()


def test_local_rows_never_appear_in_members_or_groups(scim, owner):
    """Put there by hand (no directory path allows it): SCIM still shows none of them."""
    team = okta_group(LinkSource.SCIM, name="Okta team")
    okta = okta_user(LinkSource.SCIM)
    team.memberships.create(user=owner)
    team.memberships.create(user=okta)
    local = GroupFactory(name="Local team")
    directory.add_members(directory.Caller.command(), local, [okta])
    assert scim.get(f"/Groups/{team.pk}").json() == expected_group(team.pk, [okta])
    assert scim.get(f"/Users/{okta.pk}").json() == expected_user(okta.pk, groups=[team])
    assert scim.get("/Users").json()["Resources"] == [expected_user(okta.pk, groups=[team])]


# Rows Okta owns through another source are adopted ------------------------------------
def test_post_matching_a_synced_user_by_user_name_adds_a_scim_link(scim):
    synced = okta_user(
        LinkSource.OKTA_SYNC, external_id=OKTA_ID, login_id="isabella.chen@corp.example"
    )
    response = scim.post("/Users", user_body("Isabella.Chen@corp.example"))
    assert response.status_code == 201
    assert response.json() == expected_user(synced.pk)
    synced.refresh_from_db()
    assert directory.sources_of(synced) == [LinkSource.OKTA_SYNC, LinkSource.SCIM]
    assert (synced.login_id, synced.first_name) == ("Isabella.Chen@corp.example", "Isabella")
    assert User.objects.count() == 1
    linked = AuditEvent.objects.get(action="user.linked")
    assert linked.detail == {"source": "scim", "external_id": OKTA_ID}


def test_post_matching_a_synced_user_by_external_id_adopts_it_under_the_new_login(scim):
    """Okta renamed the user: its id (the sync link's) still names the same person."""
    synced = okta_user(LinkSource.OKTA_SYNC, external_id=OKTA_ID, login_id="i.chen@corp.example")
    response = scim.post("/Users", user_body(externalId=OKTA_ID))
    assert response.status_code == 201
    assert response.json() == expected_user(synced.pk)
    synced.refresh_from_db()
    assert synced.login_id == "isabella.chen@corp.example"
    assert directory.sources_of(synced) == [LinkSource.OKTA_SYNC, LinkSource.SCIM]
    assert User.objects.count() == 1


def test_a_handed_over_account_is_linked_by_a_post_with_its_login(scim, owner):
    account = UserFactory(login_id="dana@corp.example", first_name="Dana")
    directory.hand_over(directory.Caller.command(), account)
    response = scim.post("/Users", user_body("DANA@corp.example", externalId="00uDANA"))
    assert response.status_code == 201 and response.json()["id"] == str(account.pk)
    account.refresh_from_db()
    assert account.auth_provider == AuthProvider.OKTA and account.first_name == "Isabella"
    assert account.links.get().external_id == "00uDANA"
    assert directory.sources_of(account) == [LinkSource.SCIM]


def test_post_for_a_user_scim_already_manages_is_still_409(scim):
    okta_user(LinkSource.SCIM, LinkSource.OKTA_SYNC, login_id="isabella.chen@corp.example")
    response = scim.post("/Users", user_body())
    detail = "userName 'isabella.chen@corp.example' is already in use"
    assert response.json() == error(409, detail, "uniqueness")


def test_post_matching_a_synced_group_by_display_name_adds_a_scim_link(scim):
    synced = okta_group(LinkSource.OKTA_SYNC, external_id="00gENG", name="Engineering")
    member = okta_user(LinkSource.SCIM)
    body = {"displayName": "engineering", "members": [{"value": str(member.pk)}]}
    response = scim.post("/Groups", {"schemas": [GROUP_SCHEMA], **body})
    assert response.status_code == 201
    assert response.json() == expected_group(synced.pk, [member])
    assert directory.sources_of(synced) == [LinkSource.OKTA_SYNC, LinkSource.SCIM]
    assert Group.objects.get().name == "engineering"


# Deleting what the sync also manages only lets go of it --------------------------------
def test_delete_of_a_user_the_sync_also_manages_only_drops_the_scim_link(scim):
    user = okta_user(LinkSource.SCIM, LinkSource.OKTA_SYNC, external_id=OKTA_ID)
    assert scim.delete(f"/Users/{user.pk}").status_code == 204
    user.refresh_from_db()
    assert user.is_active and directory.sources_of(user) == [LinkSource.OKTA_SYNC]
    released = AuditEvent.objects.get(action="user.link_released")
    assert released.detail == {"source": "scim"}
    assert not AuditEvent.objects.filter(action="user.deleted").exists()


def test_delete_of_a_group_the_sync_also_manages_only_drops_the_scim_link(scim):
    group = okta_group(LinkSource.SCIM, LinkSource.OKTA_SYNC, external_id="00gENG")
    member = okta_user(LinkSource.OKTA_SYNC)
    directory.add_members(directory.Caller.okta_sync(), group, [member])
    assert scim.delete(f"/Groups/{group.pk}").status_code == 204
    assert directory.sources_of(group) == [LinkSource.OKTA_SYNC]
    assert list(group.members.all()) == [member]


def test_scim_deactivation_of_a_synced_user_is_an_explicit_negative(scim):
    user = okta_user(LinkSource.OKTA_SYNC, external_id=OKTA_ID)
    response = scim.patch(f"/Users/{user.pk}", DEACTIVATE)
    assert response.status_code == 200 and response.json() == expected_user(user.pk)
    user.refresh_from_db()
    assert not user.is_active
    assert directory.sources_of(user) == [LinkSource.OKTA_SYNC, LinkSource.SCIM]
    event = AuditEvent.objects.get(action="user.deactivated")
    assert event.detail == {"source": "scim", "fields": ["is_active"]}


# A refusal that still happens is a clear 403, audited ---------------------------------
def test_scim_cannot_deactivate_or_delete_an_okta_owner(scim, owner):
    """An Owner handed over to Okta is reachable, but only an Owner changes an Owner."""
    second = UserFactory(login_id="second.owner@corp.example", role=Role.OWNER)
    directory.hand_over(directory.Caller.command(), second)
    refused = error(403, "Only an Owner can change an Owner or make an Owner.")
    assert scim.patch(f"/Users/{second.pk}", DEACTIVATE).json() == refused
    assert scim.delete(f"/Users/{second.pk}").json() == refused
    second.refresh_from_db()
    assert second.is_active and second.role == Role.OWNER
    failures = AuditEvent.objects.filter(outcome="failure").order_by("id")
    assert [(e.action, e.target_id, e.detail["source"]) for e in failures] == [
        ("user.deactivated", str(second.pk), "scim"),
        ("user.deleted", str(second.pk), "scim"),
    ]
