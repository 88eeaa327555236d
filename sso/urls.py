"""The Authentication page, in sections; the old single page's URL redirects to them."""

from django.urls import path

from . import section_views

urlpatterns = [
    path("authentication/", section_views.authentication, name="authentication"),
    path(
        "authentication/identity-provider/",
        section_views.identity_provider,
        name="auth_identity_provider",
    ),
    path(
        "authentication/single-logout/",
        section_views.single_logout,
        name="auth_single_logout",
    ),
    path("authentication/role-mapping/", section_views.role_mapping, name="auth_role_mapping"),
    path(
        "authentication/role-mapping/okta-groups.json",
        section_views.okta_groups,
        name="auth_okta_groups",
    ),
]
