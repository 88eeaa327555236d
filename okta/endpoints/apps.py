"""Applications and who is assigned to them: the QueryPie app for the sync's app scope and
Event Hooks, every app for Okta visibility."""

from collections.abc import Iterator

from ..wire import APPS_LIMIT, path_id

APP_USERS_LIMIT = 500
APP_GROUPS_LIMIT = 200


class Apps:
    def iter_apps(self) -> Iterator[dict]:
        """Every application of the org, active or not."""
        return self._paginate("/api/v1/apps", {"limit": str(APPS_LIMIT)})

    def find_apps(self, label: str) -> list[dict]:
        """Apps whose label is exactly ``label`` (Okta's ``q`` is only a prefix match)."""
        params = {"q": label, "limit": str(APPS_LIMIT)}
        apps = self._paginate("/api/v1/apps", params)
        return [app for app in apps if app.get("label", "").casefold() == label.casefold()]

    def get_app(self, app_id: str) -> dict:
        return self._get(f"/api/v1/apps/{path_id(app_id)}")

    def iter_app_users(self, app_id: str) -> Iterator[dict]:
        """Users assigned to the app, directly (scope USER) or through a group (scope GROUP)."""
        return self._paginate(
            f"/api/v1/apps/{path_id(app_id)}/users", {"limit": str(APP_USERS_LIMIT)}
        )

    def iter_app_groups(self, app_id: str) -> Iterator[dict]:
        path = f"/api/v1/apps/{path_id(app_id)}/groups"
        return self._paginate(path, {"limit": str(APP_GROUPS_LIMIT)})

    def find_app_user(self, app_id: str, user_id: str) -> dict | None:
        """The user's assignment to the app (directly or through a group), or None."""
        return self._get_or_none(f"/api/v1/apps/{path_id(app_id)}/users/{path_id(user_id)}")
