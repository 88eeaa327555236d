from django.apps import AppConfig


class AccessReviewsConfig(AppConfig):
    name = "access_reviews"
    verbose_name = "Access reviews"
