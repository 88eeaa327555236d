"""What /Schemas, /ResourceTypes and /ServiceProviderConfig publish: exactly what is served.

The attributes listed are those the adapters read and return; nothing else is promised.
"""

from typing import Any

from django.http import HttpRequest
from django_scim.constants import SchemaURI
from django_scim.models import SCIMServiceProviderConfig

from . import provisioning

QUERYPIE_USER = "urn:ietf:params:scim:schemas:extension:querypie:2.0:User"
SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"
MAX_RESULTS = 200


def attr(name: str, kind: str = "string", **extra: Any) -> dict:
    """One attribute definition with RFC 7643 §7 defaults."""
    definition = {
        "name": name,
        "type": kind,
        "multiValued": False,
        "description": extra.pop("description", name),
        "required": False,
        "caseExact": False,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "none",
    }
    definition.update(extra)
    if kind in ("complex", "boolean", "dateTime"):
        definition.pop("caseExact")
    return definition


def _multi(name: str, sub: list[dict], **extra: Any) -> dict:
    return attr(name, "complex", multiValued=True, subAttributes=sub, **extra)


USER_SCHEMA = {
    "id": SchemaURI.USER,
    "name": "User",
    "description": "User Account",
    "attributes": [
        attr("userName", required=True, uniqueness="server", description="Login ID"),
        attr(
            "name",
            "complex",
            subAttributes=[
                attr("givenName", description="First name"),
                attr("familyName", description="Last name"),
            ],
        ),
        attr("displayName", mutability="readOnly", description="Full name, else login ID"),
        _multi(
            "emails",
            [
                attr("value", description="Email address"),
                attr("type", canonicalValues=["work", "other"]),
                attr("primary", "boolean"),
            ],
            description="The primary or work email is Email; another one is Second email",
        ),
        _multi(
            "phoneNumbers",
            [attr("value"), attr("type", canonicalValues=["mobile"])],
            description="The mobile number is Mobile phone",
        ),
        _multi("addresses", [attr("formatted")], description="Postal address"),
        attr("active", "boolean", description="Active users can sign in"),
        _multi(
            "groups",
            [
                attr("value", mutability="readOnly"),
                attr("$ref", "reference", referenceTypes=["Group"], mutability="readOnly"),
                attr("display", mutability="readOnly"),
            ],
            mutability="readOnly",
        ),
    ],
}

QUERYPIE_USER_SCHEMA = {
    "id": QUERYPIE_USER,
    "name": "QueryPieUser",
    "description": "QueryPie user attributes",
    "attributes": [
        attr("staticIp", description="Static IP"),
        attr("macAddress", description="MAC address"),
    ],
}

GROUP_SCHEMA = {
    "id": SchemaURI.GROUP,
    "name": "Group",
    "description": "Group",
    "attributes": [
        attr("displayName", required=True, uniqueness="server"),
        _multi(
            "members",
            [
                attr("value", mutability="immutable", description="User id"),
                attr("$ref", "reference", referenceTypes=["User"], mutability="immutable"),
                attr("type", mutability="immutable", canonicalValues=["User"]),
                attr("display", mutability="readOnly", description="Login ID"),
            ],
        ),
    ],
}


def _with_meta(schema: dict) -> dict:
    location = f"{provisioning.endpoint_url()}/Schemas/{schema['id']}"
    return {
        "schemas": [SCHEMA_SCHEMA],
        **schema,
        "meta": {"resourceType": "Schema", "location": location},
    }


def all_schemas() -> list[dict]:
    """django-scim2's SCHEMAS_GETTER."""
    return [_with_meta(s) for s in (USER_SCHEMA, GROUP_SCHEMA, QUERYPIE_USER_SCHEMA)]


def base_location(request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> str:
    """django-scim2's BASE_LOCATION_GETTER: the public console URL, never the Host header."""
    from django.conf import settings

    return settings.CONSOLE_BASE_URL


def resource_type(name: str, endpoint: str, schema: str, extensions: list[str]) -> dict:
    return {
        "schemas": [SchemaURI.RESOURCE_TYPE],
        "id": name,
        "name": name,
        "endpoint": endpoint,
        "description": name,
        "schema": schema,
        "schemaExtensions": [{"schema": uri, "required": False} for uri in extensions],
        "meta": {
            "resourceType": "ResourceType",
            "location": f"{provisioning.endpoint_url()}/ResourceTypes/{name}",
        },
    }


class ServiceProviderConfig(SCIMServiceProviderConfig):
    """django-scim2's SERVICE_PROVIDER_CONFIG_MODEL, telling what this server does."""

    @property
    def location(self) -> str:
        return f"{provisioning.endpoint_url()}/ServiceProviderConfig"

    def to_dict(self) -> dict:
        return {
            "schemas": [SchemaURI.SERVICE_PROVIDER_CONFIG],
            "patch": {"supported": True},
            "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": True, "maxResults": MAX_RESULTS},
            "changePassword": {"supported": False},
            "sort": {"supported": False},
            "etag": {"supported": False},
            "authenticationSchemes": [
                {
                    "type": "oauthbearertoken",
                    "name": "OAuth Bearer Token",
                    "description": "A SCIM token from Administrator > Provisioning",
                    "specUri": "https://www.rfc-editor.org/info/rfc6750",
                    "primary": True,
                }
            ],
            "meta": self.meta,
        }
