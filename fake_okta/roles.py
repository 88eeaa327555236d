"""Admin role assignments and enrolled MFA factors of the fake org, in Okta's shapes.

Standard and custom roles are assigned to users or to groups; a group's roles reach its
members with ``assignmentType: GROUP`` and an ``assignee`` link to the group, as Okta lists
them. Granting or revoking writes the System Log event Okta writes, so the privilege-change
report can be checked against what the fake did. A Read-Only Administrator's token cannot
read any of this: ``forbid_role_reads`` arms the 403s such a token gets.

The roles are handed the directory they read and the System Log they write; neither knows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fake_okta.faults import Faults
from fake_okta.system_log import SYSTEM_ACTOR, SystemLog, group_ref, log_event, user_ref
from fake_okta.universal_directory import UniversalDirectory

# Okta's API labels; the console shows the product's own wording.
ROLE_LABELS = {
    "SUPER_ADMIN": "Super Organization Administrator",
    "ORG_ADMIN": "Organizational Administrator",
    "APP_ADMIN": "Application Administrator",
    "USER_ADMIN": "Group Administrator",
    "HELP_DESK_ADMIN": "Help Desk Administrator",
    "READ_ONLY_ADMIN": "Read Only Administrator",
    "MOBILE_ADMIN": "Mobile Administrator",
    "API_ACCESS_MANAGEMENT_ADMIN": "API Access Management Administrator",
    "REPORT_ADMIN": "Report Administrator",
    "GROUP_MEMBERSHIP_ADMIN": "Group Membership Administrator",
}
# What the System Log's debugData says was granted or revoked.
LOG_ROLE_NAMES = {"SUPER_ADMIN": "Super administrator", "READ_ONLY_ADMIN": "Read only admin"}
ROLE_ENDPOINTS = ("role_assignees", "user_roles", "group_roles")
ASSIGNEES_DEFAULT_LIMIT = 100
FACTOR_PROVIDERS = {
    "push": "OKTA",
    "token:software:totp": "GOOGLE",
    "sms": "OKTA",
    "webauthn": "FIDO",
    "email": "OKTA",
    "question": "OKTA",
}


@dataclass
class RoleAssignment:
    id: str
    type: str
    label: str
    created: str
    role_id: str | None = None  # a custom role's id
    resource_set: str | None = None


@dataclass
class Factor:
    id: str
    factor_type: str
    status: str
    created: str


@dataclass
class AdminRoles:
    """Role assignments by user and by group, and factors by user."""

    directory: UniversalDirectory
    log: SystemLog
    users: dict[str, list[RoleAssignment]] = field(default_factory=dict)
    groups: dict[str, list[RoleAssignment]] = field(default_factory=dict)
    factors: dict[str, list[Factor]] = field(default_factory=dict)
    cursors: dict[str, tuple[int, int]] = field(default_factory=dict)

    # Admin actions -----------------------------------------------------------------------

    def grant_user(
        self, user_id: str, role: str, *, label: str = "", by: str | None = None
    ) -> RoleAssignment:
        """Assign a standard role (``SUPER_ADMIN``…) or, with ``label``, a custom role."""
        with self.directory.lock:
            _ = self.directory.users[user_id]
            assignment = self._new(role, label)
            self.users.setdefault(user_id, []).append(assignment)
            self._log("user.account.privilege.grant", user_id, "User", assignment, by)
            return assignment

    def grant_group(
        self, group_id: str, role: str, *, label: str = "", by: str | None = None
    ) -> RoleAssignment:
        with self.directory.lock:
            _ = self.directory.groups[group_id]
            assignment = self._new(role, label)
            self.groups.setdefault(group_id, []).append(assignment)
            self._log("group.privilege.grant", group_id, "UserGroup", assignment, by)
            return assignment

    def revoke_user(self, user_id: str, role: str, *, by: str | None = None) -> None:
        with self.directory.lock:
            for assignment in _take(self.users, user_id, role):
                self._log("user.account.privilege.revoke", user_id, "User", assignment, by)

    def revoke_group(self, group_id: str, role: str, *, by: str | None = None) -> None:
        with self.directory.lock:
            for assignment in _take(self.groups, group_id, role):
                self._log("group.privilege.revoke", group_id, "UserGroup", assignment, by)

    def revoke_assignment(self, user_id: str, assignment_id: str, *, by: str | None = None) -> None:
        """Unassign one of the user's direct role assignments by its id (the DELETE's way)."""
        with self.directory.lock:
            held = self.users.get(user_id, [])
            for assignment in [r for r in held if r.id == assignment_id]:
                held.remove(assignment)
                self._log("user.account.privilege.revoke", user_id, "User", assignment, by)

    def enroll(self, user_id: str, factor_type: str, *, status: str = "ACTIVE") -> Factor:
        """Enroll an MFA factor (``push``, ``token:software:totp``, ``sms``, ``webauthn``…)."""
        with self.directory.lock:
            _ = self.directory.users[user_id]
            factor = Factor(self.directory._id("ufs"), factor_type, status, self.directory.now())
            self.factors.setdefault(user_id, []).append(factor)
            return factor

    def reset_factors(self, user_id: str) -> None:
        with self.directory.lock:
            self.factors.pop(user_id, None)

    def _new(self, role: str, label: str) -> RoleAssignment:
        directory = self.directory
        if label:
            return RoleAssignment(
                directory._id("irb"),
                "CUSTOM",
                label,
                directory.now(),
                directory._id("cr0"),
                directory._id("iam"),
            )
        return RoleAssignment(directory._id("ra1"), role, ROLE_LABELS[role], directory.now())

    def _log(
        self, event_type: str, target_id: str, kind: str, role: RoleAssignment, by: str | None
    ) -> None:
        self.log.append(privilege_event(self.directory, event_type, target_id, kind, role, by))

    # Reading -----------------------------------------------------------------------------

    def roles_of_user(self, user_id: str) -> list[tuple[RoleAssignment, str | None]]:
        """Direct roles, then roles through each group the user belongs to (group id)."""
        found: list[tuple[RoleAssignment, str | None]] = [
            (role, None) for role in self.users.get(user_id, [])
        ]
        for group_id, roles in sorted(self.groups.items()):
            if group_id in self.directory.groups and user_id in self.directory.member_ids(group_id):
                found += [(role, group_id) for role in roles]
        return found

    def assignee_ids(self) -> list[str]:
        """Users with any role, directly or through a group, as Okta lists them."""
        ids = {uid for uid, roles in self.users.items() if roles}
        for group_id, roles in self.groups.items():
            if roles and group_id in self.directory.groups:
                ids |= self.directory.member_ids(group_id)
        return sorted(uid for uid in ids if uid in self.directory.users)


def privilege_event(
    directory: UniversalDirectory,
    event_type: str,
    target_id: str,
    kind: str,
    role: RoleAssignment,
    by: str | None,
) -> dict[str, Any]:
    """What Okta logs when an admin role is granted to or revoked from a user or a group."""
    target = user_ref(directory, target_id) if kind == "User" else group_ref(directory, target_id)
    actor = user_ref(directory, by) if by else SYSTEM_ACTOR
    key = "privilegeGranted" if event_type.endswith("grant") else "privilegeRevoked"
    name = role.label if role.type == "CUSTOM" else LOG_ROLE_NAMES.get(role.type, role.label)
    verb = "Grant" if key == "privilegeGranted" else "Revoke"
    what = "user" if kind == "User" else "group"
    return log_event(
        event_type,
        actor=actor,
        targets=[target],
        published=directory.now(),
        message=f"{verb} {what} privilege",
        debug={key: name},
    )


def _take(table: dict[str, list[RoleAssignment]], key: str, role: str) -> list[RoleAssignment]:
    kept = [r for r in table.get(key, []) if role not in (r.type, r.label)]
    taken = [r for r in table.get(key, []) if role in (r.type, r.label)]
    table[key] = kept
    return taken


def forbid_role_reads(faults: Faults) -> None:
    """What a Read-Only Administrator's token gets: 403 E0000006 on every role listing."""
    for endpoint in ROLE_ENDPOINTS:
        faults.forbid(endpoint)


