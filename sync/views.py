"""Okta sync pages: settings form posts, run progress, confirmation and history."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from okta.models import OktaOrg
from okta.runs import progress_body
from querypie_admin.directory import Caller
from querypie_admin.placed_messages import back_to
from querypie_admin.roles import Access, admin_required, console_view
from querypie_admin.views.paging import paginate

from . import actions, draft
from .engine.confirmation import ConfirmationRefused
from .engine.runs import SyncAlreadyRunning, SyncNotConfigured
from .forms import ConnectionForm, SyncSettingsForm
from .models import SyncRun
from .panel import panel_context

SETTINGS_PLACE = "sync-settings"  # the settings form: Dry Run, Save Changes
RUN_PLACE = "sync-run"  # Synchronize and the last run

OPS = {"save", "dry_run", "synchronize", "discard_draft"}


# The URL, token, Application ID, scope and guard decide whom the console trusts: an Owner's
# to change (Dry Run too: it would send the saved token to a new URL). Synchronize runs the
# saved settings, and the guard holds what a System Admin may not confirm; discarding a draft
# only forgets what this session typed.
@console_view(
    Access.ADMIN,
    Access.OWNER,
    ops={"synchronize": Access.ADMIN, "discard_draft": Access.ADMIN},
)
def settings_page(request: HttpRequest) -> HttpResponse:
    """The Synchronization section: GET shows it, with a Dry Run's values if a draft lives;
    POST handles its buttons (by the `op` field)."""
    if request.method != "POST":
        return _render_panel(request, _unbound_form(request))
    op = request.POST.get("op")
    if op not in OPS:
        messages.error(request, "Choose Dry Run, Save Changes or Synchronize.")
        return redirect("okta_sync_settings")
    if op == "synchronize":
        return _start(request, lambda: actions.begin_sync(request.user))
    if op == "discard_draft":
        draft.drop(request)
        messages.info(request, "The Dry Run's values were discarded: the saved settings are shown.")
        return back_to(request, "okta_sync_settings", SETTINGS_PLACE)
    form_class = ConnectionForm if op == "dry_run" else SyncSettingsForm
    form = form_class(request.POST, instance=OktaOrg.load(), draft=draft.load(request))
    if not form.is_valid():
        return _render_invalid(request, form)
    if op == "save":
        actions.save_settings(Caller.console(request), form.cleaned_data)
        draft.drop(request)
        messages.success(request, "Okta synchronization settings saved.")
        return back_to(request, "okta_sync_settings", SETTINGS_PLACE)
    if not actions.check_connection(form):
        return _render_invalid(request, form)
    draft.keep(request, request.POST, form.cleaned_data, list(form.fields))
    return _start(request, lambda: actions.begin_dry_run(request.user, form.cleaned_data))


def _unbound_form(request: HttpRequest) -> SyncSettingsForm:
    """The saved settings, or the values of a Dry Run whose draft still lives."""
    kept = draft.load(request)
    if kept is None:
        return SyncSettingsForm(instance=OktaOrg.load())
    return SyncSettingsForm(instance=OktaOrg.load(), draft=kept, initial=kept.initial())


def _render_invalid(request: HttpRequest, form: SyncSettingsForm) -> HttpResponse:
    form.ask_token_again()
    return _render_panel(request, form, status=400)


def _render_panel(request: HttpRequest, form: SyncSettingsForm, status: int = 200) -> HttpResponse:
    context = panel_context(request, form)
    return render(request, "sync/settings.html", context, status=status)


def _start(request: HttpRequest, begin) -> HttpResponse:
    try:
        run = begin()
    except SyncAlreadyRunning as exc:
        messages.error(request, "A synchronization is already in progress; wait for it to finish.")
        if exc.run:
            return redirect("okta_sync_run", pk=exc.run.pk)
        return back_to(request, "okta_sync_settings", RUN_PLACE)
    except SyncNotConfigured as exc:
        messages.error(request, str(exc))
        return back_to(request, "okta_sync_settings", RUN_PLACE)
    return redirect("okta_sync_run", pk=run.pk)


@admin_required
@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(SyncRun.objects.select_related("confirms"), pk=pk)
    context = {
        "run": run,
        "confirmation": run.confirmations.order_by("pk").first(),
        "refusal": run.confirmation_refusal(timezone.now()) if run.is_held else "",
    }
    return render(request, "sync/run_detail.html", context)


@admin_required
@require_GET
def run_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """Polled by static/sync/progress.js while the run is not finished."""
    return JsonResponse(progress_body(get_object_or_404(SyncRun, pk=pk)))


@admin_required  # and an Owner when the held plan promotes anyone (engine.confirmation)
@require_POST
def confirm_run(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm and synchronize: a new run that writes only within the plan this run held."""
    get_object_or_404(SyncRun, pk=pk)
    try:
        return _start(request, lambda: actions.begin_confirmed_sync(Caller.console(request), pk))
    except ConfirmationRefused as exc:
        messages.error(request, str(exc))
        return redirect("okta_sync_run", pk=pk)


@admin_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    runs = SyncRun.objects.select_related("started_by")
    return render(request, "sync/history.html", paginate(request, runs))
