"""What the user and group adapters share: ids, locations, the actor, value checks."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models

from .. import provisioning
from ..errors import bad_request

TRUE_STRINGS = {"true": True, "false": False}


def as_bool(name: str, value: Any) -> bool:
    """Okta sometimes sends booleans as strings ("False"); anything else is refused."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_STRINGS:
        return TRUE_STRINGS[value.strip().lower()]
    raise bad_request(f"{name} must be true or false")


def as_text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise bad_request(f"{name} must be a string")
    return value.strip()


def check_fields(model: type[models.Model], fields: dict[str, Any]) -> None:
    """Refuse what the database would refuse, so bad input is a 400 and changes nothing."""
    for name, value in fields.items():
        if not isinstance(value, str):
            continue
        field = model._meta.get_field(name)
        if "\x00" in value:
            raise bad_request(f"{field.verbose_name} contains a NUL character")
        if field.max_length and len(value) > field.max_length:
            raise bad_request(f"{field.verbose_name} is longer than {field.max_length}")
        if isinstance(field, models.EmailField) and value:
            try:
                EmailValidator()(value)
            except ValidationError as exc:
                raise bad_request(f"{value!r} is not a valid email address") from exc


def get_ci(data: dict, name: str, default: Any = None) -> Any:
    """Attribute names are case-insensitive in SCIM (RFC 7643 §2.1)."""
    for key, value in data.items():
        if key.lower() == name.lower():
            return value
    return default


def check_schemas(body: dict, core: str, extensions: tuple[str, ...]) -> None:
    """A body may name only the resource's schema and its extensions."""
    schemas = body.get("schemas")
    if schemas is None:
        return
    known = {core.lower(), *(e.lower() for e in extensions)}
    if not isinstance(schemas, list) or not all(isinstance(s, str) for s in schemas):
        raise bad_request("schemas must be a list of URIs", "invalidSyntax")
    unknown = [s for s in schemas if s.lower() not in known]
    if unknown or core.lower() not in {s.lower() for s in schemas}:
        raise bad_request(
            f"Unknown or missing schema: {', '.join(unknown) or core}", "invalidSyntax"
        )


class DirectoryAdapterMixin:
    """Adapter parts common to users and groups; mixed in before django-scim2's classes."""

    id_field = "pk"
    endpoint = ""

    @property
    def id(self) -> str:
        return str(self.obj.pk)

    @property
    def location(self) -> str:
        return f"{provisioning.endpoint_url()}/{self.endpoint}/{self.obj.pk}"

    @property
    def actor(self) -> str:
        token = getattr(self._request, "scim_token", None)
        return token.actor_label if token is not None else "SCIM"

    def meta(self) -> dict:
        return {
            "resourceType": self.resource_type,
            "created": self.obj.created_at.isoformat(),
            "lastModified": self.obj.updated_at.isoformat(),
            "location": self.location,
        }

    @classmethod
    def resource_type_dict(cls, request: Any = None) -> dict:
        from ..schemas import resource_type

        return resource_type(cls.resource_type, f"/{cls.endpoint}", cls.core_schema, cls.extensions)
