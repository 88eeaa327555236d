"""The Management API's removals that access review remediation makes, as Okta documents them:
unassign a user from an app (``DELETE /api/v1/apps/{appId}/users/{userId}``), remove a user
from a group (``DELETE /api/v1/groups/{groupId}/users/{userId}``) and unassign a user's admin
role (``DELETE /api/v1/users/{userId}/roles/{roleAssignmentId}``). Each answers 204 and changes
the fake's data, so the next listing (the next collection) no longer has what was removed.

Scopes: the fake keeps a set of write tokens (``FakeOkta.write_tokens``); the read token and the
forbidden token get 403 E0000006 on a DELETE, as an Okta token of a role without the permission
would. Every removal goes through the token, the rate limit and the faults like a read, and is
recorded (``fake.requests_to("remove_app_user")``…).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from fake_okta.management_api import apply_faults, bucket, json_response, record
from fake_okta.routes import Request, Response, RouteTable
from fake_okta.shapes import OktaError

ROUTES = RouteTable()
Remove = Callable[[Request], None]  # raises OktaError when Okta would refuse


def removal(pattern: str, endpoint: str) -> Callable[[Remove], Remove]:
    """Decorator: a DELETE that ``remove`` performs under the directory's lock."""

    def register(remove: Remove) -> Remove:
        ROUTES.add("DELETE", pattern, endpoint)(lambda request: _answer(request, remove))
        return remove

    return register


def _answer(request: Request, remove: Remove) -> Response:
    org = request.org
    given = request.headers.get("Authorization", "").removeprefix("SSWS ")
    writes = given in org.write_tokens
    known = writes or given in (org.token, org.forbidden_token)
    rate = org.rate_limiter.hit(bucket(request.path), count=known)
    status, body, reset = 204, None, None
    try:
        if not writes:
            raise OktaError(403, "E0000006") if known else OktaError(401, "E0000011")
        if not rate.allowed:
            raise OktaError(429, "E0000047")
        apply_faults(request, 1)
        with org.directory.lock:
            remove(request)
    except OktaError as error:
        status, body, reset = error.status, error.body(), error.reset
    record(request, 1, status)
    response = json_response(org, status, body, rate=rate, reset=reset)
    return replace(response, body=b"") if status == 204 else response


@removal(r"^/api/v1/apps/([^/]+)/users/([^/]+)$", "remove_app_user")
def remove_app_user(request: Request) -> None:
    """Only a direct assignment can be removed; a user who has the app through a group
    keeps it (refused with a validation error)."""
    directory, (app_id, user_id) = request.org.directory, request.ids
    if app_id not in directory.apps:
        raise OktaError(404, "E0000007", f"{app_id} (AppInstance)")
    if user_id not in directory.app_users[app_id]:
        scope = directory.app_user_scopes(app_id).get(user_id)
        if scope and scope[0] == "GROUP":
            raise OktaError(400, "E0000001", "the user is assigned to the app through a group")
        raise OktaError(404, "E0000007", f"{user_id} (AppUser)")
    directory.unassign_user(user_id, app_id=app_id)


@removal(r"^/api/v1/groups/([^/]+)/users/([^/]+)$", "remove_group_member")
def remove_group_member(request: Request) -> None:
    """Idempotent like Okta's: removing a user who is not a member answers 204 too."""
    directory, (group_id, user_id) = request.org.directory, request.ids
    group = directory.groups.get(group_id)
    if group is None:
        raise OktaError(404, "E0000007", f"{group_id} (UserGroup)")
    if user_id not in directory.users:
        raise OktaError(404, "E0000007", f"{user_id} (User)")
    if group.type != "OKTA_GROUP":
        raise OktaError(400, "E0000001", "Group memberships of this group cannot be modified")
    directory.remove_member(group_id, user_id)


@removal(r"^/api/v1/users/([^/]+)/roles/([^/]+)$", "unassign_user_role")
def unassign_user_role(request: Request) -> None:
    """A role the user holds directly; one held through a group is the group's (404 here)."""
    directory, (user_id, assignment_id) = request.org.directory, request.ids
    if user_id not in directory.users:
        raise OktaError(404, "E0000007", f"{user_id} (User)")
    book = directory.admin_roles
    held = {role.id: role for role in book.users.get(user_id, [])}
    if assignment_id not in held:
        raise OktaError(404, "E0000007", f"{assignment_id} (Role)")
    book.revoke_assignment(user_id, assignment_id, by=None)


@ROUTES.otherwise("DELETE", "unknown")
def not_found(request: Request) -> Response:
    record(request, 1, 404)
    return json_response(request.org, 404, OktaError(404, "E0000007", request.path).body())
