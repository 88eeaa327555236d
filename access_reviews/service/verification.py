"""Verifying executed removals after the next Okta collection (okta_insights sends
`collection_finished`; access_reviews.apps connects `on_collection_finished`).

An app assignment and an admin role are checked in what the collection just stored
(AppAssignment, AdminRole), and only when that dataset was collected. A group membership is
not collected by okta_insights, so it is read from Okta itself (GET /api/v1/users/{id}/groups
with the read token): the directory the sync keeps may lag behind by a whole sync interval.
"""

import logging

from django.utils import timezone

from okta import connection
from okta.errors import OktaError
from okta.token_crypto import TokenUnreadable
from okta_insights.models import AdminRole, AppAssignment, Dataset
from querypie_admin import audit

from ..models import Remediation as Row
from ..models import RemediationAction as Action
from ..models import RemediationStatus as Status

logger = logging.getLogger(__name__)

TO_VERIFY = (Status.DONE, Status.MANUAL_DONE, Status.STILL_PRESENT)
NEEDS = {
    Action.REMOVE_APP_ASSIGNMENT: Dataset.APPLICATIONS,
    Action.UNASSIGN_ADMIN_ROLE: Dataset.ADMIN_ROLES,
}


def on_collection_finished(sender, run, datasets: list[str], **kwargs) -> None:
    verify(datasets)


def verify(datasets: list[str]) -> dict[str, int]:
    """Check each executed removal whose evidence is at hand; the counts by outcome."""
    rows = list(
        Row.objects.filter(status__in=TO_VERIFY)
        .exclude(action=Action.DEMOTE_CONSOLE_ROLE)
        .select_related("item", "item__campaign")
        .order_by("id")
    )
    rows = [r for r in rows if NEEDS.get(r.action, "") in ("", *datasets)]
    counts = {"verified": 0, "still_present": 0}
    groups = _group_reader(rows)
    for row in rows:
        present = _still_present(row, groups)
        if present is None:
            continue
        status = Status.STILL_PRESENT if present else Status.VERIFIED
        counts["still_present" if present else "verified"] += 1
        if row.status == status:
            continue
        row.status, row.verified_at = status, timezone.now()
        row.save(update_fields=["status", "verified_at"])
        audit.record(
            "access_review.still_present" if present else "access_review.remediation_verified",
            actor="Okta collection",
            target=row.item.campaign,
            outcome="failure" if present else "success",
            detail={"remediation": row.pk, "person": row.item.person_login},
        )
    return counts


def _still_present(row: Row, groups: "GroupReader") -> bool | None:
    """True/False, or None when it cannot be told now (Okta unreachable)."""
    item = row.item
    if row.action == Action.REMOVE_APP_ASSIGNMENT:
        found = AppAssignment.objects.filter(
            app_okta_id=item.access_id, user_okta_id=item.person_okta_id, scope="USER"
        )
        return found.exists()
    if row.action == Action.UNASSIGN_ADMIN_ROLE:
        found = AdminRole.objects.filter(
            principal="user",
            principal_okta_id=item.person_okta_id,
            assignment_id=item.assignment_id,
        )
        return found.exists()
    member_of = groups.of(item.person_okta_id)
    return None if member_of is None else (item.via_group_okta_id or item.access_id) in member_of


class GroupReader:
    """Each person's Okta groups, read once per verification."""

    def __init__(self, needed: bool) -> None:
        self.okta = None
        self.seen: dict[str, set[str] | None] = {}
        if needed:
            try:
                self.okta = connection.client()
            except (connection.OktaSetupError, TokenUnreadable) as exc:  # wait for next time
                logger.warning("Cannot verify group removals: %s", exc)

    def of(self, user_id: str) -> set[str] | None:
        if self.okta is None:
            return None
        if user_id not in self.seen:
            try:
                self.seen[user_id] = {g["id"] for g in self.okta.iter_user_groups(user_id)}
            except OktaError as exc:
                logger.warning("Cannot read %s's groups: %s", user_id, exc)
                self.seen[user_id] = None
        return self.seen[user_id]


def _group_reader(rows: list[Row]) -> GroupReader:
    return GroupReader(any(r.action == Action.REMOVE_FROM_GROUP for r in rows))
