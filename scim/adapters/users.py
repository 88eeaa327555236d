"""The SCIM User adapter: Okta's user ↔ the console's User, written through the directory.

`from_dict` and PATCH only record the wanted state; `save` applies it in one call to
querypie_admin.directory, which validates it, checks uniqueness and ownership, keeps
the SCIM link (externalId and what Okta sent, password removed) and writes the audit log.
Okta's placeholder password is never set: SCIM users sign in through the IdP.
"""

from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import OuterRef, QuerySet
from django.db.models.functions import JSONObject
from django_scim.adapters import SCIMUser
from django_scim.constants import SchemaURI

from querypie_admin import directory
from querypie_admin.models import AuthProvider, GroupMembership, LinkSource, User

from ..errors import bad_request, conflict
from ..schemas import QUERYPIE_USER
from .base import (
    NOTHING_SENT,
    DirectoryAdapterMixin,
    as_bool,
    as_text,
    check_schemas,
    get_ci,
    without,
)
from .patch import DocumentPatch, operations

READ_ONLY = ("id", "meta", "groups", "schemas", "displayName")
WRITE_ONLY = ("password",)
SUB_ATTRIBUTES = ("type", "primary")
# Sources whose link names a user by Okta's id, which Okta's SCIM sends as externalId.
OKTA_ID_SOURCES = (LinkSource.OKTA_SYNC, LinkSource.SAML)


def _items(body: dict, name: str) -> list[dict]:
    value = get_ci(body, name) or []
    if isinstance(value, dict):  # OneLogin sends one object instead of a list
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise bad_request(f"{name} must be a list of objects")
    return value


def _is_primary(item: dict) -> bool:
    return as_bool("primary", get_ci(item, "primary", False))


def _type(item: dict) -> str:
    return as_text("type", get_ci(item, "type")).lower()


def _split_emails(body: dict) -> tuple[str, str]:
    """The primary (else work, else first) email is Email; the next other one is Second."""
    emails = [e for e in _items(body, "emails") if as_text("emails.value", get_ci(e, "value"))]
    first = next((e for e in emails if _is_primary(e)), None)
    first = first or next((e for e in emails if _type(e) == "work"), None)
    first = first or (emails[0] if emails else None)
    second = next((e for e in emails if e is not first), None)
    return (
        as_text("emails.value", get_ci(first, "value")) if first else "",
        as_text("emails.value", get_ci(second, "value")) if second else "",
    )


def _mobile(body: dict) -> str:
    phones = _items(body, "phoneNumbers")
    mobile = next((p for p in phones if _type(p) in ("mobile", "")), None)
    return as_text("phoneNumbers.value", get_ci(mobile, "value")) if mobile else ""


def _address(body: dict) -> str:
    addresses = _items(body, "addresses")
    chosen = next((a for a in addresses if _is_primary(a)), addresses[0] if addresses else None)
    return as_text("addresses.formatted", get_ci(chosen, "formatted")) if chosen else ""


def wanted_fields(body: dict) -> dict[str, Any]:
    """The directory fields a full SCIM user body asks for (PUT semantics).

    A body without `active` keeps the status (IdPs leave it out of profile pushes).
    """
    login_id = as_text("userName", get_ci(body, "userName"))
    if not login_id:
        raise bad_request("userName is required")
    name = get_ci(body, "name") or {}
    if not isinstance(name, dict):
        raise bad_request("name must be an object")
    extension = get_ci(body, QUERYPIE_USER) or {}
    if not isinstance(extension, dict):
        raise bad_request(f"{QUERYPIE_USER} must be an object")
    email, second_email = _split_emails(body)
    fields = {
        "login_id": login_id,
        "first_name": as_text("name.givenName", get_ci(name, "givenName")),
        "last_name": as_text("name.familyName", get_ci(name, "familyName")),
        "email": email,
        "second_email": second_email,
        "mobile_phone": _mobile(body),
        "postal_address": _address(body),
        "static_ip": as_text("staticIp", get_ci(extension, "staticIp")),
        "mac_address": as_text("macAddress", get_ci(extension, "macAddress")),
    }
    active = get_ci(body, "active")
    if active is not None:
        fields["is_active"] = as_bool("active", active)
    return fields


