from django.apps import AppConfig


class OktaInsightsConfig(AppConfig):
    name = "okta_insights"
    verbose_name = "Okta visibility and access review"

    def ready(self) -> None:
        from .collect import schedule

        schedule.follow_replication_frequency()
