"""Access review pages: campaigns and application owners under /administrator/ (Owner and
System Admin), My reviews under /reviews/ (every signed-in reviewer)."""

from django.urls import path

from .views import campaigns, reviews

admin_pages = [
    path("access-reviews/", campaigns.campaign_list, name="access_reviews"),
    path("access-reviews/new/", campaigns.campaign_new, name="access_review_new"),
    path("access-reviews/<int:pk>/", campaigns.campaign_detail, name="access_review_campaign"),
    path(
        "access-reviews/application-owners/",
        campaigns.application_owners,
        name="access_review_app_owners",
    ),
]

reviewer_pages = [
    path("", reviews.my_reviews, name="my_reviews"),
    path("items/<int:pk>/", reviews.review_item, name="review_item"),
]
