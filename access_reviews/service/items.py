"""What a campaign reviews, read at launch from what `okta_insights` collected and from the
console's directory, as rows of `ReviewItem` fields (reviewers are assigned afterwards).

Each subject is read with a handful of set-based queries whatever the number of people: an
application with 50,000 people is one query over its assignments and one over its people.
The risk flags are computed here, once, so later collections never change them.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from okta_insights.models import (
    AdminRole,
    AppAssignment,
    CollectionSettings,
    MfaFactor,
    OktaApp,
    OktaGroup,
    OktaUser,
)
from querypie_admin.models import ADMIN_ROLES, DirectoryLink, GroupMembership, Role, User

from ..models import AccessKind, Campaign, Subject

Row = dict[str, Any]  # a ReviewItem's fields by attname, e.g. campaign_id
NEVER_SIGNED_IN = "never_signed_in"
ADMIN_WITHOUT_MFA = "admin_without_mfa"


def no_sign_in_flag(days: int) -> str:
    return f"no_sign_in_for_{days}_days"


@dataclass(frozen=True)
class Person:
    """An Okta user as collected: what an item shows of the person."""

    login: str
    name: str
    last_login: datetime | None


def build_items(campaign: Campaign) -> list[Row]:
    """Every item the campaign's subject, scope and filters select, flagged, as rows (dicts
    of ReviewItem's fields) for one bulk insert: 50,000 model instances would cost seconds."""
    rules = FlagRules.for_campaign(campaign)
    builders = {
        Subject.APP_ACCESS: _app_access,
        Subject.GROUP_MEMBERS: _group_members,
        Subject.ADMIN_ROLES: _admin_roles,
        Subject.CONSOLE_ADMINS: _console_admins,
    }
    items = []
    for item in builders[campaign.subject](campaign):
        item["flags"] = rules.flags(item)
        if rules.selects(campaign, item):
            items.append(item)
    return items


@dataclass
class FlagRules:
    """The risk flags at launch time: never signed in, no sign-in for N days (the campaign's
    N, or the collection's "stale account" days), an Okta admin without an active factor."""

    now: datetime
    days: int
    admins_without_mfa: set[str]

    @classmethod
    def for_campaign(cls, campaign: Campaign) -> "FlagRules":
        days = campaign.no_sign_in_for_days or CollectionSettings.load().stale_after_days
        admins = set(
            AdminRole.objects.filter(principal="user").values_list("principal_okta_id", flat=True)
        )
        with_mfa = set(
            MfaFactor.objects.filter(status="ACTIVE").values_list("user_okta_id", flat=True)
        )
        return cls(timezone.now(), days, admins - with_mfa)

    def flags(self, item: Row) -> list[str]:
        found = []
        last = item["last_sign_in"]
        if last is None:
            found.append(NEVER_SIGNED_IN)
        elif last < self.now - timedelta(days=self.days):
            found.append(no_sign_in_flag(self.days))
        if item["person_okta_id"] in self.admins_without_mfa:
            found.append(ADMIN_WITHOUT_MFA)
        return found

    def selects(self, campaign: Campaign, item: Row) -> bool:
        """An item is reviewed only if it matches every filter the campaign sets; an
        account that never signed in has not signed in for N days either."""
        flags = item["flags"]
        if campaign.only_never_signed_in and NEVER_SIGNED_IN not in flags:
            return False
        if campaign.no_sign_in_for_days and not {NEVER_SIGNED_IN, no_sign_in_flag(self.days)} & set(
            flags
        ):
            return False
        return not (campaign.only_admins_without_mfa and ADMIN_WITHOUT_MFA not in flags)


def people(among: QuerySet | None = None) -> dict[str, Person]:
    """Collected Okta users by id: those whose ids `among` selects (a subquery), or all;
    one pass, not a query per person."""
    rows = OktaUser.objects.order_by()
    if among is not None:
        rows = rows.filter(okta_id__in=among)
    fields = ("okta_id", "login", "first_name", "last_name", "last_login")
    return {
        okta_id: Person(login, f"{first} {last}".strip(), last_login)
        for okta_id, login, first, last, last_login in rows.values_list(*fields).iterator(
            chunk_size=5000
        )
    }


