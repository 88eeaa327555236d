"""The SCIM User adapter: Okta's user ↔ the console's User, written through the directory.

`from_dict` and PATCH only record the wanted state; `save` validates it and applies it in
one call to querypie_admin.directory, which checks uniqueness and writes the audit log.
Okta's placeholder password is never set: SCIM users sign in through the IdP.
"""

from typing import Any

from django.db import transaction
from django_scim.adapters import SCIMUser
from django_scim.constants import SchemaURI

from querypie_admin import directory
from querypie_admin.models import AuthProvider, User

from ..errors import bad_request, conflict
from ..models import ScimUserLink
from ..schemas import QUERYPIE_USER
from .base import DirectoryAdapterMixin, as_bool, as_text, check_fields, check_schemas, get_ci
from .patch import DocumentPatch, operations

READ_ONLY = ("id", "meta", "groups", "schemas", "displayName")
WRITE_ONLY = ("password",)
SUB_ATTRIBUTES = ("type", "primary")


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


def wanted_fields(body: dict, keep_missing: bool = True) -> dict[str, Any]:
    """The directory fields a full SCIM user body asks for (PUT semantics).

    A PUT without `active` or `externalId` keeps them (IdPs leave them out of profile
    pushes); after a PATCH the document is complete, so a missing externalId was removed.
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
    external_id = get_ci(body, "externalId")
    if external_id is not None or not keep_missing:
        fields["external_id"] = as_text("externalId", external_id)
    check_fields(User, fields)
    return fields


class ScimUserAdapter(DirectoryAdapterMixin, SCIMUser):
    url_name = "scim:users"
    resource_type = "User"
    endpoint = "Users"
    core_schema = SchemaURI.USER
    extensions = (QUERYPIE_USER,)

    def __init__(self, obj: User, request: Any = None) -> None:
        super().__init__(obj, request)
        self._wanted: dict[str, Any] = {}
        self._raw: dict = {}

    # Reading -----------------------------------------------------------------------
    @property
    def display_name(self) -> str:
        return self.obj.full_name or self.obj.login_id

    def _sent(self) -> dict:
        link = getattr(self.obj, "scim_link", None) if self.obj.pk else None
        return link.attributes if link is not None else {}

    def _decorated(self, name: str, item: dict) -> dict:
        """Keep the type/primary the IdP gave a value we still hold, for a faithful echo."""
        for sent in self._sent().get(name) or []:
            if (
                isinstance(sent, dict)
                and str(sent.get("value", "")).lower() == item["value"].lower()
            ):
                item.update({k: sent[k] for k in SUB_ATTRIBUTES if k in sent})
        return item

    def _emails(self) -> list[dict]:
        emails = []
        if self.obj.email:
            emails.append({"value": self.obj.email, "type": "work", "primary": True})
        if self.obj.second_email:
            emails.append({"value": self.obj.second_email, "type": "other", "primary": False})
        return [self._decorated("emails", e) for e in emails]

    def _groups(self) -> list[dict]:
        groups = getattr(self.obj, "scim_groups", None)
        if groups is None:
            groups = self.obj.member_of.only("id", "name").order_by("id")
        base = self.location.rsplit("/Users/", 1)[0]
        return [
            {"value": str(g.pk), "$ref": f"{base}/Groups/{g.pk}", "display": g.name} for g in groups
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
            "externalId": user.external_id,
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
        self._wanted = wanted_fields(d, keep_missing)
        self._raw = {k: v for k, v in d.items() if k.lower() not in WRITE_ONLY}

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
        """One directory call, then the raw attributes; the instance stays current in memory."""
        with transaction.atomic():
            if self.obj.pk is None:
                self.obj = self._create()
                self.obj.scim_groups = []
                link = ScimUserLink.objects.create(user=self.obj, attributes=self._raw)
            else:
                self._update()
                link = self._store_raw()
        self.obj.scim_link = link

    def _store_raw(self) -> ScimUserLink:
        link = getattr(
            self.obj, "scim_link", None
        )  # RelatedObjectDoesNotExist is an AttributeError
        if link is None:
            return ScimUserLink.objects.create(user=self.obj, attributes=self._raw)
        if link.attributes != self._raw:
            link.attributes = self._raw
            link.save(update_fields=["attributes", "updated_at"])
        return link

    def _create(self) -> User:
        fields = {"is_active": True, **self._wanted, "auth_provider": AuthProvider.OKTA}
        try:
            return directory.create_user(self.actor, **fields)
        except directory.DirectoryConflict as exc:
            raise conflict(f"userName {fields['login_id']!r} is already in use") from exc

    def _update(self) -> None:
        try:
            directory.update_user(self.actor, self.obj, **self._wanted)
        except directory.DirectoryConflict as exc:
            raise conflict(f"userName {self._wanted['login_id']!r} is already in use") from exc

    def delete(self) -> None:
        directory.delete_user(self.actor, self.obj)
