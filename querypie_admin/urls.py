from django.urls import include, path

from .views import audit_log, auth, directory, health

admin_pages = [
    path("users/", directory.user_list, name="user_list"),
    path("users/<int:pk>/", directory.user_detail, name="user_detail"),
    path("users/<int:pk>/status/", directory.user_set_status, name="user_set_status"),
    path("groups/", directory.group_list, name="group_list"),
    path("groups/<int:pk>/", directory.group_detail, name="group_detail"),
    path("groups/<int:pk>/delete/", directory.group_delete, name="group_delete"),
    path("audit-log/", audit_log.audit_log, name="audit_log"),
]

urlpatterns = [
    path("", auth.home, name="home"),
    path("login/", auth.sign_in_page, name="login"),
    path("logout/", auth.sign_out, name="logout"),
    path("me/", auth.profile, name="profile"),
    path("healthz", health.healthz, name="healthz"),
    path("administrator/", include(admin_pages)),
    path("administrator/", include("sso.urls")),
    path("administrator/", include("sync.urls")),
    path("administrator/", include("scim.urls")),
    path("saml/", include("sso.saml_urls")),
    path("api/scim/v2/", include("scim.scim_urls")),
    path("api/v1/", include("querypie_admin.api.urls")),
]
