"""Read-only REST API at /api/v1/ for automation."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import ParseError

from ..models import AuditEvent, Group, User
from ..queries import filter_audit, filter_groups, filter_users, with_links
from .serializers import AuditEventSerializer, GroupSerializer, UserSerializer


def _params(request, *names: str) -> dict:
    """The named query parameters; a NUL in one is a 400 (PostgreSQL cannot compare it)."""
    params = {n: request.query_params.get(n, "") for n in names}
    refused = sorted(n for n, v in params.items() if "\x00" in v)
    if refused:
        raise ParseError(f"{', '.join(refused)}: a query parameter cannot hold a NUL character.")
    return params


def _doc(*names: str):
    return extend_schema_view(list=extend_schema(parameters=[OpenApiParameter(n) for n in names]))


@_doc("q", "status", "auth_provider", "login_id")
class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Users; `q` searches login ID, name and email. `auth_provider` is who owns the row
    (`querypie`: a local account, `okta`: Okta); `links` name the Okta sources managing it."""

    serializer_class = UserSerializer

    def get_queryset(self):
        params = _params(self.request, "q", "status", "auth_provider", "login_id")
        users = with_links(User.objects.all())
        if login_id := params.pop("login_id"):
            return users.filter(login_id__ci_exact=login_id).order_by("id")
        return filter_users(users, **params)


@_doc("q", "auth_provider")
class GroupViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = GroupSerializer

    def get_queryset(self):
        members = Prefetch("members", queryset=User.objects.only("id", "login_id"))
        qs = with_links(Group.objects.prefetch_related(members))
        return filter_groups(qs, **_params(self.request, "q", "auth_provider"))


@_doc("action", "actor", "target", "outcome", "action_id")
class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AuditEventSerializer

    def get_queryset(self):
        params = _params(self.request, "action", "actor", "target", "outcome", "action_id")
        return filter_audit(AuditEvent.objects.all(), **params)
