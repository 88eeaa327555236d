"""The removals access review remediation makes in Okta. They need a write-scoped token
(OktaOrg.write_token_*, see connection.write_client); the read token stays read-only.

Each is one DELETE, tried once: the caller records the outcome (Okta's error code and summary
on a failure) and an admin may retry it. Okta answers 204 No Content to each."""

from ..wire import path_id


class Remediation:
    def remove_app_user(self, app_id: str, user_id: str) -> None:
        """Unassign a user's direct assignment to an app (its app-user profile goes too)."""
        self._delete(f"/api/v1/apps/{path_id(app_id)}/users/{path_id(user_id)}")

    def remove_group_member(self, group_id: str, user_id: str) -> None:
        """Remove a user from an Okta group (not from an app or built-in group)."""
        self._delete(f"/api/v1/groups/{path_id(group_id)}/users/{path_id(user_id)}")

    def unassign_user_role(self, user_id: str, role_assignment_id: str) -> None:
        """Unassign one of a user's admin role assignments, by the assignment's id."""
        self._delete(f"/api/v1/users/{path_id(user_id)}/roles/{path_id(role_assignment_id)}")
