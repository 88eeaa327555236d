"""What Okta says about one person of the console: the section of a user's page."""

from django.db.models import Q
from django.db.models.functions import Lower

from querypie_admin.models import User

from ..models import (
    AdminRole,
    AppAssignment,
    Dataset,
    MfaFactor,
    OktaEvent,
    OktaGroup,
    OktaUser,
)
from .accounts import how
from .labels import role_name
from .states import dataset_notes, unreadable

RECENT = 10


def okta_user_of(user: User) -> OktaUser | None:
    """The Okta user behind a console account: by the Okta id its links carry (00u…), else
    by login."""
    ids = [link.external_id for link in user.links.all() if link.external_id.startswith("00u")]
    found = OktaUser.objects.filter(okta_id__in=ids).first() if ids else None
    by_login = OktaUser.objects.annotate(key=Lower("login")).filter(key=user.login_id.lower())
    return found or by_login.first()  # the LOWER(login) index, not iexact's UPPER()


def user_section(user: User) -> dict:
    """Applications, admin roles, MFA factors, Okta status and last login, recent activity."""
    okta_user = okta_user_of(user)
    notes = dataset_notes(Dataset.USERS, Dataset.APPLICATIONS, Dataset.SYSTEM_LOG)
    if okta_user is None:
        return {"okta_user": None, "notes": notes}
    okta_id = okta_user.okta_id
    return {
        "okta_user": okta_user,
        "notes": notes,
        "roles_unreadable": unreadable(Dataset.ADMIN_ROLES),
        "factors_unreadable": unreadable(Dataset.MFA_FACTORS),
        "applications": _applications(okta_id),
        "roles": _roles(okta_id),
        "factors": list(MfaFactor.objects.filter(user_okta_id=okta_id)),
        "activity": list(
            OktaEvent.objects.filter(
                Q(actor_id=okta_id) | Q(target_text__contains=okta_id.lower())
            ).order_by("-published", "-id")[:RECENT]
        ),
    }


def _applications(okta_id: str) -> list[dict]:
    assignments = AppAssignment.objects.filter(user_okta_id=okta_id).select_related("app")
    return sorted(
        (
            {
                "app": a.app,
                "how": "Directly" if a.is_direct else f"Through group {a.group_name}",
                "last_sign_in": a.last_sign_in,
            }
            for a in assignments
        ),
        key=lambda row: row["app"].label.lower(),
    )


def _roles(okta_id: str) -> list[dict]:
    roles = list(AdminRole.objects.filter(principal="user", principal_okta_id=okta_id))
    names = dict(
        OktaGroup.objects.filter(
            okta_id__in=[r.via_group_okta_id for r in roles if r.via_group_okta_id]
        ).values_list("okta_id", "name")
    )
    return [{"name": role_name(r.role_type, r.label), "how": how(r, names)} for r in roles]
