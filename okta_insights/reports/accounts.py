"""Reports on accounts: stale ones, admins without MFA, super admins."""

from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from ..models import AdminRole, CollectionSettings, Dataset, MfaFactor, OktaGroup, OktaUser
from .base import DaysForm, Outcome, Report, Row, register
from .labels import ACTIVE_STATUSES, role_name


@register
class StaleAccounts(Report):
    slug = "stale-accounts"
    title = "Stale accounts"
    description = (
        "Active in Okta, no sign-in for N days (never signed in counts when the account is "
        "older than that)."
    )
    datasets = (Dataset.USERS,)
    columns = [
        ("login", "Login"),
        ("name", "Name"),
        ("status", "Okta status"),
        ("last_login", "Last sign-in"),
        ("created", "Created in Okta"),
    ]
    form_class = DaysForm

    def initial(self) -> dict[str, Any]:
        return {"days": CollectionSettings.load().stale_after_days}

    def query(self, params: dict[str, Any], settings: CollectionSettings) -> Outcome:
        cutoff = timezone.now() - timedelta(days=params["days"])
        users = OktaUser.objects.filter(status__in=ACTIVE_STATUSES).filter(
            Q(last_login__lt=cutoff) | Q(last_login__isnull=True, created__lt=cutoff)
        )
        return Outcome(rows=users.order_by(F("last_login").asc(nulls_first=True), "login", "id"))

    def row(self, item: OktaUser) -> Row:
        return {
            "login": item.login,
            "name": item.full_name,
            "status": item.status,
            "last_login": item.last_login,
            "created": item.created,
        }


def admins() -> dict[str, list[AdminRole]]:
    """Each person holding an admin role, with those roles."""
    held: dict[str, list[AdminRole]] = defaultdict(list)
    for role in AdminRole.objects.filter(principal="user"):
        held[role.principal_okta_id].append(role)
    return held


def _people(okta_ids: set[str]) -> dict[str, OktaUser]:
    return {u.okta_id: u for u in OktaUser.objects.filter(okta_id__in=okta_ids)}


def how(role: AdminRole, group_names: dict[str, str]) -> str:
    """Directly, or through which group."""
    if not role.via_group_okta_id:
        return "Directly"
    return f"Through group {group_names.get(role.via_group_okta_id, role.via_group_okta_id)}"


def _person(okta_id: str, people: dict[str, OktaUser]) -> Row:
    person = people.get(okta_id)
    return {
        "login": person.login if person else okta_id,
        "name": person.full_name if person else "",
        "okta_id": okta_id,
    }


@register
class AdminsWithoutMfa(Report):
    slug = "admins-without-mfa"
    title = "Admins without MFA"
    description = "People holding an admin role who have no active MFA factor enrolled."
    datasets = (Dataset.ADMIN_ROLES, Dataset.MFA_FACTORS)
    columns = [
        ("login", "Login"),
        ("name", "Name"),
        ("roles", "Admin roles"),
        ("factors", "Factors not active"),
    ]

    def query(self, params: dict[str, Any], settings: CollectionSettings) -> Outcome:
        held = admins()
        factors: dict[str, list[MfaFactor]] = defaultdict(list)
        for factor in MfaFactor.objects.filter(user_okta_id__in=held):
            factors[factor.user_okta_id].append(factor)
        people = _people(set(held))
        rows = []
        for okta_id, roles in held.items():
            if any(f.status == "ACTIVE" for f in factors[okta_id]):
                continue
            pending = ", ".join(f"{f.factor_type} ({f.status})" for f in factors[okta_id])
            names = sorted({role_name(r.role_type, r.label) for r in roles})
            rows.append(_person(okta_id, people) | {"roles": ", ".join(names), "factors": pending})
        return Outcome(rows=sorted(rows, key=lambda row: row["login"].lower()))


@register
class SuperAdmins(Report):
    slug = "super-admins"
    title = "Super admins"
    description = "Everyone holding the Super Administrator role, directly or through a group."
    datasets = (Dataset.ADMIN_ROLES,)
    columns = [("login", "Login"), ("name", "Name"), ("how", "How")]

    def query(self, params: dict[str, Any], settings: CollectionSettings) -> Outcome:
        supers = AdminRole.objects.filter(principal="user", role_type="SUPER_ADMIN")
        by_person: dict[str, list[AdminRole]] = defaultdict(list)
        for role in supers:
            by_person[role.principal_okta_id].append(role)
        names = dict(OktaGroup.objects.values_list("okta_id", "name"))
        people = _people(set(by_person))
        rows = sorted(
            (
                _person(okta_id, people) | {"how": "; ".join(how(r, names) for r in roles)}
                for okta_id, roles in by_person.items()
            ),
            key=lambda row: row["login"].lower(),
        )
        warning = ""
        if len(rows) > settings.super_admin_warning:
            warning = (
                f"{len(rows)} people are super admins, more than the "
                f"{settings.super_admin_warning} you set: review who needs it."
            )
        return Outcome(rows=rows, warning=warning)
