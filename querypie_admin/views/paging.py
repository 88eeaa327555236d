"""Pagination shared by every console list: 50 rows a page, filters kept across pages."""

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 50


def paginate(request: HttpRequest, qs, size: int = PAGE_SIZE) -> dict:
    """Return the context a list template needs: the page and the query minus `page`."""
    params = request.GET.copy()
    params.pop("page", None)
    page: Page = Paginator(qs, size).get_page(request.GET.get("page"))
    return {"page": page, "query": params.urlencode()}


def valid_filters(form, request: HttpRequest | None = None) -> dict:
    """The filters to apply: all of them, or none when one is invalid; given the request,
    the page then says which value was refused instead of silently listing everything."""
    if form.is_valid():
        return form.cleaned_data
    if request is not None:
        problems = "; ".join(
            f"{form.fields[name].label or name.capitalize()}: {' '.join(errors)}"
            for name, errors in form.errors.items()
        )
        messages.error(request, f"The filter was not applied, showing everything. {problems}")
    return {}
