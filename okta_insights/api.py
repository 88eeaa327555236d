"""REST API of the Okta visibility (read-only, Owner and System Admin, under /api/v1/):
applications with their assignments, the System Log events with the Activity page's
filters, and each access review report."""

from django.urls import include, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from .forms import ActivityForm, ApplicationFilterForm
from .models import AppGroupAssignment, OktaApp, OktaEvent
from .reports import activity
from .reports.access import assignment_row
from .reports.applications import applications, reach
from .reports.base import Report
from .reports.catalog import REPORTS

DATES = {"last_login", "created", "assigned_at", "last_sign_in", "published"}


class AppGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = AppGroupAssignment
        fields = ["group_okta_id", "priority", "assigned_at"]


class ApplicationSerializer(serializers.ModelSerializer):
    groups = AppGroupSerializer(source="group_assignments", many=True, read_only=True)
    assignments = serializers.HyperlinkedIdentityField(
        view_name="api-okta-application-assignments", read_only=True
    )

    class Meta:
        model = OktaApp
        fields = [
            "id",
            "okta_id",
            "label",
            "name",
            "sign_on_mode",
            "status",
            "created",
            "last_updated",
            "users_count",
            "direct_count",
            "groups_count",
            "groups",
            "assignments",
        ]


ASSIGNMENTS = inline_serializer(
    "OktaAssignment",
    {
        "app": serializers.CharField(),
        "login": serializers.CharField(),
        "name": serializers.CharField(),
        "how": serializers.CharField(help_text='"Directly" or "Through group <name>"'),
        "assigned_at": serializers.DateTimeField(allow_null=True),
        "last_sign_in": serializers.DateTimeField(allow_null=True),
    },
    many=True,
)


def _filter_params(form_class) -> list[OpenApiParameter]:
    return [
        OpenApiParameter(name, description=str(field.label))
        for name, field in form_class.base_fields.items()
    ]


@extend_schema(parameters=_filter_params(ApplicationFilterForm))
class ApplicationViewSet(viewsets.ReadOnlyModelViewSet):
    """Okta applications with assignment counts and assigned groups; `assignments` lists who
    can reach each, directly or through which group, with their last sign-in to it."""

    serializer_class = ApplicationSerializer

    def get_queryset(self):
        form = ApplicationFilterForm(self.request.query_params)
        filters = form.cleaned_data if form.is_valid() else {}
        return applications(**filters).prefetch_related("group_assignments")

    @extend_schema(responses=ASSIGNMENTS, parameters=[])
    @action(detail=True, url_path="assignments", url_name="assignments")
    def assignments(self, request, pk=None):
        rows = self.paginate_queryset(reach(self.get_object()))
        return self.get_paginated_response([assignment_row(item) for item in rows])


class EventSerializer(serializers.ModelSerializer):
    targets = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = OktaEvent
        fields = [
            "id",
            "uuid",
            "published",
            "event_type",
            "outcome",
            "outcome_reason",
            "severity",
            "display_message",
            "actor_id",
            "actor_alternate_id",
            "actor_name",
            "targets",
            "client_ip",
            "raw",
        ]


class NewestFirst(CursorPagination):
    """Keyset pages: as fast for the millionth event as for the first."""

    ordering = ("-published", "-id")
    page_size = activity.PAGE_SIZE


@extend_schema(parameters=_filter_params(ActivityForm))
class OktaEventViewSet(viewsets.ReadOnlyModelViewSet):
    """System Log events, newest first; the filters are those of the Activity page
    (`since`/`until` in ISO 8601; `event_type` exact or a prefix ending in `*`)."""

    serializer_class = EventSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        if self.action != "list":
            return OktaEvent.objects.all()
        form = ActivityForm(self.request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        return activity.search(**form.cleaned_data)


class ReportView(APIView):
    """One access review report; subclasses name it (see `report_view`)."""

    report: Report

    def get(self, request):
        form = self.report.bound_form(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        outcome = self.report.run(form.cleaned_data)
        pager = PageNumberPagination()
        items = pager.paginate_queryset(outcome.rows, request, view=self) or []
        return Response(
            {
                "report": self.report.slug,
                "title": self.report.title,
                "readable": outcome.readable,
                "notes": outcome.notes,
                "warning": outcome.warning,
                "count": pager.page.paginator.count,
                "next": pager.get_next_link(),
                "previous": pager.get_previous_link(),
                "results": [self.report.row(item) for item in items],
            }
        )


def _report_schema(report: Report):
    row = {
        key: serializers.DateTimeField(allow_null=True)
        if key in DATES
        else serializers.CharField(allow_blank=True)
        for key, _ in report.columns
    }
    name = "".join(part.title() for part in report.slug.split("-"))
    body = inline_serializer(
        f"{name}Report",
        {
            "report": serializers.CharField(),
            "title": serializers.CharField(),
            "readable": serializers.BooleanField(help_text="False: not readable with this token"),
            "notes": serializers.ListField(child=serializers.CharField()),
            "warning": serializers.CharField(allow_blank=True),
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": inline_serializer(f"{name}Row", row, many=True),
        },
    )
    parameters = [
        OpenApiParameter(n, OpenApiTypes.STR, description=str(f.label))
        for n, f in report.form_class.base_fields.items()
    ]
    parameters.append(OpenApiParameter("page", OpenApiTypes.INT))
    return extend_schema(
        summary=report.title,
        description=report.description,
        parameters=parameters,
        responses=body,
        operation_id=f"report_{name}",
    )


def report_view(report: Report) -> type[ReportView]:
    """A view class per report, so the OpenAPI schema documents each one's parameters."""

    def get(self, request):
        return ReportView.get(self, request)

    return type(
        f"{report.slug.title().replace('-', '')}ReportView",
        (ReportView,),
        {"report": report, "__doc__": report.description, "get": _report_schema(report)(get)},
    )


router = DefaultRouter()
router.include_root_view = False
router.register("applications", ApplicationViewSet, basename="api-okta-application")
router.register("okta-events", OktaEventViewSet, basename="api-okta-event")

urlpatterns = [
    path("", include(router.urls)),
    *[
        path(f"reports/{slug}/", report_view(report).as_view(), name=f"api-report-{slug}")
        for slug, report in REPORTS.items()
    ],
]