def group_rows(user_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """(group id, name) of every Okta group these users are in, by user, in one query of
    plain rows (no Group objects, no prefetch machinery: a look-up's page is one user)."""
    rows = (
        GroupMembership.objects.filter(user_id__in=user_ids, group__auth_provider=AuthProvider.OKTA)
        .order_by("group_id")
        .values_list("user_id", "group_id", "group__name")
    )
    groups: dict[int, list[tuple[int, str]]] = {pk: [] for pk in user_ids}
    for user_id, group_id, name in rows:
        groups[user_id].append((group_id, name))
    return groups


def with_groups(rows: QuerySet) -> QuerySet:
    """On PostgreSQL each user's Okta groups come in the page's own query, as an array of
    {id, name} per user (`scim_group_list`): Okta's look-up is then one query, not two."""
    if connection.vendor != "postgresql":
        return rows
    memberships = (
        GroupMembership.objects.filter(
            user_id=OuterRef("pk"), group__auth_provider=AuthProvider.OKTA
        )
        .order_by("group_id")
        .values(pair=JSONObject(id="group_id", name="group__name"))
    )
    return rows.annotate(scim_group_list=ArraySubquery(memberships))


def attach_groups(users: list[User]) -> None:
    """Give each user of a page its Okta groups (`scim_groups`, as group_rows reads them):
    from `with_groups` when the page's query brought them, else in one more query."""
    if users and not hasattr(users[0], "scim_group_list"):
        groups = group_rows([u.pk for u in users])
        for user in users:
            user.scim_groups = groups[user.pk]
        return
    for user in users:
        user.scim_groups = [(g["id"], g["name"]) for g in user.scim_group_list]


class ScimUserAdapter(DirectoryAdapterMixin, SCIMUser):
    url_name = "scim:users"
    resource_type = "User"
    endpoint = "Users"
    core_schema = SchemaURI.USER
    extensions = (QUERYPIE_USER,)

    def __init__(self, obj: User, request: Any = None) -> None:
        super().__init__(obj, request)
        self._wanted: dict[str, Any] = {}
        self._sent = NOTHING_SENT

    # Reading -----------------------------------------------------------------------
    @property
    def display_name(self) -> str:
        return self.obj.full_name or self.obj.login_id

    def _decorated(self, name: str, item: dict) -> dict:
        """Keep the type/primary the IdP gave a value we still hold, for a faithful echo."""
        sent = (self.link.attributes if self.link is not None else None) or {}
        for given in sent.get(name) or []:
            if (
                isinstance(given, dict)
                and str(given.get("value", "")).lower() == item["value"].lower()
            ):
                item.update({k: given[k] for k in SUB_ATTRIBUTES if k in given})
        return item

    def _emails(self) -> list[dict]:
        emails = []
        if self.obj.email:
            emails.append({"value": self.obj.email, "type": "work", "primary": True})
        if self.obj.second_email:
            emails.append({"value": self.obj.second_email, "type": "other", "primary": False})
        return [self._decorated("emails", e) for e in emails]

    def _groups(self) -> list[dict]:
        """The Okta groups the user is in; local groups are the console's, not Okta's."""
        rows = getattr(self.obj, "scim_groups", None)
        if rows is None:
            rows = group_rows([self.obj.pk])[self.obj.pk]
        base = self.location.rsplit("/Users/", 1)[0]
        return [
            {"value": str(pk), "$ref": f"{base}/Groups/{pk}", "display": name} for pk, name in rows
        ]

    def to_dict(self) -> dict:
        user = self.obj
        name = {
            "givenName": user.first_name,
            "familyName": user.last_name,
        }
        extension = {"staticIp": user.static_ip, "macAddress": user.mac_address}
        doc = {
            "schemas": [SchemaURI.USER],
            "id": self.id,
            "externalId": self.external_id,
            "userName": user.login_id,
            "name": {k: v for k, v in name.items() if v},
            "displayName": self.display_name,
            "emails": self._emails(),
            "phoneNumbers": [{"value": user.mobile_phone, "type": "mobile"}]
            if user.mobile_phone
            else [],
            "addresses": [{"formatted": user.postal_address}] if user.postal_address else [],
            "active": user.is_active,
            "groups": self._groups(),
            QUERYPIE_USER: {k: v for k, v in extension.items() if v},
            "meta": self.meta(),
        }
        if doc[QUERYPIE_USER]:
            doc["schemas"].append(QUERYPIE_USER)
        return {k: v for k, v in doc.items() if v not in ("", [], {})}

    # Writing -----------------------------------------------------------------------
    def validate_dict(self, d: dict) -> None:
        check_schemas(d, self.core_schema, self.extensions)

    def from_dict(self, d: dict, keep_missing: bool = True) -> None:
        """Record a full body; after a PATCH the document is complete, so a missing
        externalId was removed, while a PUT without one keeps it."""
        self._wanted = wanted_fields(d)
        if self.obj.pk is None:
            self._wanted.setdefault("is_active", True)
        self._sent = self.sent(d, without(d, *WRITE_ONLY), keep_missing)

    def handle_operations(self, ops: list) -> None:
        """Apply the PATCH to the current representation, then treat it as a full body."""
        doc = {k: v for k, v in self.to_dict().items() if k not in READ_ONLY}
        patcher = DocumentPatch(doc, self.extensions, self.core_schema)
        for op, path, value in operations({"Operations": ops}):
            patcher.apply(op, path, value)
        if get_ci(doc, "active") is None:
            raise bad_request("active cannot be removed: replace it with false", "mutability")
        self.from_dict(doc, keep_missing=False)

    def save(self) -> None:
        """One directory call; the instance stays current in memory."""
        if self.obj.pk is None:
            self.obj = self.create_or_adopt()
        else:
            self._update(self.obj)
        self.remember_sent()

    def _named(self) -> User | None:
        return User.objects.filter(login_id__ci_exact=self._wanted["login_id"]).first()

    def _taken(self) -> Exception:
        return conflict(f"userName {self._wanted['login_id']!r} is already in use")

    def _create(self) -> User:
        user = directory.create_user(
            self.caller, self._wanted, sent=self._sent, known_by=OKTA_ID_SOURCES
        )
        user.scim_groups = []  # a new user is in no group: no query to render it
        return user

    def _update(self, user: User) -> None:
        try:
            directory.update_user(self.caller, user, self._wanted, sent=self._sent)
        except directory.DirectoryConflict as exc:
            raise self._taken() from exc

    def delete(self) -> None:
        """Deletes the user, or only drops the SCIM link when the Okta sync manages it too."""
        directory.delete_user(self.caller, self.obj)
