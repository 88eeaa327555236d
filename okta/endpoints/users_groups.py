"""Users, groups and memberships: the sync's listings and the by-id reads with which Event
Hooks re-read what an event names (an event is only a hint)."""

from collections.abc import Iterator

from ..wire import path_id

DIRECTORY_GROUPS_FILTER = 'type eq "OKTA_GROUP"'
# Page sizes: the largest each endpoint allows.
USERS_LIMIT = 200
GROUPS_LIMIT = 200
GROUP_MEMBERS_LIMIT = 200
USER_GROUPS_LIMIT = 200


class UsersAndGroups:
    def check_credentials(self) -> None:
        """Raise the matching ``OktaError`` unless the address and token work.

        Lists one user: the cheapest call a read-only, minimally privileged token may make.
        """
        self._fetch(self._url("/api/v1/users", {"limit": "1"}), "/api/v1/users", 1)

    def iter_users(
        self, *, search: str | None = None, filter: str | None = None, ahead: bool = False
    ) -> Iterator[dict]:
        """All users; ``search`` (e.g. ``lastUpdated gt "…"``) also returns DEPROVISIONED ones.
        ``ahead``: the next page is fetched while the caller works on this one (read_ahead)."""
        params = {"limit": str(USERS_LIMIT), "search": search, "filter": filter}
        return self._paginate("/api/v1/users", params, ahead=ahead)

    def iter_groups(
        self, *, filter: str | None = None, search: str | None = None
    ) -> Iterator[dict]:
        """Groups; pass ``DIRECTORY_GROUPS_FILTER`` to skip app and built-in groups."""
        params = {"limit": str(GROUPS_LIMIT), "filter": filter, "search": search}
        return self._paginate("/api/v1/groups", params)

    def iter_group_members(self, group_id: str) -> Iterator[dict]:
        path = f"/api/v1/groups/{path_id(group_id)}/users"
        return self._paginate(path, {"limit": str(GROUP_MEMBERS_LIMIT)})

    def find_user(self, user_id: str) -> dict | None:
        """The user as Okta has it now (DEPROVISIONED ones included), or None once deleted."""
        return self._get_or_none(f"/api/v1/users/{path_id(user_id)}")

    def find_group(self, group_id: str) -> dict | None:
        return self._get_or_none(f"/api/v1/groups/{path_id(group_id)}")

    def iter_user_groups(self, user_id: str) -> Iterator[dict]:
        """Every group the user belongs to, whole group objects (type and profile)."""
        path = f"/api/v1/users/{path_id(user_id)}/groups"
        return self._paginate(path, {"limit": str(USER_GROUPS_LIMIT)})
