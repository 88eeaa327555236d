"""The SCIM 2.0 service under /api/scim/v2/, with django-scim2's URL names (namespace scim).

Trailing slashes are accepted: some IdPs add them, and a redirect would lose the body.
"""

from django.urls import re_path

from . import discovery, endpoints

app_name = "scim"

urlpatterns = [
    re_path(r"^$", discovery.NotSupportedView.as_view(), name="root"),
    re_path(r"^\.search/?$", discovery.NotSupportedView.as_view(), name="search"),
    re_path(r"^Users/\.search/?$", endpoints.UserSearchView.as_view(), name="users-search"),
    re_path(r"^Users(?:/(?P<uuid>[^/]+))?/?$", endpoints.UsersView.as_view(), name="users"),
    re_path(r"^Groups/\.search/?$", endpoints.GroupSearchView.as_view(), name="groups-search"),
    re_path(r"^Groups(?:/(?P<uuid>[^/]+))?/?$", endpoints.GroupsView.as_view(), name="groups"),
    re_path(r"^Me/?$", discovery.NotSupportedView.as_view(), name="me"),
    re_path(
        r"^ServiceProviderConfig/?$",
        discovery.ServiceProviderConfigView.as_view(),
        name="service-provider-config",
    ),
    re_path(
        r"^ResourceTypes(?:/(?P<uuid>[^/]+))?/?$",
        discovery.ResourceTypesView.as_view(),
        name="resource-types",
    ),
    re_path(r"^Schemas(?:/(?P<uuid>[^/]+))?/?$", discovery.SchemasView.as_view(), name="schemas"),
    re_path(r"^Bulk/?$", discovery.NotSupportedView.as_view(), name="bulk"),
    re_path(r"^.*$", discovery.UnknownPathView.as_view(), name="unknown"),
]
