from django.apps import AppConfig


class OktaConfig(AppConfig):
    name = "okta"
    verbose_name = "Okta connection"
