"""Users pages of Administrator > General > User Management: list, add, a user's page,
its status and its role. Every write goes through the directory as the console."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import directory
from ..directory import Caller, held_promotions
from ..forms import AddUserForm, RoleForm, UserFilterForm
from ..models import HeldPromotion, Role, RoleSource, User
from ..queries import filter_users, with_links
from ..roles import admin_required, owner_required
from . import initial_password, managed
from .outcome import refusal_as_message, refusal_beside
from .paging import paginate, valid_filters


@admin_required
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET)
    users = filter_users(with_links(User.objects.all()), **valid_filters(form, request))
    context = {"form": form, **paginate(request, users)}
    context["rows"] = managed.rows(context["page"])
    return render(request, "console/user_list.html", context)


OKTA_READ_ONLY = "This user is managed by Okta and is read-only here: change it in Okta."


def _person_reason(viewer: User, subject: User) -> str:
    if subject.pk == viewer.pk:
        return "This is your own account: another administrator changes its status and role."
    if subject.role == Role.OWNER and viewer.role != Role.OWNER:
        return "Only an Owner can change an Owner."
    return ""


def status_reason(viewer: User, subject: User) -> str:
    """Why the page offers no status change; the directory enforces the same rules."""
    if subject.is_managed_externally:
        return OKTA_READ_ONLY
    return _person_reason(viewer, subject)


def role_reason(viewer: User, subject: User) -> str:
    """Why the page offers no role change. A console role is the console's on an Okta row
    too, unless an Okta group mapping granted it: then only the mapping changes it."""
    if subject.role_is_mapped:
        return (
            "This role comes from an Okta group mapping: change the mapping (Authentication > "
            "Role mapping) or the user's groups in Okta."
        )
    return _person_reason(viewer, subject)


def role_source(subject: User) -> str:
    """The role's source: set by hand, or the mapped groups that granted it (name, Okta ID)."""
    if not subject.role_is_mapped:
        return RoleSource.MANUAL.label
    names = directory.role_mappings.group_names(subject.role_groups)
    shown = [f"{names[g]} ({g})" if names[g] else g for g in subject.role_groups]
    return f"{RoleSource.MAPPING.label}: {', '.join(shown) or 'none recorded'}"


@admin_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subject = get_object_or_404(User.objects.prefetch_related("links"), pk=pk)
    password = initial_password.pop(request, subject)
    context = {
        "subject": subject,
        "groups": subject.member_of.order_by("name"),
        "status_reason": status_reason(request.user, subject),
        "role_reason": role_reason(request.user, subject),
        "role_source": role_source(subject),
        "role_form": RoleForm(initial={"role": subject.role}, actor=request.user),
        "is_owner": Caller.console(request).acts_as_owner,
        "pending_logins": subject.pending_login_ids.all(),
        "held_promotion": HeldPromotion.objects.filter(user=subject).first(),
        "initial_password": password,
        **managed.context(subject),
    }
    response = render(request, "console/user_detail.html", context)
    return initial_password.no_store(response) if password else response


@admin_required
def user_add(request: HttpRequest) -> HttpResponse:
    """Add a local account with a generated initial password, shown once on its page."""
    form = AddUserForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        password = initial_password.generate()
        with refusal_beside(form, conflict="login_id", refused="role"):
            caller = Caller.console(request)
            user = directory.create_user(caller, form.cleaned_data, password=password)
            initial_password.keep_once(request, user, password)
            messages.success(request, f"{user.login_id} was added as {user.get_role_display()}.")
            return redirect("user_detail", pk=user.pk)
    return render(request, "console/user_add.html", {"form": form})


@admin_required
@require_POST
def user_set_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Activate or deactivate a local user; Okta's users change only in Okta."""
    subject = get_object_or_404(User, pk=pk)
    wanted = request.POST.get("active")
    if wanted not in ("0", "1"):
        messages.error(request, "Choose Activate or Deactivate.")
        return redirect("user_detail", pk=pk)
    with refusal_as_message(request):
        directory.set_user_active(Caller.console(request), subject, wanted == "1")
        messages.success(request, f"{subject.login_id} is now {subject.status_label}.")
    return redirect("user_detail", pk=pk)


@admin_required
@require_POST
def user_set_role(request: HttpRequest, pk: int) -> HttpResponse:
    subject = get_object_or_404(User, pk=pk)
    form = RoleForm(request.POST, actor=request.user)
    if not form.is_valid():
        messages.error(request, "Choose Owner, System Admin or User.")
        return redirect("user_detail", pk=pk)
    with refusal_as_message(request):
        directory.update_user(Caller.console(request), subject, {"role": form.cleaned_data["role"]})
        messages.success(request, f"{subject.login_id} is now {subject.get_role_display()}.")
    return redirect("user_detail", pk=pk)


@owner_required
@require_POST
def user_okta_asks(request: HttpRequest, pk: int) -> HttpResponse:
    """An Owner settles what Okta asked for an administrator and the directory held: a new
    login ID (`op=accept_login_id`) or a promotion (`op=confirm_promotion`)."""
    subject = get_object_or_404(User, pk=pk)
    op, caller = request.POST.get("op"), Caller.console(request)
    with refusal_as_message(request):
        if op == "accept_login_id":
            pending = request.POST.get("pending", "")
            if not pending.isascii() or not pending.isdigit():
                raise directory.DirectoryInvalid("pending", "Choose a login ID change to accept.")
            login_id = directory.accept_login_id(caller, subject, int(pending))
            messages.success(request, f"The login ID is now {login_id}.")
        elif op == "confirm_promotion":
            role = held_promotions.confirm(caller, subject)
            messages.success(request, f"{subject.login_id} is now {Role(role).label}.")
        else:
            messages.error(request, "Choose Accept or Confirm.")
    return redirect("user_detail", pk=pk)
