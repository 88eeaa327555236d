from django.urls import include, path

from access_reviews.urls import admin_pages as access_review_pages
from access_reviews.urls import reviewer_pages as my_review_pages
from event_hooks.views import okta_event_hook

from .api.docs import api_docs
from .views import audit_log, auth, docs, groups, health, ownership, users

handler404 = "querypie_admin.views.errors.page_not_found"

admin_pages = [
    path("users/", users.user_list, name="user_list"),
    path("users/add/", users.user_add, name="user_add"),
    path("users/<int:pk>/", users.user_detail, name="user_detail"),
    path("users/<int:pk>/status/", users.user_set_status, name="user_set_status"),
    path("users/<int:pk>/role/", users.user_set_role, name="user_set_role"),
    path("users/<int:pk>/okta-asks/", users.user_okta_asks, name="user_okta_asks"),
    path("users/<int:pk>/hand-over/", ownership.user_hand_over, name="user_hand_over"),
    path("users/<int:pk>/take-back/", ownership.user_take_back, name="user_take_back"),
    path("groups/", groups.group_list, name="group_list"),
    path("groups/add/", groups.group_add, name="group_add"),
    path("groups/<int:pk>/", groups.group_detail, name="group_detail"),
    path("groups/<int:pk>/delete/", groups.group_delete, name="group_delete"),
    path("groups/<int:pk>/hand-over/", ownership.group_hand_over, name="group_hand_over"),
    path("groups/<int:pk>/take-back/", ownership.group_take_back, name="group_take_back"),
    path("audit-log/", audit_log.audit_log, name="audit_log"),
]

urlpatterns = [
    path("", auth.home, name="home"),
    path("login/", auth.sign_in_page, name="login"),
    path("logout/", auth.sign_out, name="logout"),
    path("me/", auth.profile, name="profile"),
    path("healthz", health.healthz, name="healthz"),
    path("docs/", docs.docs_page, name="docs_index"),
    path("docs/<str:name>", docs.docs_page, name="docs_page"),
    path("administrator/", include(admin_pages)),
    path("administrator/", include("sso.urls")),
    path("administrator/", include("sync.urls")),
    path("administrator/", include("scim.urls")),
    path("administrator/", include("okta_insights.urls")),
    path("administrator/", include("event_hooks.urls")),
    path("administrator/", include(access_review_pages)),
    path("reviews/", include(my_review_pages)),
    path("saml/", include("sso.saml_urls")),
    path("api/scim/v2/", include("scim.scim_urls")),
    path("api/docs/", api_docs, name="api-docs"),
    path("api/v1/", include("querypie_admin.api.urls")),
    path("api/okta/event-hook", okta_event_hook, name="okta_event_hook"),
]
