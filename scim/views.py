"""The Provisioning page (Administrator > General > User Management > Provisioning).

A thin layer over scim.provisioning: each POST does one action and redirects. A new
token's value travels to the next page once through the session, encrypted (sessions are
database rows), and is popped there.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from querypie_admin import encryption
from querypie_admin.roles import admin_required, owner_required

from . import provisioning
from .forms import SwitchForm
from .models import MAX_TOKENS, ScimToken

NEW_TOKEN_KEY = "scim_new_token"
NEW_TOKEN_PURPOSE = b"scim-new-token-in-session"


def _pop_new_token(request: HttpRequest) -> str | None:
    stored = request.session.pop(NEW_TOKEN_KEY, None)
    try:
        return encryption.decrypt(stored, NEW_TOKEN_PURPOSE) if stored else None
    except encryption.SecretUnreadable:  # SECRET_KEY rotated between the POST and this page
        return None


@admin_required
def provisioning_page(request: HttpRequest) -> HttpResponse:
    tokens = list(ScimToken.objects.all())
    context = {
        "enabled": provisioning.is_enabled(),
        "endpoint": provisioning.endpoint_url(),
        "tokens": tokens,
        "max_tokens": MAX_TOKENS,
        "limit_reason": provisioning.token_limit_reason(len(tokens)),
        "new_token": _pop_new_token(request),
    }
    response = render(request, "scim/provisioning.html", context)
    response["Cache-Control"] = "no-store"
    return response


@owner_required
@require_POST
def provisioning_switch(request: HttpRequest) -> HttpResponse:
    form = SwitchForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose Enable or Disable.")
    elif form.cleaned_data["enabled"]:
        provisioning.enable(request.user, request)
        messages.success(request, "Provisioning is enabled. Generate a token for your IdP.")
    else:
        deleted = provisioning.disable(request.user, request)
        messages.success(request, f"Provisioning is disabled; {deleted} token(s) were deleted.")
    return redirect("provisioning")


@owner_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    try:
        _, value = provisioning.create_token(request.user, request)
    except provisioning.ProvisioningError as exc:
        messages.error(request, str(exc))
    else:
        request.session[NEW_TOKEN_KEY] = encryption.encrypt(value, NEW_TOKEN_PURPOSE)
    return redirect("provisioning")


@owner_required
@require_POST
def token_delete(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        provisioning.delete_token(request.user, pk, request)
    except provisioning.ProvisioningError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The token was deleted. IdPs using it can no longer call SCIM.")
    return redirect("provisioning")
