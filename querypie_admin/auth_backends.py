"""Password sign-in by login ID, case-insensitively, for local accounts only."""

from django.contrib.auth.backends import ModelBackend

from .models import User


class LoginIdBackend(ModelBackend):
    """Also the session backend of SAML sign-ins, so `get_user` must keep Okta accounts;
    only `authenticate` (the password check) refuses them."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user = User.objects.filter(login_id__ci_exact=username).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if not user.check_password(password) or not self.user_can_authenticate(user):
            return None
        # An account Okta owns (linked, or handed over) signs in with Okta, never a password.
        return None if user.is_managed_externally else user
