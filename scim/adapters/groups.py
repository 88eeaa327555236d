"""The SCIM Group adapter: name, externalId and members, written through the directory.

Membership changes go through directory.add_members / remove_members / set_members,
which lock the group row: Okta's parallel PATCHes for one group serialise and lose
nobody, and adding one member inserts one row whatever the group's size. Members are
Okta's users only: a local account's id is refused like an unknown one.
"""

from typing import Any

from django.db import transaction
from django_scim.adapters import SCIMGroup
from django_scim.constants import SchemaURI

from querypie_admin import directory
from querypie_admin.models import AuthProvider, Group, GroupMembership, User

from ..errors import bad_request, conflict, refused
from ..filters import Column, QueryBuilder
from ..ids import parse_id
from .base import NOTHING_SENT, DirectoryAdapterMixin, as_text, check_schemas, get_ci, without
from .group_roles import RoleWatch
from .patch import MAX_OPERATIONS, DocumentPatch, Path, operations, parse_path

MEMBER_COLUMNS = {
    ("value", None, None): Column(("pk",), "id"),
    ("display", None, None): Column(("login_id",), key="login_key"),
}
READ_ONLY = ("id", "meta")
OKTA_USERS = User.objects.filter(auth_provider=AuthProvider.OKTA)


def member_users(members: Any) -> list[User]:
    """The Okta users a members list names by id; any other id is refused, nothing changes."""
    if members is None:
        return []
    if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
        raise bad_request("members must be a list of objects with a value")
    values = [get_ci(m, "value", "") for m in members]
    ids = {parse_id(v) for v in values}
    if None in ids:
        raise bad_request("A member value must be a user id (ASCII digits)")
    users = list(OKTA_USERS.filter(pk__in=ids).only("id", "login_id"))
    if len(users) != len(ids):
        missing = sorted(ids - {u.pk for u in users})
        raise bad_request(f"No user with id {', '.join(map(str, missing))}")
    return users


def members_added(body: Any) -> list[int] | None:
    """The user ids of a PATCH that only adds members by id, as Okta sends each membership
    (`{"op": "add", "path": "members", "value": [{"value": "…"}]}`); None for any other
    PATCH, which the adapter takes (and refuses, if it is bad input)."""
    schemas, ops = body.get("schemas"), body.get("Operations")
    if not isinstance(schemas, list) or SchemaURI.PATCH_OP not in schemas:
        return None
    if not isinstance(ops, list) or not 0 < len(ops) <= MAX_OPERATIONS:
        return None
    ids: list[int | None] = []
    for op in ops:
        if not isinstance(op, dict) or str(op.get("op", "")).lower() != "add":
            return None
        value = op.get("value")
        if str(op.get("path", "")).lower() != "members" or not isinstance(value, list) or not value:
            return None
        ids += [parse_id(get_ci(m, "value")) if isinstance(m, dict) else None for m in value]
    return None if None in ids else ids  # type: ignore[return-value]