# Bodies --------------------------------------------------------------------------------------


def role_body(role: RoleAssignment, assignee: str, base: str) -> dict[str, Any]:
    """One role assignment; ``assignee`` is the user or group path it was assigned to."""
    body: dict[str, Any] = {
        "id": role.id,
        "label": role.label,
        "type": role.type,
        "status": "ACTIVE",
        "created": role.created,
        "lastUpdated": role.created,
        "assignmentType": "GROUP" if assignee.startswith("groups/") else "USER",
        "_links": {"assignee": {"href": f"{base}/api/v1/{assignee}"}},
    }
    if role.type == "CUSTOM":
        body |= {"role": role.role_id, "resource-set": role.resource_set}
        body["_links"] |= {
            "role": {"href": f"{base}/api/v1/iam/roles/{role.role_id}"},
            "resource-set": {"href": f"{base}/api/v1/iam/resource-sets/{role.resource_set}"},
        }
    return body


def user_roles_body(roles: AdminRoles, user_id: str, base: str) -> list[dict[str, Any]]:
    return [
        role_body(role, f"groups/{group_id}" if group_id else f"users/{user_id}", base)
        for role, group_id in roles.roles_of_user(user_id)
    ]


def group_roles_body(roles: AdminRoles, group_id: str, base: str) -> list[dict[str, Any]]:
    return [role_body(role, f"groups/{group_id}", base) for role in roles.groups.get(group_id, [])]


def assignee_body(user_id: str, base: str) -> dict[str, Any]:
    return {
        "id": user_id,
        "orn": f"orn:okta:directory:00ofakeoktaorg00001:users:{user_id}",
        "_links": {
            "self": {"href": f"{base}/api/v1/users/{user_id}"},
            "roles": {"href": f"{base}/api/v1/users/{user_id}/roles"},
        },
    }


def factor_body(factor: Factor, user_id: str, base: str) -> dict[str, Any]:
    provider = FACTOR_PROVIDERS.get(factor.factor_type, "OKTA")
    href = f"{base}/api/v1/users/{user_id}/factors/{factor.id}"
    return {
        "id": factor.id,
        "factorType": factor.factor_type,
        "provider": provider,
        "vendorName": provider,
        "status": factor.status,
        "created": factor.created,
        "lastUpdated": factor.created,
        "profile": {},
        "_links": {"self": {"href": href}, "user": {"href": f"{base}/api/v1/users/{user_id}"}},
    }
