from django.apps import AppConfig


class EventHooksConfig(AppConfig):
    name = "event_hooks"
    verbose_name = "Okta Event Hooks"
