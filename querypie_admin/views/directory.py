"""Users and Groups pages of Administrator > General > User Management."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import directory
from ..forms import GroupFilterForm, UserFilterForm
from ..models import Group, User
from ..queries import filter_groups, filter_users
from ..roles import admin_required
from .paging import paginate, valid_filters


@admin_required
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET)
    users = filter_users(User.objects.all(), **valid_filters(form))
    context = {"form": form, **paginate(request, users)}
    return render(request, "console/user_list.html", context)


@admin_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subject = get_object_or_404(User, pk=pk)
    groups = subject.member_of.order_by("name")
    return render(request, "console/user_detail.html", {"subject": subject, "groups": groups})


@admin_required
@require_POST
def user_set_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Activate or deactivate a local user; IdP-managed users change only in their IdP."""
    subject = get_object_or_404(User, pk=pk)
    active = request.POST.get("active") == "1"
    if subject.is_managed_externally:
        messages.error(request, "This user is managed by Okta: change it in Okta.")
    elif subject == request.user and not active:
        messages.error(request, "You cannot deactivate your own account.")
    else:
        directory.set_user_active(request.user, subject, active)
        messages.success(request, f"{subject.login_id} is now {subject.status_label}.")
    return redirect("user_detail", pk=pk)


@admin_required
def group_list(request: HttpRequest) -> HttpResponse:
    form = GroupFilterForm(request.GET)
    groups = filter_groups(Group.objects.all(), **valid_filters(form))
    context = {"form": form, **paginate(request, groups)}
    return render(request, "console/group_list.html", context)


@admin_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(Group, pk=pk)
    members = group.members.order_by("login_id")
    context = {"group": group, **paginate(request, members)}
    return render(request, "console/group_detail.html", context)


@admin_required
def group_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Deleting an IdP group here is allowed after a warning: the IdP may push it back."""
    group = get_object_or_404(Group, pk=pk)
    if request.method == "POST":
        directory.delete_group(request.user, group)
        messages.success(request, f"Group {group.name} was deleted.")
        return redirect("group_list")
    return render(request, "console/group_confirm_delete.html", {"group": group})
