"""The Authentication page and the SP endpoints; the logic lives in the service modules."""

import logging

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from onelogin.saml2.errors import OneLogin_Saml2_Error

from querypie_admin.roles import public, trust_settings

from . import mapping_actions, page, sessions, slo
from .acs import validate_response
from .keys import ensure_sp_key_pair
from .login import record_refusal, record_success, resolve_user
from .models import SamlSettings
from .page_actions import ACTIONS
from .refusals import SamlRefused
from .relay import safe_relay_state
from .saml import sp_metadata_xml, start_login
from .services import save_configuration, save_fetched_metadata

BACKEND = "querypie_admin.auth_backends.LoginIdBackend"
logger = logging.getLogger(__name__)


@trust_settings
@require_http_methods(["GET", "POST"])
def authentication_page(request: HttpRequest) -> HttpResponse:
    config = SamlSettings.load()
    forms = page.bound_forms(request, config)
    if request.method == "POST":
        op = request.POST.get("op")
        if op in ACTIONS:
            ACTIONS[op](request)
            return redirect("authentication")
        if op in mapping_actions.OPS:
            return _role_mapping_post(request, config, forms, op)
        form = forms.get(op)
        if form is not None and form.is_valid():
            if op == "fetch":
                data = form.cleaned_data
                save_fetched_metadata(
                    request.user, data["metadata"], data["xml"], data["metadata_url"]
                )
                messages.success(request, "The metadata was fetched and saved.")
            else:
                save_configuration(
                    request.user,
                    authentication_type=form.cleaned_data["authentication_type"],
                    metadata=form.cleaned_data["metadata"],
                    metadata_xml=form.cleaned_data["metadata_source_xml"],
                    options=form.options(),
                )
                messages.success(request, "The changes were saved.")
            return redirect("authentication")
        if form is None:
            messages.error(request, "Unknown form; nothing was saved.")
        else:
            messages.error(request, "Nothing was saved: correct the errors below.")
    context = {**page.context(config, forms), **page.role_mapping_context()}
    status = 400 if request.method == "POST" else 200
    return render(request, "sso/authentication.html", context, status=status)


def _role_mapping_post(
    request: HttpRequest, config: SamlSettings, forms: dict, op: str
) -> HttpResponse:
    """A role mapping form: done (saved or refused) redirects; held or invalid re-renders."""
    post = mapping_actions.handle(request, op)
    if post.done:
        return redirect(reverse("authentication") + "#role-mapping")
    context = {**page.context(config, forms), **page.role_mapping_context(post)}
    status = 200 if post.held else 400
    return render(request, "sso/authentication.html", context, status=status)


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
