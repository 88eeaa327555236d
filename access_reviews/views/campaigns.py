"""Access reviews (Owner and System Admin): the list, a new campaign, a campaign's page with
Launch, Close early and Extend, and the Application owners page. The work is in service/."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from querypie_admin.roles import admin_required
from querypie_admin.views.paging import paginate

from ..forms import ApplicationOwnerForm, CampaignForm, ExtendForm
from ..models import Campaign
from ..service import campaigns, owners
from ..service.launch import LaunchError, launch
from ..service.progress import progress

OPS = ("launch", "close", "extend")


@admin_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    rows = Campaign.objects.select_related("fallback_reviewer")
    return render(request, "access_reviews/campaign_list.html", paginate(request, rows))


@admin_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        campaign = campaigns.create(form.save(), request.user)
        messages.success(request, f"Campaign “{campaign.name}” saved as a draft: Launch it here.")
        return redirect("access_review_campaign", pk=campaign.pk)
    status = 400 if form.errors else 200
    return render(request, "access_reviews/campaign_form.html", {"form": form}, status=status)


@admin_required
@require_http_methods(["GET", "POST"])
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: progress and items; POST: Launch, Close early or Extend (by the `op` field)."""
    campaign = get_object_or_404(Campaign.objects.select_related("fallback_reviewer"), pk=pk)
    extend_form = ExtendForm(initial={"due_on": campaign.due_on})
    if request.method == "POST":
        op = request.POST.get("op")
        if op == "extend":
            extend_form = ExtendForm(request.POST)
            if extend_form.is_valid():
                return _run(request, campaign, op, extend_form.cleaned_data["due_on"])
        elif op in OPS:
            return _run(request, campaign, op)
        else:
            messages.error(request, "Choose Launch, Close early or Extend.")
            return redirect("access_review_campaign", pk=pk)
    context = {
        "campaign": campaign,
        "may_run": campaigns.may_run(campaign, request.user),
        "progress": progress(campaign, timezone.localdate()),
        "extend_form": extend_form,
        **paginate(request, campaign.items.select_related("reviewer")),
    }
    status = 400 if extend_form.errors else 200
    return render(request, "access_reviews/campaign_detail.html", context, status=status)


def _run(request: HttpRequest, campaign: Campaign, op: str, due_on=None) -> HttpResponse:
    try:
        if op == "launch":
            count = launch(campaign, request.user)
            messages.success(request, f"Launched: {count} items frozen.")
        elif op == "close":
            campaigns.close(campaign, request.user)
            messages.success(request, "Campaign closed: decisions no longer change.")
        else:
            campaigns.extend(campaign, request.user, due_on)
            messages.success(request, f"Due date moved to {due_on:%Y-%m-%d}.")
    except (LaunchError, campaigns.CampaignStateError) as exc:
        messages.error(request, str(exc))
    return redirect("access_review_campaign", pk=campaign.pk)


@admin_required
@require_http_methods(["GET", "POST"])
def application_owners(request: HttpRequest) -> HttpResponse:
    """One owner per application, who reviews its access in "application owner" campaigns;
    POST sets (op=save) or removes (op=remove) one."""
    form = ApplicationOwnerForm(request.POST or None, initial={"app": request.GET.get("app")})
    if request.method == "POST":
        if request.POST.get("op") == "remove":
            row_id = request.POST.get("owner_id", "")
            if row_id.isdigit() and owners.remove_owner(int(row_id), request.user):
                messages.success(request, "Application owner removed.")
            return redirect("access_review_app_owners")
        if form.is_valid():
            app, owner = form.cleaned_data["app"], form.cleaned_data["owner"]
            owners.set_owner(app, owner, request.user)
            label = dict(form.fields["app"].choices)[app]
            messages.success(request, f"{owner.login_id} now owns {label}.")
            return redirect("access_review_app_owners")
    context = {"form": form, "owners": owners.listing()}
    status = 400 if form.errors else 200
    return render(request, "access_reviews/application_owners.html", context, status=status)
