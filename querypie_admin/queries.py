"""Read-side filters shared by the console pages and the REST API."""

from datetime import datetime, time

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from .models import AuditEvent, DirectoryLink, Group, User


def with_links(qs: QuerySet) -> QuerySet:
    """Users or groups with their links in one extra query per page (who manages each row),
    without the raw attributes, which only a detail page shows."""
    links = DirectoryLink.objects.only("id", "source", "external_id", "user_id", "group_id")
    return qs.prefetch_related(Prefetch("links", queryset=links))


def filter_users(
    qs: QuerySet[User], q: str = "", status: str = "", auth_provider: str = ""
) -> QuerySet[User]:
    if q:
        qs = qs.filter(
            Q(login_id__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
            | Q(email__icontains=q)
        )
    if status in ("active", "inactive"):
        qs = qs.filter(is_active=status == "active")
    if auth_provider:
        qs = qs.filter(auth_provider=auth_provider)
    return qs.order_by("login_id", "id")


def filter_groups(qs: QuerySet[Group], q: str = "", auth_provider: str = "") -> QuerySet[Group]:
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q))
    if auth_provider:
        qs = qs.filter(auth_provider=auth_provider)
    return qs.order_by("name", "id")


def _day_bound(day, end: bool) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


def filter_audit(qs: QuerySet[AuditEvent], **f) -> QuerySet[AuditEvent]:
    if f.get("action"):
        qs = qs.filter(action__icontains=f["action"])
    if f.get("actor"):
        qs = qs.filter(actor_label__icontains=f["actor"])
    if f.get("target"):
        qs = qs.filter(target_label__icontains=f["target"])
    if f.get("action_id"):
        qs = qs.filter(action_id=f["action_id"])
    if f.get("outcome"):
        qs = qs.filter(outcome=f["outcome"])
    if f.get("since"):
        qs = qs.filter(created_at__gte=_day_bound(f["since"], end=False))
    if f.get("until"):
        qs = qs.filter(created_at__lte=_day_bound(f["until"], end=True))
    return qs
