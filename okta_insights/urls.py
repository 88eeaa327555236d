"""Okta visibility pages, mounted under /administrator/."""

from django.urls import path

from . import views
from .reports.catalog import REPORTS

urlpatterns = [
    path("okta/", views.settings_page, name="okta_visibility"),
    path("okta/collections/", views.history, name="okta_collection_history"),
    path("okta/collections/<int:pk>/", views.run_detail, name="okta_collection_run"),
    path(
        "okta/collections/<int:pk>/progress.json",
        views.run_progress,
        name="okta_collection_progress",
    ),
    path("okta/applications/", views.application_list, name="okta_applications"),
    path("okta/applications/<int:pk>/", views.application_detail, name="okta_application"),
    path("okta/activity/", views.activity_search, name="okta_activity"),
    path("okta/activity/<int:pk>/", views.event_detail, name="okta_event"),
    path("okta/access-review/", views.access_review, name="okta_access_review"),
    *[
        path(
            f"okta/access-review/{slug}/",
            views.report_page,
            {"slug": slug},
            name=f"okta_report_{slug.replace('-', '_')}",
        )
        for slug in REPORTS
    ],
]
