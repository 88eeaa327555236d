"""From a valid SAML identity to a signed-in console user, with the audit trail.

The user is matched by the loginId attribute (NameID when it is absent), case-insensitively;
profile attributes are applied through the directory service, like every other write.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest

from querypie_admin import audit, directory
from querypie_admin.models import AuthProvider, User

from .acs import SamlIdentity
from .models import SamlSettings
from .refusals import INACTIVE, UNPROVISIONED, SamlRefused

SAML_ACTOR = "SAML sign-in"
PROFILE_ATTRIBUTES = {"firstName": "first_name", "lastName": "last_name", "email": "email"}


def login_id_of(identity: SamlIdentity) -> str:
    return identity.first("loginId") or identity.name_id.strip()


def profile_changes(identity: SamlIdentity) -> dict[str, str]:
    """The profile fields the IdP sent; an invalid email is left out rather than stored."""
    changes = {}
    for attribute, field in PROFILE_ATTRIBUTES.items():
        value = identity.first(attribute)
        if value:
            changes[field] = value[: User._meta.get_field(field).max_length]
    if "email" in changes:
        try:
            validate_email(changes["email"])
        except ValidationError:
            del changes["email"]
    return changes


def _create_user(login_id: str, changes: dict[str, str]) -> User:
    try:
        return directory.create_user(
            SAML_ACTOR, login_id=login_id, auth_provider=AuthProvider.OKTA, **changes
        )
    except directory.DirectoryConflict as exc:
        raise SamlRefused(f"could not create {login_id}: {exc}", subject=login_id) from exc


def resolve_user(identity: SamlIdentity) -> User:
    """The existing user, or a new one when "Create users on first login" is on."""
    login_id = login_id_of(identity)
    if not login_id:
        raise SamlRefused("the assertion names no user (no loginId and an empty NameID)")
    if len(login_id) > User._meta.get_field("login_id").max_length:
        raise SamlRefused("the login ID is too long", subject=login_id[:255])
    changes = profile_changes(identity)
    user = User.objects.filter(login_id__ci_exact=login_id).first()
    if user is None:
        if not SamlSettings.load().jit_enabled:
            raise SamlRefused("user not provisioned", kind=UNPROVISIONED, subject=login_id)
        return _create_user(login_id, changes)
    if not user.is_active:
        raise SamlRefused("inactive account", kind=INACTIVE, subject=user.login_id)
    directory.update_user(SAML_ACTOR, user, **changes)
    return user


def record_success(request: HttpRequest, user: User, identity: SamlIdentity) -> None:
    flow = "sp-initiated" if identity.in_response_to else "idp-initiated"
    detail = {"method": "saml", "reason": f"valid assertion ({flow})", "flow": flow}
    audit.record("auth.signin", actor=user, target=user, detail=detail, request=request)


def record_refusal(request: HttpRequest, refusal: SamlRefused) -> None:
    label = (refusal.subject or "unknown (SAML)")[:255]
    audit.record(
        "auth.signin",
        actor=label,
        target_label=label,
        outcome="failure",
        detail={"method": "saml", "reason": refusal.reason},
        request=request,
    )
