"""From a valid SAML identity to a signed-in console user, with the audit trail.

The user is matched by the loginId attribute (NameID when it is absent), case-insensitively;
an Owner or System Admin must also be the identity recorded for it (sso.pinning).
A `groups` attribute (Okta group ids) applies the role mappings before the session starts.
SAML signs in only accounts Okta owns (linked by any source, or handed over): a local account
with the same login ID signs in with its password, and the assertion never touches it. The
profile attributes and the SAML link are written through the directory, like every other write.
"""

from django.http import HttpRequest

from querypie_admin import audit, audit_throttle, directory
from querypie_admin.models import DirectoryLink, User

from .acs import SamlIdentity
from .attributes import GROUPS, LOGIN_ID, PROFILE
from .models import SamlSettings
from .pinning import check_pinned_identity
from .refusals import INACTIVE, INVALID, PASSWORD_ACCOUNT, UNPROVISIONED, SamlRefused

EXTERNAL_ID_MAX = DirectoryLink._meta.get_field("external_id").max_length


def login_id_of(identity: SamlIdentity) -> str:
    return identity.first(LOGIN_ID.name) or identity.name_id.strip()


def _accepted(field: str, value: str) -> bool:
    try:
        directory.check_user_fields({field: value})
    except directory.DirectoryInvalid:
        return False
    return True


def profile_changes(identity: SamlIdentity) -> dict[str, str]:
    """The profile fields the IdP sent, cut to their column; a value the directory would
    refuse (an invalid email) is left out rather than refusing the whole sign-in."""
    changes = {}
    for statement in PROFILE:
        limit = User._meta.get_field(statement.field).max_length
        value = identity.first(statement.name)[:limit]
        if value and _accepted(statement.field, value):
            changes[statement.field] = value
    return changes


def sent_by(identity: SamlIdentity) -> directory.Sent:
    """What the assertion said, kept on the user's SAML link as "What Okta sent"."""
    attributes = {
        **identity.attributes,
        "NameID": identity.name_id,
        "NameIDFormat": identity.name_id_format,
    }
    return directory.Sent(external_id=identity.name_id, attributes=attributes)


def _checked_login_id(identity: SamlIdentity) -> str:
    login_id = login_id_of(identity)
    if not login_id:
        raise SamlRefused("the assertion names no user (no loginId and an empty NameID)")
    try:
        directory.check_user_fields({"login_id": login_id})
    except directory.DirectoryInvalid as exc:
        raise SamlRefused(f"the login ID cannot be used: {exc}", subject=login_id) from exc
    if len(identity.name_id) > EXTERNAL_ID_MAX:
        raise SamlRefused(f"the NameID is longer than {EXTERNAL_ID_MAX} characters")
    return login_id


def _check_can_sign_in(user: User) -> None:
    if not user.is_managed_externally:
        raise SamlRefused(
            "local password account: SAML signs in only accounts Okta manages",
            kind=PASSWORD_ACCOUNT,
            subject=user.login_id,
        )
    if not user.is_active:
        raise SamlRefused("inactive account", kind=INACTIVE, subject=user.login_id)


def _create_user(login_id: str, identity: SamlIdentity) -> User:
    if not SamlSettings.load().jit_enabled:
        raise SamlRefused("user not provisioned", kind=UNPROVISIONED, subject=login_id)
    fields = {"login_id": login_id, **profile_changes(identity)}
    return directory.create_user(directory.Caller.saml(), fields, sent=sent_by(identity))


def _directory_refusal(exc: directory.Refused, login_id: str) -> SamlRefused:
    """The directory said no (the account was taken back meanwhile): audited, then shown."""
    exc.record()
    local = isinstance(exc.target, User) and not exc.target.is_managed_externally
    kind = PASSWORD_ACCOUNT if local else INVALID
    return SamlRefused(f"the directory refused the sign-in: {exc}", kind=kind, subject=login_id)


def resolve_user(identity: SamlIdentity) -> User:
    """The Okta-owned user the assertion names, or a new one when "Create users on first
    login" is on; each sign-in refreshes the profile and the SAML link. An Owner or System
    Admin must also be the identity recorded for it (sso.pinning). The asserted groups apply
    to a user created now too: the first session already carries the mapped role."""
    login_id = _checked_login_id(identity)
    user = User.objects.filter(login_id__ci_exact=login_id).first()
    try:
        if user is None:
            user = _create_user(login_id, identity)
        else:
            _check_can_sign_in(user)
            check_pinned_identity(user, identity.name_id)
            changes = profile_changes(identity)
            directory.update_user(directory.Caller.saml(), user, changes, sent=sent_by(identity))
    except directory.Refused as exc:
        raise _directory_refusal(exc, login_id) from exc
    except (directory.DirectoryInvalid, directory.DirectoryConflict) as exc:
        raise SamlRefused(
            f"the directory did not accept {login_id}: {exc}", subject=login_id
        ) from exc
    apply_asserted_groups(user, identity)
    return user


def asserted_groups(identity: SamlIdentity) -> set[str] | None:
    """The Okta group ids in the `groups` attribute; None when the assertion has none."""
    values = identity.attributes.get(GROUPS.name)
    if values is None:
        return None
    return {v.strip() for v in values if v.strip()}


def apply_asserted_groups(user: User, identity: SamlIdentity) -> None:
    """With a `groups` attribute, its ids are the user's groups for the role mappings at this
    moment: the role follows them before the session starts (a refusal, the last Owner, is
    audited and the sign-in goes on). Only mapped ids count: a name never matches."""
    asserted = asserted_groups(identity)
    if asserted is None:
        return  # Okta sent no groups: the role stays as SCIM or the sync left it
    directory.roles.apply_asserted(
        directory.Caller.saml(), user, asserted, saml_assertion=identity.assertion_id
    )
    user.refresh_from_db(fields=["role", "role_source", "role_groups"])


def record_success(request: HttpRequest, user: User, identity: SamlIdentity) -> None:
    flow = "sp-initiated" if identity.in_response_to else "idp-initiated"
    detail = {"method": "saml", "reason": f"valid assertion ({flow})", "flow": flow}
    audit.record("auth.signin", actor=user, target=user, detail=detail, request=request)


def record_refusal(request: HttpRequest, refusal: SamlRefused) -> None:
    """A refusal that names an account (a valid assertion for someone) is audited every
    time; one that names nobody (the Response itself was refused) is anonymous, audited at
    most once a minute per client address, with a count (querypie_admin.audit_throttle)."""
    label = (refusal.subject or "unknown (SAML)")[:255]
    detail = {"method": "saml", "reason": refusal.reason}
    if not refusal.subject:
        audit_throttle.record_refusal(
            "saml_sign_in",
            "auth.signin",
            request=request,
            actor=label,
            target_label=label,
            detail=detail,
        )
        return
    audit.record(
        "auth.signin",
        actor=label,
        target_label=label,
        outcome="failure",
        detail=detail,
        request=request,
    )
