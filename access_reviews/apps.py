from django.apps import AppConfig


class AccessReviewsConfig(AppConfig):
    name = "access_reviews"
    verbose_name = "Access reviews"

    def ready(self) -> None:
        """Verify executed removals after each successful Okta collection (okta_insights
        sends the signal and never imports this app)."""
        from okta_insights.signals import collection_finished

        from .service.verification import on_collection_finished

        collection_finished.connect(on_collection_finished, dispatch_uid="access_reviews.verify")
