"""/ServiceProviderConfig, /ResourceTypes and /Schemas, as ListResponses with totalResults.

django-scim2 leaves out totalResults and gives absolute ResourceType endpoints, which
makes scim2-tester stop at discovery; these views fix both.
"""

from django.http import HttpRequest, HttpResponse
from django.views.generic import View
from django_scim import exceptions, views
from django_scim.constants import SchemaURI

from .adapters.groups import ScimGroupAdapter
from .adapters.users import ScimUserAdapter
from .endpoints import ScimViewMixin
from .errors import scim_response
from .schemas import all_schemas


def list_response(resources: list[dict]) -> dict:
    return {
        "schemas": [SchemaURI.LIST_RESPONSE],
        "totalResults": len(resources),
        "itemsPerPage": len(resources),
        "startIndex": 1,
        "Resources": resources,
    }


class CatalogView(ScimViewMixin, View):
    """A fixed list of documents, each found by its id."""

    http_method_names = ["get"]

    def resources(self) -> list[dict]:
        raise NotImplementedError

    def get(self, request: HttpRequest, uuid: str | None = None, **kwargs) -> HttpResponse:
        resources = self.resources()
        if uuid is None:
            return scim_response(list_response(resources))
        found = next((r for r in resources if r["id"].lower() == uuid.lower()), None)
        if found is None:
            raise exceptions.NotFoundError(uuid)
        return scim_response(found)


class ResourceTypesView(CatalogView):
    def resources(self) -> list[dict]:
        return [a.resource_type_dict() for a in (ScimUserAdapter, ScimGroupAdapter)]


class SchemasView(CatalogView):
    def resources(self) -> list[dict]:
        return all_schemas()


class ServiceProviderConfigView(ScimViewMixin, views.ServiceProviderConfigView):
    pass


class NotSupportedView(ScimViewMixin, View):
    """Bulk, /Me and root-level search: not offered (ServiceProviderConfig says so)."""

    implemented = False


class UnknownPathView(ScimViewMixin, View):
    """Any other path under /api/scim/v2/: a SCIM 404, never Django's HTML page."""

    http_method_names = ["get", "post", "put", "patch", "delete"]

    def dispatch_unknown(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        raise exceptions.NotFoundError(request.path)

    get = post = put = patch = delete = dispatch_unknown
