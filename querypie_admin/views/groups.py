"""Groups pages of Administrator > General > User Management."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from .. import directory
from ..directory import Caller
from ..forms import GroupFilterForm
from ..models import Group
from ..queries import filter_groups, with_links
from ..roles import admin_required
from . import managed
from .outcome import refusal_as_message
from .paging import paginate, valid_filters


@admin_required
def group_list(request: HttpRequest) -> HttpResponse:
    form = GroupFilterForm(request.GET)
    groups = filter_groups(with_links(Group.objects.all()), **valid_filters(form, request))
    context = {"form": form, **paginate(request, groups)}
    context["rows"] = managed.rows(context["page"])
    return render(request, "console/group_list.html", context)


@admin_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(Group.objects.prefetch_related("links"), pk=pk)
    members = group.members.order_by("login_id")
    context = {
        "group": group,
        "is_owner": Caller.console(request).acts_as_owner,
        **managed.context(group),
        **paginate(request, members),
    }
    return render(request, "console/group_detail.html", context)


@admin_required
def group_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Deleting an Okta group here is allowed after a warning: Okta may push it back."""
    group = get_object_or_404(Group, pk=pk)
    if request.method == "POST":
        with refusal_as_message(request):
            directory.delete_group(Caller.console(request), group)
            messages.success(request, f"Group {group.name} was deleted.")
            return redirect("group_list")
        return redirect("group_detail", pk=pk)
    return render(request, "console/group_confirm_delete.html", {"group": group})
