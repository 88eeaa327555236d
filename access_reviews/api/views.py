"""REST API of access reviews under /api/v1/access-reviews/, with the pages' role rules:
campaigns and their evidence are for Owner and System Admin; items are listed to every
signed-in user, a reviewer seeing only their own (admins read all); a decision is POSTed by
the item's reviewer only (404 for anyone else's item, admins included), through
service.decisions like the pages."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from querypie_admin.api.permissions import IsConsoleAdmin
from querypie_admin.models import ADMIN_ROLES
from querypie_admin.roles import Access, AccessRule, may

from ..models import Campaign, CampaignStatus, ReviewItem
from ..service import decisions, selection
from ..views.remediation import evidence_download
from .serializers import (
    BulkDecisionRequest,
    CampaignSerializer,
    DecisionRecordSerializer,
    DecisionRequest,
    ItemSerializer,
)

ITEM_FILTERS = ("campaign", "decision", "access_kind", "access", "flagged", "person")


class IsSignedIn(BasePermission):
    """Every signed-in console user: what they reach is narrowed by the view (their items)."""

    access_rule = AccessRule(Access.SIGNED_IN, Access.SIGNED_IN)

    def has_permission(self, request, view) -> bool:
        return may(request.user, self.access_rule.needed(request))


def _is_admin(user) -> bool:
    return user.role in ADMIN_ROLES


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """Campaigns (Owner and System Admin), newest first."""

    serializer_class = CampaignSerializer
    permission_classes = [IsConsoleAdmin]
    lookup_value_regex = r"[0-9]+"  # any other id is a 404 from the URL conf, never a 500
    queryset = Campaign.objects.select_related("reviewer", "fallback_reviewer")

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"])
    def evidence(self, request, pk=None):
        """A closed campaign's evidence as CSV (the chain's check in its first rows)."""
        campaign = get_object_or_404(Campaign, pk=pk, status=CampaignStatus.CLOSED)
        return evidence_download(campaign, request.user)

    @extend_schema(
        request=BulkDecisionRequest,
        responses={201: DecisionRecordSerializer(many=True), 409: OpenApiResponse()},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsSignedIn])
    def decisions(self, request, pk=None):
        """Bulk: one decision on the caller's items of this campaign that the filters
        select; refused (409, with the number) unless `count` is that number."""
        ask = BulkDecisionRequest(data=request.data)
        ask.is_valid(raise_exception=True)
        data = ask.validated_data
        filters = {
            "campaign": int(pk),
            "flag": data["flag"],
            "decision": data["decision_filter"],
            "app": data["access"],
        }
        ids = list(selection.reviewer_items(request.user, filters).values_list("id", flat=True))
        if len(ids) != data["count"]:
            detail = f"The filters select {len(ids)} of your items, not {data['count']}."
            return Response({"detail": detail, "count": len(ids)}, status=409)
        campaign = get_object_or_404(Campaign, pk=pk)
        records = _decide(
            lambda: decisions.decide_many(
                campaign,
                request.user,
                ids,
                data["decision"],
                data["comment"],
                data["reassign_to"],
            )
        )
        return Response(DecisionRecordSerializer(records, many=True).data, status=201)


@extend_schema(
    parameters=[OpenApiParameter(name) for name in ITEM_FILTERS],
)
class ItemViewSet(viewsets.ReadOnlyModelViewSet):
    """Review items: a reviewer's own; Owner and System Admin read every campaign's."""

    serializer_class = ItemSerializer
    permission_classes = [IsSignedIn]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular's schema generation
            return ReviewItem.objects.none()
        items = ReviewItem.objects.select_related("reviewer", "remediation").order_by("id")
        if not _is_admin(self.request.user) or self.action == "decision":
            items = items.filter(reviewer=self.request.user)
        return _filtered(items, self.request.query_params)

    @extend_schema(request=DecisionRequest, responses={201: DecisionRecordSerializer})
    @action(detail=True, methods=["post"])
    def decision(self, request, pk=None):
        """Keep, Revoke or Reassign one of your items (the pages' rules)."""
        item = get_object_or_404(
            ReviewItem.objects.select_related("campaign"), pk=pk, reviewer=request.user
        )
        ask = DecisionRequest(data=request.data)
        ask.is_valid(raise_exception=True)
        data = ask.validated_data
        record = _decide(
            lambda: decisions.decide(
                item, request.user, data["decision"], data["comment"], data["reassign_to"]
            )
        )
        return Response(DecisionRecordSerializer(record).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Every decision on the item, oldest first (the chain's rows)."""
        item = get_object_or_404(self.get_queryset(), pk=pk)
        records = item.history.select_related("reassigned_to").order_by("id")
        return Response(DecisionRecordSerializer(records, many=True).data)


def _decide(write):
    try:
        return write()
    except decisions.DecisionError as exc:
        raise ParseError(str(exc)) from None


def _filtered(items, params):
    for name in ITEM_FILTERS:
        if "\x00" in params.get(name, ""):
            raise ParseError(f"{name}: a query parameter cannot hold a NUL character.")
    if campaign := params.get("campaign"):
        if not campaign.isdigit():
            raise ParseError("campaign: a campaign id (a number).")
        items = items.filter(campaign_id=int(campaign))
    decision = params.get("decision")
    if decision == "none":
        items = items.filter(decision="")
    elif decision:
        items = items.filter(decision=decision)
    if kind := params.get("access_kind"):
        items = items.filter(access_kind=kind)
    if access := params.get("access"):
        items = items.filter(access_id=access)
    if params.get("flagged") in ("1", "true"):
        items = items.exclude(flags=[])
    if person := params.get("person"):
        items = items.filter(person_login__iexact=person)
    return items
