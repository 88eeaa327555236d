"""Personal API tokens for /api/v1/. SCIM tokens are a different kind and never work here."""

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from ..models import ApiToken
from ..tokens import secret_matches, split_token

API_TOKEN_PREFIX = "qpa"


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        parts = split_token(value, API_TOKEN_PREFIX)
        token = (
            ApiToken.objects.select_related("user").filter(key_id=parts[0]).first()
            if parts
            else None
        )
        if token is None or not secret_matches(parts[1], token.secret_hash):
            raise exceptions.AuthenticationFailed("Invalid API token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token's user is inactive.")
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the token: a bearer token, so the schema is complete."""

    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from `manage.py api_token create`.",
        }
