"""Remediation and evidence pages of a closed campaign (Owner and System Admin; a plan that
demotes a console Owner or System Admin needs an Owner, service.remediation says so), and the
Owner-only form that saves the write-scoped Okta token. The work is in service/."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okta import connection
from okta.models import OktaOrg
from querypie_admin import audit
from querypie_admin.roles import admin_required, owner_required

from ..forms import WriteTokenForm
from ..models import Campaign, CampaignStatus, Remediation
from ..models import RemediationStatus as Status
from ..service import evidence, execution, remediation
from ..tasks import execute_remediations


def _closed(pk: int) -> Campaign:
    return get_object_or_404(
        Campaign.objects.select_related("fallback_reviewer", "reviewer"),
        pk=pk,
        status=CampaignStatus.CLOSED,
    )


def _enqueue(row_ids: list[int]) -> None:
    if row_ids:
        transaction.on_commit(lambda: execute_remediations.delay(row_ids))


@admin_required
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the dry run (each call) and the rows' progress; POST: confirm it (`count` is the
    second confirmation of a guarded plan)."""
    campaign = _closed(pk)
    if request.method == "POST":
        try:
            with transaction.atomic():
                done = remediation.confirm(campaign, request.user, request.POST.get("count", ""))
                _enqueue(done.queued)
        except remediation.RemediationError as exc:
            messages.error(request, str(exc))
        else:
            held = f" {done.held} held: type their count to confirm them." if done.held else ""
            messages.success(request, f"{len(done.queued)} removals queued.{held}")
        return redirect("access_review_remediation", pk=pk)
    rows = Remediation.objects.filter(item__campaign=campaign)
    counts = {label: rows.filter(status=value).count() for value, label in Status.choices}
    context = {
        "campaign": campaign,
        "dry_run": remediation.dry_run(campaign),
        "counts": {k: v for k, v in counts.items() if v},
        "failed": rows.filter(status=Status.FAILED).select_related("item"),
        "manual": rows.filter(status=Status.MANUAL).select_related("item"),
        "has_write_token": remediation.has_write_token(),
    }
    return render(request, "access_reviews/remediation.html", context)


@admin_required
@require_POST
def row_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Retry a failed removal, or mark a manual task done (`op`); `pk` is the row's."""
    target = get_object_or_404(
        Remediation.objects.select_related("item"),
        pk=pk,
        item__campaign__status=CampaignStatus.CLOSED,
    )
    campaign_pk = target.item.campaign_id
    try:
        with transaction.atomic():
            if request.POST.get("op") == "retry":
                execution.retry(target, request.user)
                _enqueue([target.pk])
                messages.success(request, "Retry queued.")
            elif request.POST.get("op") == "done":
                execution.mark_done(target, request.user)
                messages.success(request, "Marked done; the next Okta collection verifies it.")
            else:
                messages.error(request, "Choose Retry or Mark done.")
    except remediation.RemediationError as exc:
        messages.error(request, str(exc))
    return redirect("access_review_remediation", pk=campaign_pk)


@admin_required
@require_GET
def manual_tasks(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _closed(pk)
    content = execution.manual_csv(campaign)
    return _attachment(HttpResponse(content), f"manual-tasks-{pk}.csv")


@admin_required
@require_GET
def evidence_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    return evidence_download(_closed(pk), request.user)


def evidence_download(campaign: Campaign, actor) -> StreamingHttpResponse:
    """The evidence CSV, streamed (the page and the API both answer with it)."""
    summary = evidence.start_export(campaign, actor, "csv")
    lines = evidence.csv_lines(campaign, summary)
    return _attachment(StreamingHttpResponse(lines), f"access-review-{campaign.pk}-evidence.csv")


def _attachment(response: HttpResponse | StreamingHttpResponse, name: str):
    response["Content-Type"] = "text/csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@admin_required
@require_GET
def evidence_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable report: print CSS, no script."""
    campaign = _closed(pk)
    summary = evidence.start_export(campaign, request.user, "html")
    context = {
        "campaign": campaign,
        "summary": summary,
        "definition": evidence.definition(campaign),
        "header": evidence.HEADER,
        "rows": evidence.table(campaign),
    }
    return render(request, "access_reviews/evidence.html", context)


@owner_required
@require_http_methods(["GET", "POST"])
def write_token(request: HttpRequest) -> HttpResponse:
    """Save or clear the write-scoped Okta token (a trust change: Owner only, audited
    without the token)."""
    org = OktaOrg.load()
    form = WriteTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        connection.store_write_token(org, token)
        org.save(update_fields=["write_token_encrypted", "write_token_last4", "updated_at"])
        audit.record(
            "access_review.write_token_set" if token else "access_review.write_token_cleared",
            actor=request.user,
            request=request,
            target_label="Okta write-scoped token",
        )
        messages.success(request, "Write token saved." if token else "Write token cleared.")
        return redirect("access_review_write_token")
    last4 = org.write_token_last4
    context = {"form": form, "masked": f"••••••••{last4}" if last4 else ""}
    return render(
        request, "access_reviews/write_token.html", context, status=400 if form.errors else 200
    )
