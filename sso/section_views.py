"""The Authentication page's sections, each at its own URL: Identity provider, Single Logout
and certificates, Role mapping (Synchronization and Event Hooks are the sync's and the hooks'
pages, under the same sub-navigation). System Admins read each section; only an Owner changes
it. After a POST the section redirects to the form that posted, where its message is shown."""

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from querypie_admin.placed_messages import back_to, place
from querypie_admin.roles import admin_required, trust_settings

from . import group_picker, mapping_actions, page
from .models import SamlSettings
from .page_actions import ACTIONS
from .services import save_configuration, save_fetched_metadata

# The buttons of each section that post no form of their own (page_actions), and the place
# on the section where each one's message is shown.
IDP_ACTIONS = {
    "refresh": "idp-metadata",
    "apply_change": "idp-metadata",
    "keep_current": "idp-metadata",
}
SLO_ACTIONS = {
    "refresh": "certificates",
    "retire_certificate": "certificates",
    "sp_key_next": "sp-key",
    "sp_key_promote": "sp-key",
}
MAPPING_PLACES = {
    "mapping_add": "mapping-add",
    "mapping_change": "mapping-table",
    "mapping_remove": "mapping-table",
    "mapping_owner_switch": "mapping-owner",
    "mapping_threshold": "mapping-threshold",
}
IDP_FORMS = {"fetch": "idp-metadata", "save": "idp-settings"}


def _section_for(op: str) -> str:
    """The section whose form posts `op` (the old single page posted them all)."""
    if op in MAPPING_PLACES:
        return "auth_role_mapping"
    if op in SLO_ACTIONS and op not in IDP_ACTIONS:
        return "auth_single_logout"
    return "auth_identity_provider"


@trust_settings  # as the page it was: a System Admin's POST is refused here already
@require_http_methods(["GET", "POST"])
def authentication(request: HttpRequest) -> HttpResponse:
    """The old single Authentication page: GET goes to the Identity provider section (whose
    script follows the old #role-mapping and #okta-sync anchors); a POST from a page opened
    before the split is sent on, method and body kept (307), to the section that owns it."""
    if request.method == "GET":
        return redirect("auth_identity_provider")
    return HttpResponseRedirect(reverse(_section_for(request.POST.get("op", ""))), status=307)


def _unknown(request: HttpRequest, section: str) -> HttpResponse:
    messages.error(request, "Unknown form; nothing was saved.")
    return redirect(section)


@trust_settings
@require_http_methods(["GET", "POST"])
def identity_provider(request: HttpRequest) -> HttpResponse:
    """Metadata (paste, upload or Fetch), Authentication Type and options, values to copy."""
    config = SamlSettings.load()
    forms = page.bound_forms(request, config)
    status = 200
    if request.method == "POST":
        op = request.POST.get("op", "")
        if op in IDP_ACTIONS:
            ACTIONS[op](request)
            return back_to(request, "auth_identity_provider", IDP_ACTIONS[op])
        form = forms.get(op)
        if form is None:
            return _unknown(request, "auth_identity_provider")
        if form.is_valid():
            _save_identity_provider(request, op, form)
            return back_to(request, "auth_identity_provider", IDP_FORMS[op])
        messages.error(request, "Nothing was saved: correct the errors below.")
        place(request, IDP_FORMS[op])
        status = 400
    context = page.identity_provider_context(config, forms)
    return render(request, "sso/identity_provider.html", context, status=status)


def _save_identity_provider(request: HttpRequest, op: str, form: Form) -> None:
    data = form.cleaned_data
    if op == "fetch":
        save_fetched_metadata(request.user, data["metadata"], data["xml"], data["metadata_url"])
        messages.success(request, "The metadata was fetched and saved.")
        return
    save_configuration(
        request.user,
        authentication_type=data["authentication_type"],
        metadata=data["metadata"],
        metadata_xml=data["metadata_source_xml"],
        options=form.options(),
    )
    messages.success(request, "The identity provider settings were saved.")


@trust_settings
@require_http_methods(["GET", "POST"])
def single_logout(request: HttpRequest) -> HttpResponse:
    """Single Logout values, the IdP's signing certificates and the SP signing key."""
    if request.method == "POST":
        op = request.POST.get("op", "")
        if op not in SLO_ACTIONS:
            return _unknown(request, "auth_single_logout")
        ACTIONS[op](request)
        return back_to(request, "auth_single_logout", SLO_ACTIONS[op])
    context = page.single_logout_context(SamlSettings.load())
    return render(request, "sso/single_logout.html", context)


@trust_settings
@require_http_methods(["GET", "POST"])
def role_mapping(request: HttpRequest) -> HttpResponse:
    """Okta group -> console role: done (saved or refused) redirects to the form that posted;
    invalid or held by the promotion guard comes back with the form as it was sent."""
    if request.method != "POST":
        return render(request, "sso/role_mapping.html", page.role_mapping_context())
    op = request.POST.get("op", "")
    if op not in MAPPING_PLACES:
        return _unknown(request, "auth_role_mapping")
    post = mapping_actions.handle(request, op)
    if post.done:
        return back_to(request, "auth_role_mapping", MAPPING_PLACES[op])
    place(request, MAPPING_PLACES[op])
    context = page.role_mapping_context(post)
    return render(request, "sso/role_mapping.html", context, status=200 if post.held else 400)


@admin_required
@require_GET
def okta_groups(request: HttpRequest) -> JsonResponse:
    """The group picker's search: Okta groups the sync or SCIM know, by part of a name or id."""
    return JsonResponse({"groups": group_picker.search(request.GET.get("q", ""))})
