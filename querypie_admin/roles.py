"""Role checks for console pages: anonymous users go to sign-in, non-admins get 403."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def admin_required(view: View) -> View:
    """Only Owner and System Admin reach Administrator pages."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_console_admin:
            raise PermissionDenied("Administrator pages are for Owner and System Admin.")
        return view(request, *args, **kwargs)

    return wrapper
