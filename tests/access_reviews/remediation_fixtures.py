"""Campaigns with revoked items built directly on the models (the launch has its own tests):
the fake org's Slack (Ada direct; Ada, Alan, Grace through Engineers), Ada's SUPER_ADMIN
role and Margaret in IT Admins; the console's write-scoped token saved or not."""

from __future__ import annotations

from django.utils import timezone

from access_reviews.models import (
    AccessKind,
    Campaign,
    CampaignStatus,
    Decision,
    DecisionRecord,
    ReviewItem,
)
from access_reviews.service import chain
from fake_okta import FakeOkta
from okta import connection
from okta.models import OktaOrg

from .conftest import campaign

WRITE_TOKEN = "fake-okta-write-token"  # noqa: S105 - the fake's well-known write token


def save_write_token(token: str = WRITE_TOKEN) -> None:
    org = OktaOrg.load()
    connection.store_write_token(org, token)
    org.save()


def active_campaign(people, **fields) -> Campaign:
    return campaign(people, status=CampaignStatus.ACTIVE, launched_at=timezone.now(), **fields)


def item(
    c: Campaign, people, person, kind: str, access_id: str, label: str, **fields
) -> ReviewItem:
    """An undecided item of `person` (a fake Okta user) reviewed by the auditor."""
    login = person.profile["login"]
    account = getattr(people, login.split("@")[0], None)
    return ReviewItem.objects.create(
        campaign=c,
        person_okta_id=person.id,
        person_login=login,
        person=account,
        access_kind=kind,
        access_id=access_id,
        access_label=label,
        reviewer=people.auditor,
        **fields,
    )


def decide(it: ReviewItem, people, decision: str = Decision.REVOKE, comment: str = "left") -> None:
    """Record a decision in the chain and on the item, as service.decisions does."""
    now = timezone.now()
    record = DecisionRecord(
        campaign=it.campaign,
        item=it,
        decision=decision,
        comment=comment,
        decided_by=people.auditor,
        decided_by_label=people.auditor.login_id,
        decided_at=now,
    )
    chain.append([record])
    ReviewItem.objects.filter(pk=it.pk).update(decision=decision, decided_at=now)
    it.decision, it.decided_at = decision, now


def slack_items(c: Campaign, people, org) -> dict[str, ReviewItem]:
    """Slack's three people as the launch freezes them."""
    engineers = {"via_group_okta_id": org.engineers.id, "via_group_name": "Engineers"}
    slack = (AccessKind.APP, org.slack.id, "Slack")
    return {
        "ada": item(c, people, org.ada, *slack),
        "alan": item(c, people, org.alan, *slack, granted_via="group", **engineers),
        "grace": item(c, people, org.grace, *slack, granted_via="group", **engineers),
    }


def super_admin_item(c: Campaign, people, org) -> ReviewItem:
    role = next(r for r in org.directory.admin_roles.users[org.ada.id] if r.type == "SUPER_ADMIN")
    return item(
        c,
        people,
        org.ada,
        AccessKind.ADMIN_ROLE,
        "SUPER_ADMIN",
        "Super Administrator",
        assignment_id=role.id,
    )


def deletes(fake: FakeOkta) -> dict[str, int]:
    """The DELETEs the fake received, by endpoint."""
    counts: dict[str, int] = {}
    for name in ("remove_app_user", "remove_group_member", "unassign_user_role"):
        counts[name] = len(fake.requests_to(name))
    return counts
