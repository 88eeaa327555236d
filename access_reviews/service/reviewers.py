"""Who reviews each item: the campaign's rule (a named user, the person's manager from Okta,
the application's owner), then the fallback reviewer for items that resolve to nobody, to an
inactive account, or to the person reviewed (nobody reviews their own access).

Okta names people by id, login or email; the console knows its users by login ID, email and
the Okta id each integration linked. `ConsoleUsers` loads those once per launch, so resolving
50,000 items is dictionary look-ups, not queries.
"""

from dataclasses import dataclass, field

from okta_insights.models import OktaUser
from querypie_admin.models import User

from ..models import ApplicationOwner, Campaign, ReviewerSource
from .items import Row, okta_ids_of_users

NAMED = "named"
MANAGER = "manager"
APP_OWNER = "app_owner"
FALLBACK_NOBODY = {
    ReviewerSource.NAMED: "fallback: no named reviewer",
    ReviewerSource.MANAGER: "fallback: no manager in Okta's profile matches a console user",
    ReviewerSource.APP_OWNER: "fallback: the application has no owner",
}
FALLBACK_SELF = "fallback: self-review"
FALLBACK_INACTIVE = "fallback: reviewer inactive"


class SelfReviewError(ValueError):
    """The fallback reviewer would review their own access: the campaign needs another one."""


@dataclass
class ConsoleUsers:
    """The console's users by Okta id, login ID and email (lower-cased), and who is active."""

    by_okta_id: dict[str, int] = field(default_factory=dict)
    by_login: dict[str, int] = field(default_factory=dict)
    by_email: dict[str, int] = field(default_factory=dict)
    active: set[int] = field(default_factory=set)

    @classmethod
    def load(cls) -> "ConsoleUsers":
        found = cls()
        found.by_okta_id = {okta_id: pk for pk, okta_id in okta_ids_of_users().items()}
        rows = User.objects.order_by("pk").values_list("pk", "login_id", "email", "is_active")
        for pk, login, email, active in rows.iterator(chunk_size=5000):
            found.by_login[login.lower()] = pk
            if email:
                found.by_email.setdefault(email.lower(), pk)
            if active:
                found.active.add(pk)
        return found

    def named(self, value: str) -> int | None:
        """A console user by Okta id, login ID or email, whichever `value` is."""
        if not value:
            return None
        key = value.strip().lower()
        return self.by_okta_id.get(value) or self.by_login.get(key) or self.by_email.get(key)


def assign(campaign: Campaign, items: list[Row]) -> None:
    """Set every item's reviewer and the reason; raise SelfReviewError when an item would go
    to the fallback reviewer about their own access."""
    users = ConsoleUsers.load()
    for item in items:
        if item.get("person_id") is None:
            item["person_id"] = users.named(item["person_okta_id"]) or users.named(
                item["person_login"]
            )
    rule = _rule(campaign, users)
    fallback = campaign.fallback_reviewer_id
    for item in items:
        reviewer, reason = rule(item)
        if reviewer is None:
            reviewer, reason = fallback, FALLBACK_NOBODY[campaign.reviewer_source]
        elif reviewer == item["person_id"]:
            reviewer, reason = fallback, FALLBACK_SELF
        elif reviewer not in users.active:
            reviewer, reason = fallback, FALLBACK_INACTIVE
        if reviewer == item["person_id"]:
            raise SelfReviewError(
                f"The fallback reviewer would review their own access ({item['person_login']}: "
                f"{item['access_label']}). Choose another fallback reviewer."
            )
        item["reviewer_id"], item["reviewer_reason"] = reviewer, reason


def _rule(campaign: Campaign, users: ConsoleUsers):
    """The campaign's reviewer rule as a function item -> (reviewer id or None, reason)."""
    if campaign.reviewer_source == ReviewerSource.MANAGER:
        managers = _managers(users)
        return lambda item: (managers.get(item["person_okta_id"]), MANAGER)
    if campaign.reviewer_source == ReviewerSource.APP_OWNER:
        owners = dict(ApplicationOwner.objects.values_list("app_okta_id", "owner_id"))
        return lambda item: (owners.get(item["access_id"]), APP_OWNER)
    return lambda item: (campaign.reviewer_id, NAMED)


def _managers(users: ConsoleUsers) -> dict[str, int]:
    """Okta user id -> the console user who is their manager: `managerId` (an Okta id, or
    whatever an admin typed there) first, then `manager` (a login ID or an email). A manager
    known to Okta but not linked is found through their Okta login."""
    okta_logins = dict(OktaUser.objects.values_list("okta_id", "login"))
    rows = OktaUser.objects.exclude(manager_id="", manager="").values_list(
        "okta_id", "manager_id", "manager"
    )
    found = {}
    for okta_id, manager_id, manager in rows.iterator(chunk_size=5000):
        reviewer = (
            users.named(manager_id)
            or users.named(okta_logins.get(manager_id, ""))
            or users.named(manager)
        )
        if reviewer:
            found[okta_id] = reviewer
    return found
