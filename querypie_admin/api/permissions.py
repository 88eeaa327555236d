from rest_framework.permissions import BasePermission


class IsConsoleAdmin(BasePermission):
    """The REST API is for Owner and System Admin, like the Administrator pages."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_console_admin)
