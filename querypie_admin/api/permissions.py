from rest_framework.permissions import BasePermission

from ..roles import Access, AccessRule, may


class IsConsoleAdmin(BasePermission):
    """The REST API is for Owner and System Admin, like the Administrator pages; it is
    read-only, so no endpoint changes whom the console trusts."""

    access_rule = AccessRule(Access.ADMIN, Access.ADMIN)

    def has_permission(self, request, view) -> bool:
        return may(request.user, self.access_rule.needed(request))
