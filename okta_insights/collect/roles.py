"""Admin roles (users holding one, directly or through a group, and the groups' own roles)
and the MFA factors those admins enrolled."""

from django.db import transaction

from okta.errors import OktaNotFoundError

from ..models import AdminRole, Dataset, DatasetState, MfaFactor
from .base import DatasetSkipped, Reader, okta_time, text


def collect_admin_roles(reader: Reader) -> int:
    """`/iam/assignees/users`, each one's roles, then the roles of the groups they come from.

    Okta answers 403 to a Read-Only Administrator's token here; the caller records the
    dataset as not readable, and what was collected before stays as it was.
    """
    client = reader.client
    rows: list[AdminRole] = []
    groups: set[str] = set()
    assignees = [body["id"] for body in client.iter_role_assignees() if body.get("id")]
    for user_id in assignees:
        for role in client.list_user_roles(user_id):
            via = _group_of(role)
            groups |= {via} if via else set()
            rows.append(_role("user", user_id, role, via))
        reader.progress.count(1)
    for group_id in sorted(groups):
        rows += [_role("group", group_id, role, "") for role in client.list_group_roles(group_id)]
    with transaction.atomic():
        AdminRole.objects.all().delete()
        AdminRole.objects.bulk_create(rows)
    return len(assignees)


def _group_of(role: dict) -> str:
    """The group a GROUP assignment comes through: its ``assignee`` link names it."""
    if role.get("assignmentType") != "GROUP":
        return ""
    href = ((role.get("_links") or {}).get("assignee") or {}).get("href") or ""
    return href.rstrip("/").rsplit("/", 1)[-1][:32] if "/groups/" in href else ""


def _role(principal: str, okta_id: str, role: dict, via: str) -> AdminRole:
    return AdminRole(
        principal=principal,
        principal_okta_id=okta_id,
        role_type=text(role.get("type"), 64),
        label=text(role.get("label"), 255),
        assignment_id=text(role.get("id"), 64),
        via_group_okta_id=via,
    )


def collect_mfa_factors(reader: Reader) -> int:
    """The factors of every admin; needs the admin roles, this run's or a previous one's."""
    roles = DatasetState.objects.filter(dataset=Dataset.ADMIN_ROLES).first()
    if roles is None or roles.collected_at is None:
        reason = roles.get_readability_display().lower() if roles else "not collected yet"
        raise DatasetSkipped(f"It needs the admin roles, which are {reason}.")
    admins = sorted(
        set(AdminRole.objects.filter(principal="user").values_list("principal_okta_id", flat=True))
    )
    rows = []
    for user_id in admins:
        try:
            factors = reader.client.list_factors(user_id)
        except OktaNotFoundError:
            continue  # deleted in Okta since the roles were read
        rows += [_factor(user_id, body) for body in factors]
        reader.progress.count(1)
    with transaction.atomic():
        MfaFactor.objects.all().delete()
        MfaFactor.objects.bulk_create(rows)
    return len(admins)


def _factor(user_id: str, body: dict) -> MfaFactor:
    return MfaFactor(
        user_okta_id=user_id,
        factor_id=text(body.get("id"), 64),
        factor_type=text(body.get("factorType"), 64),
        provider=text(body.get("provider"), 64),
        status=text(body.get("status"), 32),
        enrolled_at=okta_time(body.get("created")),
    )
