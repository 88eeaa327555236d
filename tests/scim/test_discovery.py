"""/ServiceProviderConfig, /ResourceTypes and /Schemas describe exactly what is served."""

import pytest

from .conftest import QUERYPIE

pytestmark = pytest.mark.django_db
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
BASE = "http://testserver/api/scim/v2"


def test_service_provider_config(scim):
    assert scim.get("/ServiceProviderConfig").json() == {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": 200},
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
        "meta": {
            "location": f"{BASE}/ServiceProviderConfig",
            "resourceType": "ServiceProviderConfig",
        },
    }


def resource_type(name, schema, extensions):
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": name,
        "name": name,
        "endpoint": f"/{name}s",
        "description": name,
        "schema": schema,
        "schemaExtensions": [{"schema": e, "required": False} for e in extensions],
        "meta": {"resourceType": "ResourceType", "location": f"{BASE}/ResourceTypes/{name}"},
    }


def test_resource_types_with_relative_endpoints_and_total_results(scim):
    user = resource_type("User", "urn:ietf:params:scim:schemas:core:2.0:User", [QUERYPIE])
    group = resource_type("Group", "urn:ietf:params:scim:schemas:core:2.0:Group", [])
    assert scim.get("/ResourceTypes").json() == {
        "schemas": [LIST],
        "totalResults": 2,
        "itemsPerPage": 2,
        "startIndex": 1,
        "Resources": [user, group],
    }
    assert scim.get("/ResourceTypes/User").json() == user
    assert scim.get("/ResourceTypes/Nope").status_code == 404


def test_schemas_list_the_querypie_extension(scim):
    body = scim.get("/Schemas").json()
    assert body["totalResults"] == 3 and body["schemas"] == [LIST]
    extension = scim.get(f"/Schemas/{QUERYPIE}").json()
    assert [(a["name"], a["type"], a["mutability"]) for a in extension["attributes"]] == [
        ("staticIp", "string", "readWrite"),
        ("macAddress", "string", "readWrite"),
    ]
    assert extension["meta"] == {"resourceType": "Schema", "location": f"{BASE}/Schemas/{QUERYPIE}"}
    user = scim.get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User").json()
    assert [a["name"] for a in user["attributes"]] == [
        "userName",
        "name",
        "displayName",
        "emails",
        "phoneNumbers",
        "addresses",
        "active",
        "groups",
    ]
