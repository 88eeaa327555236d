"""Admin roles and MFA factors, for Okta visibility and access review."""

from collections.abc import Iterator

from ..wire import path_id

ROLE_ASSIGNEES_PATH = "/api/v1/iam/assignees/users"


class AdminRolesAndFactors:
    def iter_role_assignees(self) -> Iterator[dict]:
        """Users holding an admin role; this IAM listing pages by ``_links.next`` in its body."""
        path, page = ROLE_ASSIGNEES_PATH, 1
        url: str | None = self._url(path, {"limit": "100"})
        while url:
            response, url = self._fetch(url, path, page)
            body = self._json(response, path, page, dict)
            self.stats.pages += 1
            yield from body.get("value") or []
            url = ((body.get("_links") or {}).get("next") or {}).get("href")
            if url:
                self._check_same_origin(url, path, page)
                page += 1

    def list_user_roles(self, user_id: str) -> list[dict]:
        """A user's role assignments, direct (USER) and through a group (GROUP)."""
        return self._get_list(f"/api/v1/users/{path_id(user_id)}/roles")

    def list_group_roles(self, group_id: str) -> list[dict]:
        return self._get_list(f"/api/v1/groups/{path_id(group_id)}/roles")

    def list_factors(self, user_id: str) -> list[dict]:
        """The MFA factors a user enrolled."""
        return self._get_list(f"/api/v1/users/{path_id(user_id)}/factors")
