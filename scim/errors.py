"""SCIM error bodies (RFC 7644 §3.12): every failure answers JSON, never HTML."""

import json

from django.http import HttpResponse
from django_scim import exceptions
from django_scim.constants import SCIM_CONTENT_TYPE, SchemaURI


def scim_response(body: dict | None, status: int = 200) -> HttpResponse:
    content = json.dumps(body) if body is not None else b""
    return HttpResponse(content, status=status, content_type=SCIM_CONTENT_TYPE)


def error_body(status: int, detail: str, scim_type: str | None = None) -> dict:
    body = {"schemas": [SchemaURI.ERROR], "detail": detail, "status": str(status)}
    if scim_type:
        body["scimType"] = scim_type
    return body


def error_response(exc: exceptions.SCIMException) -> HttpResponse:
    return scim_response(error_body(exc.status, exc.detail, exc.scim_type), exc.status)


def bad_request(detail: str, scim_type: str = "invalidValue") -> exceptions.BadRequestError:
    return exceptions.BadRequestError(detail, scim_type=scim_type)


def invalid_filter(detail: str) -> exceptions.BadRequestError:
    return exceptions.BadRequestError(detail, scim_type="invalidFilter")


def conflict(detail: str) -> exceptions.IntegrityError:
    return exceptions.IntegrityError(detail, scim_type="uniqueness")


def unauthorized() -> exceptions.AuthorizationError:
    return exceptions.AuthorizationError(
        "A valid SCIM bearer token is required, and provisioning must be enabled."
    )
