"""The SP endpoints (the Authentication page is section_views); the logic lives in the
service modules."""

import logging

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from onelogin.saml2.errors import OneLogin_Saml2_Error

from querypie_admin.roles import public

from . import sessions, slo
from .acs import validate_response
from .keys import ensure_sp_key_pair
from .login import record_refusal, record_success, resolve_user
from .models import SamlSettings
from .refusals import SamlRefused
from .relay import safe_relay_state
from .saml import sp_metadata_xml, start_login

BACKEND = "querypie_admin.auth_backends.LoginIdBackend"
logger = logging.getLogger(__name__)


@public
@require_GET
def sp_metadata(request: HttpRequest) -> HttpResponse:
    xml = sp_metadata_xml(SamlSettings.load())
    return HttpResponse(xml, content_type="application/samlmetadata+xml; charset=utf-8")


@public
@require_GET
def sp_login(request: HttpRequest) -> HttpResponse:
    config = SamlSettings.load()
    if not config.sso_enabled:
        messages.error(request, "Single sign-on is not configured.")
        return redirect("login")
    try:
        return redirect(start_login(config, safe_relay_state(request.GET.get("next"))))
    except OneLogin_Saml2_Error as exc:
        logger.warning("SAML login could not start: %s", exc)
        record_refusal(request, SamlRefused(f"SAML login could not start: {exc}"[:500]))
        messages.error(request, "Single sign-on is misconfigured; sign in with your password.")
        return redirect("login")


@public  # the assertion's signature protects it
@csrf_exempt  # Okta's cross-site POST carries no CSRF token; the signature protects it
@require_POST
def sp_acs(request: HttpRequest) -> HttpResponse:
    try:
        identity = validate_response(request.POST)
        user = resolve_user(identity)
    except SamlRefused as refusal:
        record_refusal(request, refusal)
        return render(request, "sso/refused.html", {"kind": refusal.kind}, status=403)
    login(request, user, backend=BACKEND)
    sessions.register(request, user, identity)
    record_success(request, user, identity)
    # SP-initiated: the page kept with our request wins over the RelayState the POST carries.
    next_page = identity.requested_page or request.POST.get("RelayState")
    return redirect(safe_relay_state(next_page))


@public  # the messages' signatures protect it
@csrf_exempt  # the IdP's cross-site messages carry no CSRF token; their signature protects them
@xframe_options_exempt  # Okta sends its LogoutRequest in a hidden iframe of its own page
@require_http_methods(["GET", "POST"])
def sp_slo(request: HttpRequest) -> HttpResponse:
    response = slo.handle(request)
    origin = slo.idp_origin()
    if origin:  # the Content-Security-Policy lets only the IdP's page frame this answer
        response._csp_replace = {"frame-ancestors": [origin]}
    return response


@public  # a public certificate, like the SP metadata
@require_GET
def sp_certificate(request: HttpRequest) -> HttpResponse:
    """The SP signature certificate as a PEM file, for Okta's "Enable Single Logout" form;
    ?key=next gives the next certificate while a rollover is under way."""
    config = SamlSettings.load()
    if request.GET.get("key") == "next":
        pem, name = config.sp_next_certificate_pem, "querypie-sp-next.pem"
        if not pem:
            raise Http404("There is no next SP key.")
    else:
        pem, name = ensure_sp_key_pair(config)[0], "querypie-sp.pem"
    response = HttpResponse(pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
