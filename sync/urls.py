"""Okta sync pages, mounted under /administrator/."""

from django.urls import path

from . import views

urlpatterns = [
    path("authentication/okta-sync/", views.settings_page, name="okta_sync_settings"),
    path("authentication/okta-sync/history/", views.history, name="okta_sync_history"),
    path("authentication/okta-sync/runs/<int:pk>/", views.run_detail, name="okta_sync_run"),
    path(
        "authentication/okta-sync/runs/<int:pk>/progress.json",
        views.run_progress,
        name="okta_sync_run_progress",
    ),
    path(
        "authentication/okta-sync/runs/<int:pk>/confirm/",
        views.confirm_run,
        name="okta_sync_confirm",
    ),
]
