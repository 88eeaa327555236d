"""Password sign-in by login ID, case-insensitively."""

from django.contrib.auth.backends import ModelBackend

from .models import User


class LoginIdBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user = User.objects.filter(login_id__ci_exact=username).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
