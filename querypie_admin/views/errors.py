"""Error pages: an address under /api/ that matches nothing answers JSON like the rest of
the API (a client parsing JSON got the console's HTML page); elsewhere the static page."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