def member_rows(group_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """(user id, login ID) of every Okta member of these groups, by group, in one query."""
    rows = (
        GroupMembership.objects.filter(
            group_id__in=group_ids, user__auth_provider=AuthProvider.OKTA
        )
        .order_by("group_id", "user_id")  # the (group, user) index's order: no sort, no scan
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
        self._sent = NOTHING_SENT
        self._member_steps: list[tuple[str, list[User] | Any]] = []
        self._members_only = False  # a PATCH of members alone: the group row is not written
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

    def _document(self) -> dict:
        """The group as a full body carries it, members aside (a PATCH starts from this)."""
        doc = {
            "schemas": [SchemaURI.GROUP],
            "externalId": self.external_id,
            "displayName": self.obj.name,
        }
        return {k: v for k, v in doc.items() if v}

    def to_dict(self) -> dict:
        doc = {
            **self._document(),
            "id": self.id,
            "members": self._members() if self.include_members else [],
            "meta": self.meta(),
        }
        return {k: v for k, v in doc.items() if v not in ("", [])}

    # Writing -----------------------------------------------------------------------
    def validate_dict(self, d: dict) -> None:
        check_schemas(d, self.core_schema, self.extensions)

    def from_dict(self, d: dict, keep_missing: bool = True) -> None:
        """Full body (POST/PUT): name and externalId, and members when the body has them."""
        name = as_text("displayName", get_ci(d, "displayName"))
        if not name:
            raise bad_request("displayName is required")
        self._wanted = {"name": name}
        self._sent = self.sent(d, without(d, "members"), keep_missing)
        members = get_ci(d, "members")
        if members is not None or self.obj.pk is None:
            self._member_steps = [("set", member_users(members))]

    def handle_operations(self, ops: list) -> None:
        """Member operations become directory steps; the rest patch name and externalId."""
        doc = self._document()
        patcher = DocumentPatch(doc, self.extensions, self.core_schema)
        member_steps, patched = [], False
        for op, path, value in operations({"Operations": ops}):
            if path is None and isinstance(value, dict) and get_ci(value, "members") is not None:
                member_steps.append(
                    self._member_step(op, Path("members"), get_ci(value, "members"))
                )
                value = without(value, "members")
                if not value:
                    continue
            parsed = parse_path(path, (), self.core_schema) if path else None
            if parsed is not None and parsed.attr.lower() == "members":
                member_steps.append(self._member_step(op, parsed, value))
            else:
                patcher.apply(op, path, value)
                patched = True
        self.from_dict(without(doc, *READ_ONLY), keep_missing=False)
        self._member_steps = member_steps
        self._members_only = not patched and self.link is not None  # else SCIM links it now

    def _member_step(self, op: str, path: Path, value: Any) -> tuple[str, Any]:
        if path.sub is not None:
            raise bad_request("Member sub-attributes cannot be changed", "mutability")
        if op == "add":
            return ("add", member_users(value))
        if op == "replace":
            return ("set", member_users(value))
        if path.filter is not None:
            q = QueryBuilder(MEMBER_COLUMNS, "").query(path.filter)
            return ("remove", OKTA_USERS.filter(q).only("id", "login_id"))
        if value is not None:
            return ("remove", member_users(value))
        return ("set", [])

    def save(self) -> None:
        """The group and its member steps change together or not at all; the roles its
        mappings grant follow once that is committed (group_roles)."""
        replacing = any(step == "set" for step, _ in self._member_steps)
        with transaction.atomic():
            if self.obj.pk is None:
                self.obj = self.create_or_adopt()
                watch = RoleWatch(self.obj, whole_group=True, replacing=replacing)
            else:
                watch = RoleWatch(self.obj, replacing=replacing, same_ids=self._members_only)
                if not self._members_only:
                    self._update(self.obj)
            for step, users in self._member_steps:
                users = list(users)
                watch.touch((u.pk for u in users), replacing=step == "set")
                {
                    "add": directory.add_members,
                    "remove": directory.remove_members,
                    "set": directory.set_members,
                }[step](self.caller, self.obj, users)
        self.remember_sent()
        watch.apply(self.caller)

    def _named(self) -> Group | None:
        return Group.objects.filter(name__ci_exact=self._wanted["name"]).first()

    def _taken(self) -> Exception:
        return conflict(f"displayName {self._wanted['name']!r} already exists")

    def _check_adoptable(self, found: Group) -> None:
        """A group whose Okta id grants a console role is adopted by that id, never by its
        name: a new Okta group given a mapped group's old name must grant nothing."""
        mapped = directory.roles.mapped_okta_ids_of(found)
        if mapped and self._sent.external_id not in mapped:
            raise conflict(
                f"displayName {self._wanted['name']!r} belongs to a group whose Okta id grants "
                "a console role: it is adopted only by that Okta id (externalId)"
            )

    def _create(self) -> Group:
        try:
            return directory.create_group(self.caller, self._wanted, sent=self._sent)
        except directory.IdClaimRefused as exc:
            raise refused(exc, 409, exc.scim_type) from exc

    def _update(self, group: Group) -> None:
        try:
            directory.update_group(self.caller, group, self._wanted, sent=self._sent)
        except directory.DirectoryConflict as exc:
            raise self._taken() from exc
        except directory.IdClaimRefused as exc:
            raise refused(exc, 409, exc.scim_type) from exc

    def delete(self) -> None:
        """Deletes the group, or only drops the SCIM link when the Okta sync manages it too;
        members who had a role through it lose that role."""
        with transaction.atomic():
            watch = RoleWatch(self.obj, replacing=True)
            directory.delete_group(self.caller, self.obj)
        watch.apply(self.caller)
