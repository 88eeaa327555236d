"""The documentation pages: /docs/ and /docs/NAME.md, for any signed-in user."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import docs_pages
from ..roles import signed_in_required


@signed_in_required
@require_GET
def docs_page(request: HttpRequest, name: str = "") -> HttpResponse:
    if not name:
        listed = [(n, docs_pages.title_of(n)) for n in docs_pages.names()]
        return render(request, "console/docs.html", {"listed": listed})
    body = docs_pages.render(name)
    if body is None:
        raise Http404("No such document.")
    context = {"name": name, "title": docs_pages.title_of(name), "body": body}
    return render(request, "console/docs.html", context)
