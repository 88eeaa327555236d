"""Pagination shared by every console list: 50 rows a page, filters kept across pages."""

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 50


def paginate(request: HttpRequest, qs) -> dict:
    """Return the context a list template needs: the page and the query minus `page`."""
    params = request.GET.copy()
    params.pop("page", None)
    page: Page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page": page, "query": params.urlencode()}


def valid_filters(form) -> dict:
    return form.cleaned_data if form.is_valid() else {}
