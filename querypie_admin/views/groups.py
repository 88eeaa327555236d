"""Groups pages of Administrator > General > User Management."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from .. import directory
from ..directory import Caller
from ..forms import AddGroupForm, GroupFilterForm
from ..models import Group
from ..queries import filter_groups, with_links
from ..roles import admin_required
from . import managed
from .outcome import refusal_as_message, refusal_beside
from .paging import paginate, valid_filters

# A group's page shows its members 20 at a time: with 50, a big Okta group made the page
# 2,800 px tall and put "What Okta sent" and the ownership buttons far below (issue 23).
MEMBERS_PER_PAGE = 20


@admin_required
def group_list(request: HttpRequest) -> HttpResponse:
    form = GroupFilterForm(request.GET)
    groups = filter_groups(with_links(Group.objects.all()), **valid_filters(form, request))
    context = {"form": form, **paginate(request, groups)}
    context["rows"] = managed.rows(context["page"])
    return render(request, "console/group_list.html", context)


@admin_required
def group_add(request: HttpRequest) -> HttpResponse:
    """Add a local group through the directory (validated and audited there); a taken name
    is said beside the field, and the form keeps what was typed."""
    form = AddGroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusal_beside(form, conflict="name", refused=None):
            group = directory.create_group(Caller.console(request), form.cleaned_data)
            messages.success(request, f"Group {group.name} was added.")
            return redirect("group_detail", pk=group.pk)
    status = 400 if form.errors else 200
    return render(request, "console/group_add.html", {"form": form}, status=status)


@admin_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(Group.objects.prefetch_related("links"), pk=pk)
    members = group.members.order_by("login_id")
    context = {
        "group": group,
        "is_owner": Caller.console(request).acts_as_owner,
        **managed.context(group),
        **paginate(request, members, MEMBERS_PER_PAGE),
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
