"""The API's error answers, written into its OpenAPI schema so that clients (and the
Schemathesis test) know them: drf-spectacular documents only the successful answer."""

from typing import Any

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
NO_NUL = "^[^\\x00]*$"  # views._params answers 400 to a NUL, which PostgreSQL cannot compare
# A 400 names what it refused: {"detail": …}, or DRF's {parameter: [messages]}.
BAD_REQUEST = {"type": "object", "description": "What was refused, and why."}
ANSWERS = {
    "400": ("A query parameter the API cannot use.", "BadRequest"),
    "401": ("No valid API token or console session.", "Error"),
    "403": ("The caller is not an active Owner or System Admin.", "Error"),
    "404": ("No such object, or a page past the last one.", "Error"),
}


def document_errors(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every operation lists 400, 401, 403 and 404, a
    text query parameter holds no NUL, and an email that may be empty says so (format
    "email" alone refuses "")."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"], schemas["BadRequest"] = ERROR, BAD_REQUEST
    for schema in schemas.values():
        for prop in schema.get("properties", {}).values():
            if prop.get("format") == "email":
                del prop["format"]
                prop["anyOf"] = [{"format": "email"}, {"maxLength": 0}]
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and parameter["schema"].get("type") == "string":
                    parameter["schema"]["pattern"] = NO_NUL
            for status, (description, schema) in ANSWERS.items():
                body = {"schema": {"$ref": f"#/components/schemas/{schema}"}}
                operation["responses"].setdefault(
                    status, {"description": description, "content": {"application/json": body}}
                )
    return result
