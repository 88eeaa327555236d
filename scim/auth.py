"""The SCIM bearer check, plugged into django-scim2 as its AUTH_CHECK_MIDDLEWARE.

django-scim2 wraps every SCIM view's dispatch in this class, so it guards the SCIM
endpoints only: a SCIM token opens nothing else, and a console session or API token
opens no SCIM endpoint because only a SCIM token is looked at here.
"""

import logging

from django.http import HttpRequest, HttpResponse
from django_scim.middleware import SCIMAuthCheckMiddleware

from . import provisioning
from .errors import error_response, unauthorized

logger = logging.getLogger(__name__)


class ScimTokenCheck(SCIMAuthCheckMiddleware):
    """Attach the caller's ScimToken to the request, or answer 401 with a SCIM Error body."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        token = provisioning.authenticate(request.headers.get("Authorization", ""))
        if token is None:
            logger.info("SCIM request refused: %s %s", request.method, request.path)
            response = error_response(unauthorized())
            response["WWW-Authenticate"] = 'Bearer realm="SCIM"'
            return response
        request.scim_token = token
        return None

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        return response
