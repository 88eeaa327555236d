"""The SCIM Group adapter: name, externalId and members, written through the directory.

Membership changes go through directory.add_members / remove_members / set_members,
which lock the group row: Okta's parallel PATCHes for one group serialise and lose
nobody, and adding one member inserts one row whatever the group's size.
"""

from typing import Any

from django.db import transaction
from django_scim.adapters import SCIMGroup
from django_scim.constants import SchemaURI

from querypie_admin import directory
from querypie_admin.models import AuthProvider, Group, GroupMembership, User

from ..errors import bad_request, conflict
from ..filters import Column, QueryBuilder
from .base import DirectoryAdapterMixin, as_text, check_fields, check_schemas, get_ci
from .patch import DocumentPatch, Path, operations, parse_path

MEMBER_COLUMNS = {
    ("value", None, None): Column(("pk",), "id"),
    ("display", None, None): Column(("login_id",)),
}


def member_users(members: Any) -> list[User]:
    """The users a members list names by id; an unknown id is refused, nothing changes."""
    if members is None:
        return []
    if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
        raise bad_request("members must be a list of objects with a value")
    ids = {str(get_ci(m, "value", "")) for m in members}
    if not all(i.isdigit() for i in ids):
        raise bad_request("A member value must be a user id")
    users = list(User.objects.filter(pk__in=[int(i) for i in ids]).only("id", "login_id"))
    if len(users) != len(ids):
        missing = sorted(ids - {str(u.pk) for u in users})
        raise bad_request(f"No user with id {', '.join(missing)}")
    return users


def member_rows(group_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """(user id, login ID) of every member of these groups, by group, in one query."""
    rows = (
        GroupMembership.objects.filter(group_id__in=group_ids)
        .order_by("user_id")
        .values_list("group_id", "user_id", "user__login_id")
    )
    members: dict[int, list[tuple[int, str]]] = {pk: [] for pk in group_ids}
    for group_id, user_id, login_id in rows:
        members[group_id].append((user_id, login_id))
    return members


class ScimGroupAdapter(DirectoryAdapterMixin, SCIMGroup):
    url_name = "scim:groups"
    resource_type = "Group"
    endpoint = "Groups"
    core_schema = SchemaURI.GROUP
    extensions: tuple[str, ...] = ()

    def __init__(self, obj: Group, request: Any = None) -> None:
        super().__init__(obj, request)
        self._wanted: dict[str, Any] = {}
        self._member_steps: list[tuple[str, list[User] | Any]] = []
        self.include_members = True

    # Reading -----------------------------------------------------------------------
    @property
    def display_name(self) -> str:
        return self.obj.name

    def _members(self) -> list[dict]:
        rows = getattr(self.obj, "scim_members", None)
        if rows is None:
            rows = member_rows([self.obj.pk])[self.obj.pk]
        base = self.location.rsplit("/Groups/", 1)[0]
        return [
            {"value": str(pk), "$ref": f"{base}/Users/{pk}", "type": "User", "display": login}
            for pk, login in rows
        ]

    def to_dict(self) -> dict:
        doc = {
            "schemas": [SchemaURI.GROUP],
            "id": self.id,
            "externalId": self.obj.external_id,
            "displayName": self.obj.name,
            "members": self._members() if self.include_members else [],
            "meta": self.meta(),
        }
        return {k: v for k, v in doc.items() if v not in ("", [])}

    # Writing -----------------------------------------------------------------------
    def validate_dict(self, d: dict) -> None:
        check_schemas(d, self.core_schema, self.extensions)

    def from_dict(self, d: dict) -> None:
        """Full body (POST/PUT): name and externalId, and members when the body has them."""
        name = as_text("displayName", get_ci(d, "displayName"))
        if not name:
            raise bad_request("displayName is required")
        self._wanted = {"name": name}
        external_id = get_ci(d, "externalId")
        if external_id is not None:
            self._wanted["external_id"] = as_text("externalId", external_id)
        check_fields(Group, self._wanted)
        members = get_ci(d, "members")
        if members is not None or self.obj.pk is None:
            self._member_steps = [("set", member_users(members))]

    def handle_operations(self, ops: list) -> None:
        """Member operations become directory steps; the rest patch name and externalId."""
        doc = {"displayName": self.obj.name, "externalId": self.obj.external_id}
        patcher = DocumentPatch(doc, self.extensions, self.core_schema)
        for op, path, value in operations({"Operations": ops}):
            if path is None and isinstance(value, dict) and get_ci(value, "members") is not None:
                self._member_step(op, Path("members"), get_ci(value, "members"))
                value = {k: v for k, v in value.items() if k.lower() != "members"}
                if not value:
                    continue
            parsed = parse_path(path, (), self.core_schema) if path else None
            if parsed is not None and parsed.attr.lower() == "members":
                self._member_step(op, parsed, value)
            else:
                patcher.apply(op, path, value)
        self._wanted = {"name": as_text("displayName", doc.get("displayName"))}
        self._wanted["external_id"] = as_text("externalId", doc.get("externalId"))
        if not self._wanted["name"]:
            raise bad_request("displayName is required")
        check_fields(Group, self._wanted)

    def _member_step(self, op: str, path: Path, value: Any) -> None:
        if path.sub is not None:
            raise bad_request("Member sub-attributes cannot be changed", "mutability")
        if op == "add":
            self._member_steps.append(("add", member_users(value)))
        elif op == "replace":
            self._member_steps.append(("set", member_users(value)))
        elif path.filter is not None:
            q = QueryBuilder(MEMBER_COLUMNS, "").query(path.filter)
            self._member_steps.append(("remove", User.objects.filter(q).only("id", "login_id")))
        elif value is not None:
            self._member_steps.append(("remove", member_users(value)))
        else:
            self._member_steps.append(("set", []))

    def save(self) -> None:
        with transaction.atomic():
            if self.obj.pk is None:
                self.obj = self._create()
            else:
                self._update()
            for step, users in self._member_steps:
                {
                    "add": directory.add_members,
                    "remove": directory.remove_members,
                    "set": directory.set_members,
                }[step](self.actor, self.obj, users)

    def _create(self) -> Group:
        try:
            return directory.create_group(
                self.actor, auth_provider=AuthProvider.OKTA, **self._wanted
            )
        except directory.DirectoryConflict as exc:
            raise conflict(f"displayName {self._wanted['name']!r} already exists") from exc

    def _update(self) -> None:
        try:
            directory.update_group(self.actor, self.obj, **self._wanted)
        except directory.DirectoryConflict as exc:
            raise conflict(f"displayName {self._wanted['name']!r} already exists") from exc

    def delete(self) -> None:
        directory.delete_group(self.actor, self.obj)
