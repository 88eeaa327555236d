"""My reviews, for every signed-in console user: the items assigned to them, filters, a
decision per item, and a bulk decision on the filtered selection after a confirmation that
names the count. Another person's item is a 404, an admin's included: admins see progress on
the campaign page, never someone else's decision form."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods

from querypie_admin.roles import signed_in_required
from querypie_admin.views.paging import paginate, valid_filters

from ..forms import BulkDecisionForm, DecisionForm, ReviewFilterForm
from ..models import Campaign, Decision, ReviewItem
from ..service import decisions, selection

FILTERS = ("campaign", "flag", "decision", "app")
# The bulk form's fields are prefixed: its `decision` is not the `decision` filter.
BULK = "bulk"


def _filters(request: HttpRequest, data) -> ReviewFilterForm:
    campaigns = list(selection.active_campaigns(request.user))
    return ReviewFilterForm(data, campaigns, selection.access_choices(request.user))


@signed_in_required
@require_http_methods(["GET", "POST"])
def my_reviews(request: HttpRequest) -> HttpResponse:
    """GET: the reviewer's items; POST: a bulk decision (op=preview asks "Revoke 37
    items?", op=confirm records it if the selection still has that count)."""
    filters = _filters(request, request.POST if request.method == "POST" else request.GET)
    if request.method == "POST":
        return _bulk(request, filters)
    chosen = valid_filters(filters, request)
    items = selection.reviewer_items(request.user, chosen).select_related("campaign")
    context = {
        "filters": filters,
        "bulk": BulkDecisionForm(prefix=BULK),
        "campaign_chosen": bool(chosen.get("campaign")),
        "next": request.get_full_path(),
        **paginate(request, items),
    }
    return render(request, "access_reviews/my_reviews.html", context)


def _bulk(request: HttpRequest, filters: ReviewFilterForm) -> HttpResponse:
    form = BulkDecisionForm(request.POST, prefix=BULK)
    if not (filters.is_valid() and filters.cleaned_data.get("campaign")):
        messages.error(request, "Choose a campaign to decide in bulk.")
        return redirect("my_reviews")
    chosen = filters.cleaned_data
    kept = urlencode({name: chosen[name] for name in FILTERS if chosen.get(name)})
    back = f"{reverse('my_reviews')}?{kept}"
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    ids = list(selection.reviewer_items(request.user, chosen).values_list("pk", flat=True))
    data = form.cleaned_data
    if not ids:
        messages.error(request, "No items match these filters.")
        return redirect(back)
    digest = selection.fingerprint(ids)
    confirmed = request.POST.get("op") == "confirm" and data["selection"] == digest
    if not confirmed:
        if request.POST.get("op") == "confirm":
            messages.warning(request, f"The selection changed: it now has {len(ids)} items.")
        context = {"form": form, "filters": filters, "count": len(ids), "back": back}
        context["selection"] = digest
        context["verb"] = Decision(data["decision"]).label
        return render(request, "access_reviews/bulk_confirm.html", context)
    try:
        decisions.decide_many(
            Campaign.objects.get(pk=chosen["campaign"]),
            request.user,
            ids,
            data["decision"],
            data["comment"],
            data["reassign_to"],
        )
    except decisions.DecisionError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(request, f"{Decision(data['decision']).label}: {len(ids)} items recorded.")
    return redirect(back)


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return target
    return reverse("my_reviews")


@signed_in_required
@require_http_methods(["GET", "POST"])
def review_item(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the reviewer's items: its facts, its history, and Keep / Revoke / Reassign."""
    item = get_object_or_404(
        ReviewItem.objects.select_related("campaign"), pk=pk, reviewer=request.user
    )
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decisions.decide(
                item, request.user, data["decision"], data["comment"], data["reassign_to"]
            )
        except decisions.DecisionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{item}: {Decision(data['decision']).label} recorded.")
            return redirect(_back(request))
    history = item.history.select_related("reassigned_to").order_by("id")
    context = {"item": item, "form": form, "history": history, "next": _back(request)}
    status = 400 if form.errors else 200
    return render(request, "access_reviews/review_item.html", context, status=status)
