from rest_framework import serializers

from ..models import AuditEvent, DirectoryLink, Group, User


class LinkSerializer(serializers.ModelSerializer):
    """One Okta source that manages the row and the IdP's id for it; none: a local row."""

    class Meta:
        model = DirectoryLink
        fields = ["source", "external_id"]


class UserSerializer(serializers.ModelSerializer):
    status = serializers.CharField(source="status_label")
    links = LinkSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "id", "login_id", "first_name", "last_name", "email", "second_email",
            "mobile_phone", "postal_address", "static_ip", "mac_address", "status",
            "auth_provider", "links", "role", "created_at", "updated_at",
        ]  # fmt: skip


class GroupSerializer(serializers.ModelSerializer):
    members = serializers.SlugRelatedField(many=True, read_only=True, slug_field="login_id")
    links = LinkSerializer(many=True, read_only=True)

    class Meta:
        model = Group
        fields = [
            "id", "name", "description", "auth_provider", "links", "members",
            "created_at", "updated_at",
        ]  # fmt: skip


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id", "created_at", "actor_label", "action", "target_type", "target_id",
            "target_label", "outcome", "detail", "ip_address", "action_id",
        ]  # fmt: skip
