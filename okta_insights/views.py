"""Okta visibility pages (Administrator > Okta): settings and permission check, collection
history, Applications, Activity, Access review. Owner and System Admin only; the work is in
okta_insights.collect and okta_insights.reports."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from okta.connection import OktaSetupError
from okta.errors import OktaError
from okta.models import OktaOrg
from okta.runs import progress_body
from okta.token_crypto import TokenUnreadable
from querypie_admin.directory import Caller
from querypie_admin.roles import admin_required
from querypie_admin.views.paging import paginate, valid_filters

from . import actions
from .collect.permissions import check_permissions, dataset_states
from .collect.runs import CollectionAlreadyRunning, CollectionNotConfigured
from .collect.schedule import describe
from .forms import ActivityForm, ApplicationFilterForm, CollectionSettingsForm, StartOverForm
from .models import CollectionRun, CollectionSettings, LogCursor, OktaApp, OktaEvent
from .reports import activity
from .reports import applications as apps
from .reports.catalog import REPORTS
from .reports.states import dataset_notes


@admin_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """GET shows settings, permissions and runs; POST: Save Changes, Check permissions,
    Collect now or Start over (by the `op` field)."""
    form = CollectionSettingsForm(instance=CollectionSettings.load())
    start_over = StartOverForm(initial={"days": form.instance.first_read_days})
    if request.method == "POST":
        op = request.POST.get("op")
        if op == "check":
            return _check(request)
        if op == "collect":
            return _collect(request)
        if op == "start_over":
            start_over = StartOverForm(request.POST)
            if start_over.is_valid():
                return _start_over(request, start_over.cleaned_data["days"])
        elif op == "save":
            form = CollectionSettingsForm(request.POST, instance=CollectionSettings.load())
            if form.is_valid():
                actions.save_settings(Caller.console(request), form.cleaned_data)
                messages.success(request, "Okta collection settings saved.")
                return redirect("okta_visibility")
        else:
            messages.error(
                request, "Choose Save Changes, Check permissions, Collect now or Start over."
            )
            return redirect("okta_visibility")
    context = {
        "form": form,
        "start_over": start_over,
        "states": dataset_states(),
        "schedules": describe(form.instance),
        "cursor": LogCursor.load(),
        "runs": CollectionRun.objects.all()[:5],
        "connected": OktaOrg.load().has_token,
    }
    return render(
        request,
        "okta_insights/settings.html",
        context,
        status=400 if form.errors or start_over.errors else 200,
    )


def _start_over(request: HttpRequest, days: int) -> HttpResponse:
    actions.start_system_log_over(Caller.console(request), days)
    messages.success(
        request,
        f"The next collection reads the System Log again from {days} days back "
        "(Collect now to start it at once).",
    )
    return redirect("okta_visibility")


def _check(request: HttpRequest) -> HttpResponse:
    try:
        check_permissions()
        messages.success(request, "Permissions checked with the saved API token.")
    except (CollectionNotConfigured, OktaSetupError, TokenUnreadable) as exc:
        messages.error(request, str(exc))
    except OktaError as exc:
        messages.error(request, exc.user_message)
    return redirect("okta_visibility")


def _collect(request: HttpRequest) -> HttpResponse:
    try:
        run = actions.begin_collection(request.user)
    except CollectionAlreadyRunning as exc:
        messages.error(request, "A collection is already in progress; wait for it to finish.")
        return (
            redirect("okta_collection_run", pk=exc.run.pk)
            if exc.run
            else redirect("okta_visibility")
        )
    except CollectionNotConfigured as exc:
        messages.error(request, str(exc))
        return redirect("okta_visibility")
    return redirect("okta_collection_run", pk=run.pk)


@admin_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    runs = CollectionRun.objects.select_related("started_by")
    return render(request, "okta_insights/history.html", paginate(request, runs))


@admin_required
@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(CollectionRun, pk=pk)
    return render(request, "okta_insights/run_detail.html", {"run": run})


@admin_required
@require_GET
def run_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """Polled by static/sync/progress.js while the run is not finished."""
    return JsonResponse(progress_body(get_object_or_404(CollectionRun, pk=pk)))


@admin_required
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    form = ApplicationFilterForm(request.GET)
    context = {
        "form": form,
        "notes": dataset_notes("applications"),
        **paginate(request, apps.applications(**valid_filters(form))),
    }
    return render(request, "okta_insights/applications.html", context)


@admin_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = get_object_or_404(OktaApp, pk=pk)
    query = request.GET.get("q", "")[:255]
    context = {
        "app": app,
        "q": query,
        "groups": apps.assigned_groups(app),
        "notes": dataset_notes("applications", "system_log"),
        **paginate(request, apps.reach(app, query)),
    }
    return render(request, "okta_insights/application_detail.html", context)


@admin_required
@require_GET
def activity_search(request: HttpRequest) -> HttpResponse:
    """50 events a page, newest first; Older / Newer move by keyset, never by offset."""
    form = ActivityForm(request.GET)
    filters = valid_filters(form)
    events = activity.search(**filters)
    page = activity.page(
        events, before=request.GET.get("before", ""), after=request.GET.get("after", "")
    )
    params = request.GET.copy()
    for name in ("before", "after"):
        params.pop(name, None)
    context = {
        "form": form,
        "page": page,
        "query": params.urlencode(),
        "notes": dataset_notes("system_log"),
    }
    return render(
        request, "okta_insights/activity.html", context, status=400 if form.errors else 200
    )


@admin_required
@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(OktaEvent, pk=pk)
    return render(request, "okta_insights/event_detail.html", {"event": event})


@admin_required
@require_GET
def access_review(request: HttpRequest) -> HttpResponse:
    return render(request, "okta_insights/access_review.html", {"reports": REPORTS.values()})


@admin_required
@require_GET
def report_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A report for the asked parameters (its defaults otherwise); `?export=csv` downloads
    all its rows."""
    report = REPORTS[slug]
    form = report.bound_form(request.GET)
    if not form.is_valid():
        if request.GET.get("export") == "csv":
            return HttpResponse("The report's parameters are not valid.", status=400)
        context = {"report": report, "form": form, "outcome": None}
        return render(request, "okta_insights/report.html", context, status=400)
    outcome = report.run(form.cleaned_data)
    if request.GET.get("export") == "csv":
        return _csv(report, outcome)
    context = {
        "report": report,
        "form": form,
        "outcome": outcome,
        **paginate(request, outcome.rows),
    }
    context["rows"] = [report.row(item) for item in context["page"]]
    return render(request, "okta_insights/report.html", context)


def _csv(report, outcome) -> HttpResponse:
    if not outcome.readable:
        return HttpResponse(" ".join(outcome.notes), status=409, content_type="text/plain")
    response = StreamingHttpResponse(report.csv_lines(outcome), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{report.slug}.csv"'
    return response
