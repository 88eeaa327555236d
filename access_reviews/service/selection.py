"""A reviewer's items, as My reviews filters them; the list and the bulk decision use the
same selection, so "Revoke 37 items?" means the 37 rows the filters show.

Only items of active campaigns are listed (a closed campaign's decisions no longer change);
one indexed query per page plus its count, whatever the number of items.
"""

import hashlib

from django.db.models import QuerySet

from querypie_admin.models import User

from ..models import Campaign, CampaignStatus, ReviewItem
from .items import ADMIN_WITHOUT_MFA, NEVER_SIGNED_IN

NO_SIGN_IN_PREFIX = '"no_sign_in_for_'


def active_campaigns(reviewer: User) -> QuerySet[Campaign]:
    """The active campaigns in which `reviewer` has items."""
    ids = ReviewItem.objects.filter(reviewer=reviewer).values("campaign_id")
    return Campaign.objects.filter(pk__in=ids, status=CampaignStatus.ACTIVE).order_by("due_on")


def reviewer_items(reviewer: User, filters: dict) -> QuerySet[ReviewItem]:
    """The reviewer's items in active campaigns matching `filters` (campaign, flag,
    decision, app: the cleaned My reviews filters)."""
    items = ReviewItem.objects.filter(reviewer=reviewer, campaign__status=CampaignStatus.ACTIVE)
    if filters.get("campaign"):
        items = items.filter(campaign_id=filters["campaign"])
    flag = filters.get("flag")
    if flag in (NEVER_SIGNED_IN, ADMIN_WITHOUT_MFA):
        # JSON lists are matched as text: works on PostgreSQL and on the embedded SQLite.
        items = items.filter(flags__icontains=f'"{flag}"')
    elif flag == "no_sign_in":
        items = items.filter(flags__icontains=NO_SIGN_IN_PREFIX)
    elif flag == "flagged":
        items = items.exclude(flags=[])
    decision = filters.get("decision")
    if decision == "none":
        items = items.filter(decision="")
    elif decision:
        items = items.filter(decision=decision)
    if filters.get("app"):
        items = items.filter(access_id=filters["app"])
    return items.order_by("id")


def fingerprint(item_ids: list[int]) -> str:
    """Which items a confirmation was shown for: the same count of other items (one decided
    elsewhere, another reassigned here meanwhile) is another selection."""
    return hashlib.sha256(",".join(map(str, sorted(item_ids))).encode()).hexdigest()[:32]


def access_choices(reviewer: User) -> list[tuple[str, str]]:
    """The accesses (applications, groups, roles) among the reviewer's active items."""
    rows = (
        ReviewItem.objects.filter(reviewer=reviewer, campaign__status=CampaignStatus.ACTIVE)
        .order_by("access_label", "access_id")
        .values_list("access_id", "access_label")
        .distinct()
    )
    return list(rows)
