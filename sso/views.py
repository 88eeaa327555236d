"""The Authentication page; the SAML issue fills it in."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from querypie_admin.roles import admin_required


@admin_required
def authentication_page(request: HttpRequest) -> HttpResponse:
    return render(request, "sso/authentication.html")
