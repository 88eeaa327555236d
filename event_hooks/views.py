"""Okta Event Hooks: the endpoint Okta calls, and the settings panel.

The endpoint is exempt from CSRF (Okta posts from outside, with no session) and
authenticated by the header secret instead. The panel: Owners and System Admins see it
and confirm or discard held events; only an Owner changes the secret, the event types or
the registration, since those decide what Okta may change here.
"""

import logging
from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from querypie_admin import audit, encryption
from querypie_admin.directory import Caller
from querypie_admin.placed_messages import back_to
from querypie_admin.roles import admin_required, public, trust_settings

from .forms import HeldForm, HookSettingsForm
from .models import HookSettings
from .service import authentication, configure, held, intake, registration, verification
from .service.status import hook_status

logger = logging.getLogger(__name__)
NEW_SECRET_KEY = "event_hook_new_secret"
NEW_SECRET_PURPOSE = b"event-hook-new-secret-in-session"
# The panel's section (and its messages' place) of each button: placed_messages.py.
PLACES = {"save": "hook-types", "secret": "hook-secret", "remove_previous": "hook-secret",
          "register": "hook-okta", "verify": "hook-okta", "refresh": "hook-okta"}  # fmt: skip


@public  # Okta's deliveries: the header secret protects it
@csrf_exempt
@require_http_methods(["GET", "POST"])
def okta_event_hook(request: HttpRequest) -> HttpResponse:
    """GET: Okta's one-time verification. POST: a delivery, stored and queued, 204."""
    hook = HookSettings.load()
    if not authentication.authenticated(hook, request.headers.get(hook.header_name, "")):
        logger.info("Okta event hook %s refused: no valid secret (from %s)",
                    request.method, audit.client_ip(request))  # fmt: skip
        authentication.record_refusal(request)
        return JsonResponse({"error": "A valid event hook secret is required."}, status=401)
    if request.method == "GET":
        return verification.answer(request)
    try:
        events = intake.parse(intake.read_body(request))
    except intake.BadDelivery as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    intake.store(events)
    return HttpResponse(status=204)


def _panel(request: HttpRequest, form: HookSettingsForm, status: int = 200) -> HttpResponse:
    stored = request.session.pop(NEW_SECRET_KEY, None)
    try:
        new_secret = encryption.decrypt(stored, NEW_SECRET_PURPOSE) if stored else None
    except encryption.SecretUnreadable:  # SECRET_KEY rotated between the POST and this page
        new_secret = None
    context = {
        "hook": HookSettings.load(),
        "form": form,
        "hook_url": registration.hook_url(),
        "status": hook_status(),
        "held_form": HeldForm(),
        "new_secret": new_secret,
    }
    response = render(request, "event_hooks/settings.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _form(hook: HookSettings) -> HookSettingsForm:
    return HookSettingsForm(initial={"header_name": hook.header_name,
                                     "event_types": hook.event_types})  # fmt: skip


@trust_settings  # the hook's secrets and registration decide which deliveries are Okta's
def settings_page(request: HttpRequest) -> HttpResponse:
    """GET shows the panel; POST handles its buttons (by the `op` field)."""
    if request.method != "POST":
        return _panel(request, _form(HookSettings.load()))
    caller = Caller.console(request)
    op = request.POST.get("op")
    if op == "save":
        form = HookSettingsForm(request.POST)
        if not form.is_valid():
            return _panel(request, form, status=400)
        configure.save_settings(caller, **form.cleaned_data)
        messages.success(request, "Okta Event Hooks settings saved.")
    elif op in ACTIONS:
        ACTIONS[op](request, caller)
    else:
        messages.error(request, "Choose one of the panel's buttons.")
        return redirect("event_hooks_settings")
    return back_to(request, "event_hooks_settings", PLACES[op])


def _new_secret(request: HttpRequest, caller: Caller) -> None:
    try:
        value = configure.new_secret(caller)
    except configure.SettingsRefused as exc:
        messages.error(request, str(exc))
        return
    request.session[NEW_SECRET_KEY] = encryption.encrypt(value, NEW_SECRET_PURPOSE)


def _remove_previous(request: HttpRequest, caller: Caller) -> None:
    try:
        configure.remove_previous(caller)
    except configure.SettingsRefused as exc:
        messages.error(request, str(exc))
        return
    messages.success(request, "The previous secret was removed: it no longer opens the hook.")


Action = Callable[[HttpRequest, Caller], None]


def _with_okta(done: str, call: Callable[[Caller], HookSettings]) -> Action:
    """A button that calls Okta: `done` (formatted with the hook) or Okta's refusal."""

    def act(request: HttpRequest, caller: Caller) -> None:
        try:
            hook = call(caller)
        except (registration.RegistrationError, configure.SettingsRefused) as exc:
            messages.error(request, str(exc))
            return
        messages.success(request, done.format(hook=hook))

    return act


ACTIONS: dict[str, Action] = {
    "secret": _new_secret,
    "remove_previous": _remove_previous,
    "register": _with_okta(
        "Registered with Okta as event hook {hook.okta_hook_id}: {hook.okta_verification}.",
        registration.register,
    ),
    "verify": _with_okta("Okta verified the event hook.", registration.verify),
    "refresh": _with_okta(
        "Okta says the event hook is {hook.okta_status}, {hook.okta_verification}.",
        registration.refresh,
    ),
}


@admin_required  # and an Owner when the held events promote anyone (service.held)
@require_POST
def held_events(request: HttpRequest, action: str) -> HttpResponse:
    """Confirm and apply, or discard, the held events the panel listed."""
    form = HeldForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Reload the page: the list of held events was not sent.")
        return back_to(request, "event_hooks_settings", "hook-status")
    caller, listed = Caller.console(request), form.cleaned_data
    try:
        if action == "confirm":
            count = held.confirm(caller, listed["up_to"], listed["shown"])
            messages.success(request, f"{count} held events confirmed: Okta is read again "
                                      "and what it says now is applied.")  # fmt: skip
        else:
            count = held.discard(caller, listed["up_to"], listed["shown"])
            messages.success(request, f"{count} held events discarded.")
    except held.HeldChanged as changed:
        messages.error(request, str(changed))
    return back_to(request, "event_hooks_settings", "hook-status")
