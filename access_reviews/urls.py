"""Access review pages: campaigns and application owners under /administrator/ (Owner and
System Admin), My reviews under /reviews/ (every signed-in reviewer)."""

from django.urls import path

from .views import campaigns, remediation, reviews

admin_pages = [
    path("access-reviews/", campaigns.campaign_list, name="access_reviews"),
    path("access-reviews/new/", campaigns.campaign_new, name="access_review_new"),
    path("access-reviews/<int:pk>/", campaigns.campaign_detail, name="access_review_campaign"),
    path(
        "access-reviews/application-owners/",
        campaigns.application_owners,
        name="access_review_app_owners",
    ),
    path(
        "access-reviews/<int:pk>/remediation/",
        remediation.plan,
        name="access_review_remediation",
    ),
    path(
        "access-reviews/remediation/<int:pk>/",
        remediation.row_action,
        name="access_review_remediation_row",
    ),
    path(
        "access-reviews/<int:pk>/remediation/manual-tasks.csv",
        remediation.manual_tasks,
        name="access_review_manual_tasks",
    ),
    path(
        "access-reviews/<int:pk>/evidence.csv",
        remediation.evidence_csv,
        name="access_review_evidence_csv",
    ),
    path(
        "access-reviews/<int:pk>/evidence/",
        remediation.evidence_page,
        name="access_review_evidence",
    ),
    path(
        "access-reviews/write-token/",
        remediation.write_token,
        name="access_review_write_token",
    ),
]

reviewer_pages = [
    path("", reviews.my_reviews, name="my_reviews"),
    path("items/<int:pk>/", reviews.review_item, name="review_item"),
]
