"""/api/docs/: the API, interactive (Swagger UI), and /api/v1/: a root listing every endpoint.

Swagger UI's files come from drf-spectacular-sidecar through our static files, never a CDN.
The page has no inline script or style, so the console's CSP stays as strict as elsewhere:
its start-up script is this view's own `?script` answer (drf-spectacular's split view), a
same-origin script. Only `img-src data:` is added, on this page alone, for the icons that
Swagger UI's stylesheet embeds."""

from csp.decorators import csp_update
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .permissions import IsConsoleAdmin

API_URLCONF = "querypie_admin.api.urls"
# Beside /api/v1/ and not DRF views: listed so that the root names every API of the console.
OTHER_APIS = {"docs": "api-docs", "scim": "scim:root", "okta-event-hook": "okta_event_hook"}


class ApiDocsView(SpectacularSwaggerSplitView):
    """The same rule as the schema it shows: Owner and System Admin."""

    permission_classes = [IsConsoleAdmin]
    url_name = "api-schema"
    template_name = "console/api_docs.html"
    title = "QueryPie Admin API"


api_docs = csp_update({"img-src": ["data:"]})(ApiDocsView.as_view())


def _list_endpoints(patterns) -> list[str]:
    """The names of every endpoint that needs no id: the lists, the reports, the schema."""
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += _list_endpoints(entry.url_patterns)
        elif (
            isinstance(entry, URLPattern)
            and entry.name not in (None, "api-root")
            and not set(entry.pattern.regex.groupindex) - {"format"}
        ):
            found.append(entry.name)
    return found


def endpoints(request: Request) -> dict[str, str]:
    """Every endpoint of /api/v1/, read from its URL conf (a new one is listed by itself),
    then the console's other APIs."""
    names = dict.fromkeys(_list_endpoints(get_resolver(API_URLCONF).url_patterns))
    listed = {
        name.removeprefix("api-").removesuffix("-list"): request.build_absolute_uri(reverse(name))
        for name in names
    }
    for label, name in OTHER_APIS.items():
        listed[label] = request.build_absolute_uri(reverse(name))
    return listed


class ApiRoot(APIView):
    """The API root: every endpoint of /api/v1/ (the Okta visibility's too), the schema, the
    interactive page, SCIM and the Okta Event Hook. Owner and System Admin, as the API."""

    permission_classes = [IsConsoleAdmin]

    @extend_schema(exclude=True)  # a map of the schema's own paths, as DRF's root is left out
    def get(self, request: Request, format: str | None = None) -> Response:
        return Response(endpoints(request))
