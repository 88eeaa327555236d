"""Reviewers' decisions: Keep, Revoke or Reassign, each recorded in the chain, never
overwritten. The rules are here so that the pages, the bulk action and the REST API share them.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from querypie_admin import audit
from querypie_admin.directory.bulk_insert import many_ids
from querypie_admin.models import User

from ..models import Campaign, CampaignStatus, Decision, DecisionRecord, ReviewItem
from . import chain, remediation


class DecisionError(ValueError):
    """A decision the rules refuse; the message is shown to the reviewer as it is."""


def check(
    item: ReviewItem,
    decision: str,
    comment: str,
    reassign_to: User | None,
    reassign_okta_ids: frozenset[str] = frozenset(),
) -> None:
    """Raise DecisionError unless `decision` may be recorded on `item` as given;
    `reassign_okta_ids` are the Okta ids linked to `reassign_to` (see okta_ids_of)."""
    if decision not in Decision.values:
        raise DecisionError("Choose Keep, Revoke or Reassign.")
    if decision == Decision.REVOKE and not comment.strip():
        raise DecisionError("A comment is required to revoke.")
    if decision == Decision.KEEP and item.is_flagged and not comment.strip():
        raise DecisionError("A comment is required to keep a flagged item.")
    if decision == Decision.REASSIGN:
        if reassign_to is None or not reassign_to.is_active:
            raise DecisionError("Choose an active console user to reassign to.")
        if not comment.strip():
            raise DecisionError("Give a reason to reassign.")
        if reassign_to.pk == item.reviewer_id or _is_person(reassign_to, item, reassign_okta_ids):
            raise DecisionError("Reassign to someone other than the reviewer or the person.")


def okta_ids_of(user: User | None) -> frozenset[str]:
    """The Okta ids the integrations linked to `user` (one query for a whole bulk)."""
    if user is None:
        return frozenset()
    return frozenset(user.links.exclude(external_id="").values_list("external_id", flat=True))


def _is_person(user: User, item: ReviewItem, okta_ids: frozenset[str]) -> bool:
    """Whether `user` is the person `item` reviews: the account frozen at launch, or one that
    appeared since (the sync or SCIM created it later, under the person's login, email or
    Okta id), so that nobody is handed their own access to keep."""
    login = item.person_login.lower()
    return (
        user.pk == item.person_id
        or login in (user.login_id.lower(), (user.email or "").lower())
        or item.person_okta_id in okta_ids
    )


def decide(
    item: ReviewItem,
    actor: User,
    decision: str,
    comment: str = "",
    reassign_to: User | None = None,
) -> DecisionRecord:
    """Record one decision by the item's reviewer while the campaign is active."""
    records = decide_many(item.campaign, actor, [item.pk], decision, comment, reassign_to)
    return records[0]


def decide_many(
    campaign: Campaign,
    actor: User,
    item_ids: Iterable[int],
    decision: str,
    comment: str = "",
    reassign_to: User | None = None,
) -> list[DecisionRecord]:
    """One decision on many items of the actor's, in one transaction: all or none."""
    now = timezone.now()
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.status != CampaignStatus.ACTIVE:
            raise DecisionError("This campaign is not active: decisions can no longer change.")
        items = list(
            ReviewItem.objects.filter(campaign=locked, pk__in=many_ids(item_ids)).order_by("id")
        )
        if not items:
            raise DecisionError("No items selected.")
        if any(item.reviewer_id != actor.pk for item in items):
            raise DecisionError("You can decide only the items assigned to you.")
        linked = okta_ids_of(reassign_to) if decision == Decision.REASSIGN else frozenset()
        for item in items:
            check(item, decision, comment, reassign_to, linked)
        records = chain.append(
            [_record(locked, item, actor, decision, comment, reassign_to, now) for item in items]
        )
        _apply(items, decision, reassign_to, now)
        audit.record(
            "access_review.decided",
            actor=actor,
            target=locked,
            detail={"decision": decision, "items": len(items)},
        )
        if decision == Decision.REVOKE:
            remediation.on_revoked_many(locked, items)
    return records


def _record(campaign, item, actor, decision, comment, reassign_to, now) -> DecisionRecord:
    return DecisionRecord(
        campaign=campaign,
        item=item,
        decision=decision,
        comment=comment.strip(),
        reassigned_to=reassign_to,
        decided_by=actor,
        decided_by_label=actor.login_id,
        decided_at=now,
    )


def _apply(items: list[ReviewItem], decision: str, reassign_to: User | None, now) -> None:
    """Copy the latest decision onto the items, in one UPDATE (they all get the same one); a
    reassigned item goes undecided to its new reviewer."""
    if decision == Decision.REASSIGN:
        values = {"reviewer": reassign_to, "reviewer_reason": "reassigned"}
        values |= {"decision": "", "decided_at": None}
    else:
        values = {"decision": decision, "decided_at": now}
    for item in items:
        for name, value in values.items():
            setattr(item, name, value)
    ReviewItem.objects.filter(pk__in=many_ids(item.pk for item in items)).update(**values)
