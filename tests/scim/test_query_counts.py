"""What each SCIM request costs in queries does not grow with the directory or the group.

Okta's first push to a large org is a long stream of look-ups, creates, replaces and
member-adds: a request whose statements grow with the directory (100,000 users) or the group
(thousands of members) is what makes that push slow. Each request kind runs here against a
small directory and then the same directory grown tenfold and more (users, groups, members):
the count must be the same, and at most the ceiling named below, so a regression fails CI.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.utils import timezone
from freezegun import freeze_time

from querypie_admin.models import (
    AuthProvider,
    DirectoryLink,
    Group,
    GroupMembership,
    LinkSource,
    Role,
    RoleMapping,
    RoleMappingSettings,
    User,
)
from scim.schemas import MAX_RESULTS
from tests.factories import okta_group

from .conftest import ScimClient, user_body

pytestmark = pytest.mark.django_db

SMALL, LARGE = 10, 300  # users and members added at each size
MAPPED_ID = "00gmappedadmins"


@dataclass
class Directory:
    """Okta's users (each with its SCIM link), two Okta groups holding every one of them
    (the second's Okta id grants a role), and other groups; grown by `grow`."""

    group: Group
    mapped: Group
    users: list[User] = field(default_factory=list)
    made: int = 0

    def grow(self, count: int) -> None:
        start = self.made
        self.made += count
        rows = User.objects.bulk_create(
            User(login_id=f"bulk{i}@corp.example", email=f"bulk{i}@corp.example",
                 first_name="Bulk", last_name=str(i), password="!",
                 auth_provider=AuthProvider.OKTA)
            for i in range(start, self.made)
        )  # fmt: skip
        DirectoryLink.objects.bulk_create(
            DirectoryLink(source=LinkSource.SCIM, user=u, external_id=f"00u{u.pk}") for u in rows
        )
        groups = Group.objects.bulk_create(
            Group(name=f"bulk-group-{i}", auth_provider=AuthProvider.OKTA)
            for i in range(start // 2, self.made // 2)
        )
        GroupMembership.objects.bulk_create(
            [GroupMembership(group=g, user=u) for g in (self.group, self.mapped) for u in rows]
            + [GroupMembership(group=g, user=u) for g in groups for u in rows[:5]]
        )
        self.users += rows

    def outsider(self) -> User:
        """A new Okta user in no group: the one a member-add adds."""
        self.grow(1)
        GroupMembership.objects.filter(user=self.users[-1]).delete()
        return self.users[-1]


@pytest.fixture
def world(scim: ScimClient) -> Directory:
    RoleMappingSettings.load()  # the settings row exists, as it does once an Owner maps a group
    RoleMapping.objects.create(okta_group_id=MAPPED_ID, role=Role.SYSTEM_ADMIN)
    directory = Directory(
        okta_group(LinkSource.SCIM, external_id="00gplain", name="Everyone"),
        okta_group(LinkSource.SCIM, external_id=MAPPED_ID, name="Console admins"),
    )
    directory.grow(SMALL)
    scim.get("/ServiceProviderConfig")  # the token's use of this minute is recorded once
    return directory


Request = Callable[[ScimClient], None]


def _add(group: Group, user: User) -> Request:
    op = {"op": "add", "path": "members", "value": [{"value": str(user.pk)}]}
    return lambda scim: _no_content(scim.patch(f"/Groups/{group.pk}", op))


def _remove(group: Group, user: User) -> Request:
    op = {"op": "remove", "path": f'members[value eq "{user.pk}"]'}
    return lambda scim: _no_content(scim.patch(f"/Groups/{group.pk}", op))


def _no_content(response) -> None:
    assert response.status_code == 204, response.content


def lookup(world: Directory) -> Request:
    login = world.users[len(world.users) // 2].login_id.upper()

    def request(scim: ScimClient) -> None:
        body = scim.get("/Users", filter=f'userName eq "{login}"').json()
        assert body["totalResults"] == 1

    return request


def create(world: Directory) -> Request:
    world.made += 1
    login = f"new{world.made}@corp.example"
    body = user_body(login, externalId=f"00unew{world.made}")
    return lambda scim: _status(scim.post("/Users", body), 201)


def replace(world: Directory) -> Request:
    user = world.users[len(world.users) // 2]
    body = user_body(user.login_id, externalId=f"00u{user.pk}", name={"givenName": "Renamed"})
    return lambda scim: _status(scim.put(f"/Users/{user.pk}", body), 200)


def _status(response, status: int) -> None:
    assert response.status_code == status, response.content


def member_add(world: Directory) -> Request:
    return _add(world.group, world.outsider())


def member_add_to_a_mapped_group(world: Directory) -> Request:
    return _add(world.mapped, world.outsider())


def member_remove(world: Directory) -> Request:
    return _remove(world.group, world.users.pop(0))


def member_remove_from_a_mapped_group(world: Directory) -> Request:
    return _remove(world.mapped, world.users.pop(1))


def groups_page(world: Directory) -> Request:
    def request(scim: ScimClient) -> None:
        body = scim.get("/Groups", startIndex="1", count="5").json()
        assert len(body["Resources"]) == 5 and body["Resources"][0]["members"]

    return request


def groups_page_without_members(world: Directory) -> Request:
    def request(scim: ScimClient) -> None:
        body = scim.get("/Groups", startIndex="1", count="5", excludedAttributes="members")
        resources = body.json()["Resources"]
        assert len(resources) == 5 and "members" not in resources[0]

    return request


def users_page(world: Directory) -> Request:
    def request(scim: ScimClient) -> None:
        body = scim.get("/Users", startIndex="1", count="5").json()
        assert len(body["Resources"]) == 5 and body["Resources"][0]["groups"]

    return request


# The most statements each request kind may take (what it takes today, at any size). In
# the test's transaction a savepoint wraps each write; in production a one-statement write
# (directory.one_statement) is its own transaction, without BEGIN and COMMIT.
CEILINGS: dict[Callable[[Directory], Request], int] = {
    lookup: 2,  # the token; the user with its SCIM link and its groups
    create: 4,  # the token; Okta-id look-up, user, link and both events in one statement
    replace: 13,
    member_add: 4,  # the token; lock, checks, the one row and its event in one statement
    member_add_to_a_mapped_group: 24,  # + the role recompute of that one member
    member_remove: 12,
    member_remove_from_a_mapped_group: 24,
    groups_page: 4,  # the token; the groups with their links; their members; the count
    groups_page_without_members: 3,
    users_page: 3,  # the token; the users with their links and groups; the count
}


def queries_of(kind, scim: ScimClient, world: Directory, django_assert_max_num_queries) -> int:
    request = kind(world)  # its rows are made before the count starts
    with django_assert_max_num_queries(CEILINGS[kind]) as captured:
        request(scim)
    return len(captured.captured_queries)


@pytest.mark.parametrize("request_kind", list(CEILINGS), ids=lambda f: f.__name__)
def test_a_scim_request_costs_the_same_queries_in_a_small_and_a_large_directory(
    request_kind, scim, world, django_assert_max_num_queries
):
    with freeze_time(timezone.now()):  # the token's last use is written at most once a minute
        small = queries_of(request_kind, scim, world, django_assert_max_num_queries)
        world.grow(LARGE)
        large = queries_of(request_kind, scim, world, django_assert_max_num_queries)
    assert small == large


def test_a_member_add_to_a_mapped_group_reads_none_of_its_other_members(
    scim, world, django_assert_max_num_queries
):
    """The role recompute looks at the member added, not at the thousands already in."""
    world.grow(LARGE)
    request = member_add_to_a_mapped_group(world)
    added = world.users[-1]
    with django_assert_max_num_queries(CEILINGS[member_add_to_a_mapped_group]) as captured:
        request(scim)
    membership = GroupMembership._meta.db_table
    reads = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT") and f'FROM "{membership}"' in q["sql"]
    ]
    assert reads and all(f'"user_id" IN ({added.pk})' in sql for sql in reads)
    added.refresh_from_db()
    assert added.role == Role.SYSTEM_ADMIN


def test_a_page_asked_past_the_cap_holds_200_resources_for_the_same_queries(
    scim, world, django_assert_max_num_queries
):
    """`count` is capped at maxResults (200, docs/SCIM.md): a client asking for the whole
    directory in one page gets 200, in the queries of any other page."""
    world.grow(LARGE)
    with django_assert_max_num_queries(CEILINGS[users_page]):
        body = scim.get("/Users", startIndex="1", count="100000").json()
    assert body["itemsPerPage"] == MAX_RESULTS == 200 and len(body["Resources"]) == 200
    assert body["totalResults"] == User.objects.filter(auth_provider=AuthProvider.OKTA).count()
