"""SCIM error bodies (RFC 7644 §3.12): every failure answers JSON, never HTML."""

import json

from django.http import HttpResponse
from django_scim import exceptions
from django_scim.constants import SCIM_CONTENT_TYPE, SchemaURI

from querypie_admin import directory


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


class RefusedError(exceptions.SCIMException):
    """A directory refusal (an ownership or Owner rule said no; nothing changed).

    It carries the refusal, so the endpoint audits it once the write's transaction is over.
    """

    def __init__(self, refusal: directory.Refused, status: int, scim_type: str | None) -> None:
        super().__init__(str(refusal), status=status, scim_type=scim_type)
        self.refusal = refusal


def refused(
    refusal: directory.Refused, status: int = 403, scim_type: str | None = None
) -> RefusedError:
    return RefusedError(refusal, status, scim_type)


def failure_response(exc: Exception) -> HttpResponse:
    """The SCIM error for a request that failed: bad values are 400 invalidValue, a refusal
    403 (or what the adapter chose) and audited here, outside the rolled-back write."""
    if isinstance(exc, directory.DirectoryInvalid):
        exc = bad_request(str(exc))
    elif isinstance(exc, directory.Refused):
        exc = refused(exc)
    if isinstance(exc, RefusedError):
        exc.refusal.record()
    return error_response(exc)


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