def _app_access(campaign: Campaign) -> Iterator[Row]:
    """(a) Who can reach each application: directly, or through which group. The last
    sign-in is the person's last sign-in to that application."""
    apps = OktaApp.objects.all()
    if campaign.scope_okta_ids:
        apps = apps.filter(okta_id__in=campaign.scope_okta_ids)
    labels = dict(apps.values_list("pk", "label"))
    rows = AppAssignment.objects.filter(app_id__in=labels).order_by("app_id", "login", "id")
    fields = ("app_id", "app_okta_id", "user_okta_id", "login", "scope", "group_okta_id")
    fields += ("group_name", "last_sign_in")
    known = people(among=rows.values("user_okta_id"))
    for app_pk, app_id, user_id, login, scope, group_id, group_name, last in rows.values_list(
        *fields
    ).iterator(chunk_size=5000):
        person = known.get(user_id)
        yield dict(
            campaign_id=campaign.pk,
            person_okta_id=user_id,
            person_login=person.login if person else login,
            person_name=person.name if person else "",
            access_kind=AccessKind.APP,
            access_id=app_id,
            access_label=labels[app_pk],
            granted_via="direct" if scope == "USER" else "group",
            via_group_okta_id=group_id if scope != "USER" else "",
            via_group_name=group_name if scope != "USER" else "",
            last_sign_in=last,
        )


def okta_ids_of_users() -> dict[int, str]:
    """Console user id -> Okta user id, from the links the integrations keep."""
    links = DirectoryLink.objects.filter(user__isnull=False).exclude(external_id="")
    found: dict[int, str] = {}
    for user_id, external_id in links.order_by("source").values_list("user_id", "external_id"):
        if external_id.startswith("00u"):
            found.setdefault(user_id, external_id)
    return found


def _group_members(campaign: Campaign) -> Iterator[Row]:
    """(b) The members of Okta groups, as the console's directory holds them (the sync and
    SCIM keep them): each Okta-linked group in scope, each member."""
    links = DirectoryLink.objects.filter(group__isnull=False).exclude(external_id="")
    if campaign.scope_okta_ids:
        links = links.filter(external_id__in=campaign.scope_okta_ids)
    group_okta_ids = dict(links.values_list("group_id", "external_id"))
    okta_ids = okta_ids_of_users()
    known = people()
    rows = GroupMembership.objects.filter(group_id__in=group_okta_ids).order_by(
        "group__name", "user__login_id"
    )
    fields = ("group_id", "group__name", "user_id", "user__login_id", "user__first_name")
    for group_pk, group_name, user_pk, login, first, last in rows.values_list(
        *fields, "user__last_name"
    ).iterator(chunk_size=5000):
        okta_id = okta_ids.get(user_pk, "")
        person = known.get(okta_id)
        yield dict(
            campaign_id=campaign.pk,
            person_okta_id=okta_id,
            person_login=login,
            person_name=f"{first} {last}".strip(),
            person_id=user_pk,
            access_kind=AccessKind.GROUP,
            access_id=group_okta_ids[group_pk],
            access_label=group_name,
            last_sign_in=person.last_login if person else None,
        )


def _admin_roles(campaign: Campaign) -> Iterator[Row]:
    """(c) Okta admin roles each person holds, directly or through a group."""
    group_names = dict(OktaGroup.objects.values_list("okta_id", "name"))
    rows = AdminRole.objects.filter(principal="user").order_by("principal_okta_id", "role_type")
    known = people(among=rows.values("principal_okta_id"))
    for role in rows:
        person = known.get(role.principal_okta_id)
        yield dict(
            campaign_id=campaign.pk,
            person_okta_id=role.principal_okta_id,
            person_login=person.login if person else role.principal_okta_id,
            person_name=person.name if person else "",
            access_kind=AccessKind.ADMIN_ROLE,
            access_id=role.role_type,
            access_label=role.label or role.role_type,
            granted_via="group" if role.via_group_okta_id else "direct",
            via_group_okta_id=role.via_group_okta_id,
            via_group_name=group_names.get(role.via_group_okta_id, ""),
            assignment_id=role.assignment_id,
            last_sign_in=person.last_login if person else None,
        )


def _console_admins(campaign: Campaign) -> Iterator[Row]:
    """(d) The console's own Owners and System Admins; the last sign-in is the console's."""
    okta_ids = okta_ids_of_users()
    admins = User.objects.filter(is_active=True, role__in=ADMIN_ROLES).order_by("login_id")
    for user in admins:
        yield dict(
            campaign_id=campaign.pk,
            person_okta_id=okta_ids.get(user.pk, ""),
            person_login=user.login_id,
            person_name=user.full_name,
            person_id=user.pk,
            access_kind=AccessKind.CONSOLE_ROLE,
            access_id=user.role,
            access_label=Role(user.role).label,
            last_sign_in=user.last_login,
        )
