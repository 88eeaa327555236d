"""Okta Event Hooks: the settings panel, mounted under /administrator/."""

from django.urls import path

from . import views

urlpatterns = [
    path("authentication/okta-event-hooks/", views.settings_page, name="event_hooks_settings"),
    path(
        "authentication/okta-event-hooks/held/confirm/",
        views.held_events,
        {"action": "confirm"},
        name="event_hooks_confirm",
    ),
    path(
        "authentication/okta-event-hooks/held/discard/",
        views.held_events,
        {"action": "discard"},
        name="event_hooks_discard",
    ),
]
