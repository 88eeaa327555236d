"""Attacks by the holder of a SCIM token on what Okta does not own: local accounts hidden
behind an Okta group, local logins in another case or script, and filters that try to
see past the scoping. Each asserts the directory afterwards."""

import pytest

from querypie_admin import directory
from querypie_admin.models import AuditEvent, DirectoryLink, LinkSource, Role, User
from tests.factories import GroupFactory, UserFactory, okta_user
from tests.scim.conftest import GROUP_SCHEMA, user_body
from tests.scim.helpers import expected_group

pytestmark = pytest.mark.django_db
SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
DOTTED_ADMIN = "ADM\u0130N"  # capital I with dot above: PostgreSQL's LOWER() gives "admin"
SCIM = directory.Caller.scim()
EMAILS = [{"value": "someone@corp.example", "primary": True}]


@pytest.fixture
def local_admin(db) -> User:
    return UserFactory(login_id="admin", role=Role.OWNER, email="admin@corp.example")


@pytest.fixture
def team_with_a_taken_back_member(db):
    """An Okta group SCIM pushed with Alice and Bob; an Owner then took Bob back, so Bob is
    a local account that is still a member (take-back keeps memberships)."""
    alice = directory.create_user(SCIM, {"login_id": "alice@corp.example"})
    bob = directory.create_user(SCIM, {"login_id": "bob@corp.example"})
    team = directory.create_group(SCIM, {"name": "Engineers"}, sent=directory.Sent("00g1"))
    directory.add_members(SCIM, team, [alice, bob])
    directory.take_back(directory.Caller.command(), bob, password="Local-pass-123")
    return team, alice, bob


def member(user: User) -> dict:
    return {"value": str(user.pk)}


def snapshot(obj) -> dict:
    return type(obj).objects.filter(pk=obj.pk).values().get()


# Local members of an Okta group -------------------------------------------------------
REPLACE_MEMBERS = {
    "PUT the group with its members": lambda scim, team, alice: scim.put(
        f"/Groups/{team.pk}",
        {"schemas": [GROUP_SCHEMA], "displayName": "Engineers", "members": [member(alice)]},
    ),
    "PATCH replace members": lambda scim, team, alice: scim.patch(
        f"/Groups/{team.pk}",
        {"op": "replace", "path": "members", "value": [member(alice)]},
    ),
    "PATCH remove every member": lambda scim, team, alice: scim.patch(
        f"/Groups/{team.pk}", {"op": "remove", "path": "members"}
    ),
}


@pytest.mark.parametrize("request_kind", REPLACE_MEMBERS)
def test_scim_replacing_members_cannot_drop_a_local_member_it_cannot_see(
    scim, team_with_a_taken_back_member, request_kind
):
    """SCIM never lists Bob (he is local), so Okta's full member list cannot name him:
    replacing the list must leave him alone, as the Okta sync does."""
    team, alice, bob = team_with_a_taken_back_member
    assert scim.get(f"/Groups/{team.pk}").json() == expected_group(team.pk, [alice])

    response = REPLACE_MEMBERS[request_kind](scim, team, alice)

    assert response.status_code in (200, 204), response.content
    assert team.members.filter(pk=bob.pk).exists(), "SCIM removed a local account from a group"


def test_scim_filtered_member_removal_naming_a_local_member_removes_nobody(
    scim, team_with_a_taken_back_member
):
    team, alice, bob = team_with_a_taken_back_member
    for path in (f'members[value eq "{bob.pk}"]', f'members[display eq "{bob.login_id}"]'):
        response = scim.patch(f"/Groups/{team.pk}", {"op": "remove", "path": path})
        assert response.status_code == 204, response.content
    assert set(team.members.all()) == {alice, bob}
    assert not AuditEvent.objects.filter(action="group.members_removed").exists()


# Local logins in another case or script -----------------------------------------------
def test_scim_post_with_a_unicode_case_variant_of_a_local_login_never_reaches_it(scim, local_admin):
    """`ADMİN` is either the same name as `admin` (409 with the hand-over detail) or another
    account altogether; either way the local Owner is untouched and gains no link."""
    before = snapshot(local_admin)
    response = scim.post("/Users", user_body(DOTTED_ADMIN, emails=EMAILS, active=False))
    if response.status_code == 409:
        assert "an administrator must hand it over" in response.json()["detail"]
    else:
        assert response.status_code == 201, response.content
        assert response.json()["id"] != str(local_admin.pk)
    assert snapshot(local_admin) == before and not local_admin.links.exists()


@pytest.mark.parametrize("login", ["ADMIN", "Admin", DOTTED_ADMIN])
def test_scim_cannot_rename_an_okta_user_onto_a_local_login(scim, local_admin, login):
    okta = okta_user(LinkSource.SCIM, external_id="00u1", login_id="okta@corp.example")
    before = snapshot(local_admin)

    put = scim.put(f"/Users/{okta.pk}", user_body(login, emails=EMAILS, externalId="00u1"))
    patch = scim.patch(f"/Users/{okta.pk}", {"op": "replace", "path": "userName", "value": login})

    same_name = login != DOTTED_ADMIN  # ADMİN may be a name of its own (see the POST test)
    if same_name:
        assert (put.status_code, patch.status_code) == (409, 409)
        assert User.objects.get(pk=okta.pk).login_id == "okta@corp.example"
    assert snapshot(local_admin) == before and not local_admin.links.exists()
    assert User.objects.filter(login_id__ci_exact="admin").get() == local_admin


# Filters cannot see past the scoping --------------------------------------------------
def test_scim_filters_and_search_never_return_a_local_row_even_one_with_a_stray_link(
    scim, local_admin
):
    """A SCIM link left on a local row by hand must not make it visible to externalId."""
    DirectoryLink.objects.create(source=LinkSource.SCIM, user=local_admin, external_id="00uA")
    local_team = GroupFactory(name="Admins")
    DirectoryLink.objects.create(source=LinkSource.SCIM, group=local_team, external_id="00gA")
    user_filters = [
        'externalId eq "00uA"',
        "externalId pr",
        f'userName eq "{DOTTED_ADMIN}"',
        'not (userName eq "nobody")',
        "userName pr or active eq false",
        f'id ge "{local_admin.pk}"',
        'meta.created gt "2000-01-01T00:00:00Z"',
        'emails[value co "admin"]',
    ]
    for query in user_filters:
        assert scim.get("/Users", filter=query).json()["totalResults"] == 0, query
        search = {"schemas": [SEARCH], "filter": query}
        assert scim.post("/Users/.search", search).json()["totalResults"] == 0, query
    for query in ('externalId eq "00gA"', 'not (displayName eq "x")', "displayName pr"):
        assert scim.get("/Groups", filter=query).json()["totalResults"] == 0, query
        search = {"schemas": [SEARCH], "filter": query}
        assert scim.post("/Groups/.search", search).json()["totalResults"] == 0, query
