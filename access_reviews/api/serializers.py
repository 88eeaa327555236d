"""What the access review API shows of campaigns, items and decisions, and what a decision
request carries."""

from functools import partial

from rest_framework import serializers

from querypie_admin.models import User

from ..models import Campaign, Decision, DecisionRecord, ReviewItem

# A console user shown by login ID.
LoginId = partial(serializers.SlugRelatedField, slug_field="login_id", read_only=True)


class CampaignSerializer(serializers.ModelSerializer):
    fallback_reviewer = LoginId()
    reviewer = LoginId()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "subject",
            "scope_okta_ids",
            "status",
            "starts_on",
            "due_on",
            "reviewer_source",
            "reviewer",
            "fallback_reviewer",
            "remediation_timing",
            "guard_percent",
            "recurrence",
            "launched_at",
            "closed_at",
        ]


class ItemSerializer(serializers.ModelSerializer):
    reviewer = LoginId()
    remediation_status = serializers.CharField(
        source="remediation.status", read_only=True, default=None
    )

    class Meta:
        model = ReviewItem
        fields = [
            "id",
            "campaign",
            "person_okta_id",
            "person_login",
            "person_name",
            "access_kind",
            "access_id",
            "access_label",
            "granted_via",
            "via_group_okta_id",
            "via_group_name",
            "last_sign_in",
            "flags",
            "reviewer",
            "decision",
            "decided_at",
            "remediation_status",
        ]


class DecisionRecordSerializer(serializers.ModelSerializer):
    reassigned_to = LoginId()

    class Meta:
        model = DecisionRecord
        fields = [
            "id",
            "item",
            "decision",
            "comment",
            "reassigned_to",
            "decided_by_label",
            "decided_at",
            "row_hash",
        ]


class DecisionRequest(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    reassign_to = serializers.SlugRelatedField(
        slug_field="login_id",
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="The login ID of the console user to reassign to (Reassign only).",
    )


class BulkDecisionRequest(DecisionRequest):
    """A decision on every item of the caller's in the campaign that the filters select;
    `count` must equal their number (the API's confirmation, like the page's)."""

    count = serializers.IntegerField(min_value=1)
    flag = serializers.CharField(required=False, allow_blank=True, default="")
    decision_filter = serializers.CharField(required=False, allow_blank=True, default="")
    access = serializers.CharField(required=False, allow_blank=True, default="")
