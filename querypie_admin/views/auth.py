"""Sign-in, sign-out and the landing page of each role."""

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from sso import slo

from .. import audit
from ..forms import SignInForm
from ..roles import public, signed_in_required
from ..signin import REFUSAL, SignInLocked, sign_in
from . import managed


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return target
    return None


@public
def sign_in_page(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = sign_in(request, form.cleaned_data["login_id"], form.cleaned_data["password"])
        except SignInLocked as exc:
            form.add_error(None, str(exc))
            status = 429
        else:
            if user is not None:
                login(request, user)
                return redirect(_safe_next(request) or "home")
            form.add_error(None, REFUSAL)
    context = {"form": form, "next": _safe_next(request) or ""}
    return render(request, "console/sign_in.html", context, status=status)


@public  # signing out without a session only leads back to sign-in
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.record("auth.signout", actor=request.user, target=request.user, request=request)
    saml_session = slo.session_of(request)  # read before the console session ends
    logout(request)  # the local session ends first, whatever Single Logout does next
    return slo.logout_at_idp(request, saml_session) or redirect("login")


@signed_in_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("user_list" if request.user.is_console_admin else "profile")


@signed_in_required
def profile(request: HttpRequest) -> HttpResponse:
    me = request.user
    context = {"subject": me, "groups": me.member_of.order_by("name"), "badges": managed.badges(me)}
    return render(request, "console/profile.html", context)
